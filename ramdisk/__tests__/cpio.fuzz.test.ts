/*
 * Property-based tests (fast-check) of the cpio "newc" reader and writer (ramdisk/cpio.ts):
 * any bytes at all are either read or rejected with a RamdiskError, never another error;
 * archives from writeCpio read back to the same names and data, and corrupted ones still fail cleanly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CPIO_TRAILER, RamdiskError, readEntries, readEntryAt, writeCpio, type CpioFile } from '../cpio.ts';

/** A fixed seed keeps every run repeatable; fast-check prints seed and path of any counterexample. */
const SEED = 0x6b65656c;

/** Runs `action`; a RamdiskError counts as a clean rejection, any other throw fails the property. */
function returnsOrThrowsRamdiskError(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof RamdiskError)) throw error;
  }
}

/** A file name cpio can hold and readEntries gives back: non-empty, no NUL, not "." and not the trailer. */
const fileName = fc
  .oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }))
  .filter((name) => !name.includes('\0') && name !== '.' && name !== CPIO_TRAILER && !/\p{Cs}/u.test(name));

const cpioFile: fc.Arbitrary<CpioFile> = fc.record({ name: fileName, data: fc.uint8Array({ maxLength: 300 }) });
const cpioFiles = fc.array(cpioFile, { maxLength: 8 });

/** Bytes that start like a newc header half of the time, so that the reader gets past the magic check. */
const headerLikeBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc
    .tuple(fc.constantFrom('070701', '0707010000000'), fc.stringMatching(/^[0-9a-fA-F]{0,110}$/), fc.uint8Array({ maxLength: 200 }))
    .map(([magic, hex, tail]) => Uint8Array.from([...new TextEncoder().encode(magic + hex), ...tail])),
);

describe('cpio reader on arbitrary bytes', () => {
  it('readEntries returns entries or throws a RamdiskError for any byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        returnsOrThrowsRamdiskError(() => readEntries(bytes));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('readEntries returns entries or throws a RamdiskError for bytes that begin like a header', () => {
    fc.assert(
      fc.property(headerLikeBytes, (bytes) => {
        returnsOrThrowsRamdiskError(() => readEntries(bytes));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('readEntryAt returns an entry, null, or throws a RamdiskError at any offset inside the buffer', () => {
    const bytesAndOffset = fc
      .uint8Array({ minLength: 1, maxLength: 2000 })
      .chain((bytes) => fc.tuple(fc.constant(bytes), fc.nat({ max: bytes.length - 1 })));
    fc.assert(
      fc.property(bytesAndOffset, ([bytes, offset]) => {
        returnsOrThrowsRamdiskError(() => readEntryAt(bytes, 0, bytes.length, offset));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('readEntryAt stays clean at any offset of a real archive, and any base and length inside it', () => {
    const archiveWindow = cpioFiles.map(writeCpio).chain((archive) =>
      fc.record({
        archive: fc.constant(archive),
        base: fc.nat({ max: archive.length }),
        length: fc.nat({ max: archive.length }),
        offset: fc.nat({ max: archive.length }),
      }),
    );
    fc.assert(
      fc.property(archiveWindow, ({ archive, base, length, offset }) => {
        const windowLength = Math.min(length, archive.length - base);
        returnsOrThrowsRamdiskError(() => readEntryAt(archive, base, windowLength, Math.min(offset, Math.max(0, windowLength - 1))));
        returnsOrThrowsRamdiskError(() => readEntries(archive, base, windowLength));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('cpio archives written by writeCpio', () => {
  it('read back to exactly the names and data bytes written', () => {
    fc.assert(
      fc.property(cpioFiles, (files) => {
        const archive = writeCpio(files);
        expect(archive.length % 4).toBe(0);
        const entries = readEntries(archive);
        expect(entries.map((entry) => entry.name)).toEqual(files.map((file) => file.name));
        entries.forEach((entry, index) => {
          expect(archive.slice(entry.dataOffset, entry.dataOffset + entry.size)).toEqual(files[index]!.data);
        });
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  /** Archives of `files` with 1 to 8 bytes overwritten, each change a [position, value] pair. */
  const corruptedArchives = (files: fc.Arbitrary<Parameters<typeof writeCpio>[0]>, change: (archive: Uint8Array) => fc.Arbitrary<[number, number]>) =>
    files
      .map(writeCpio)
      .chain((archive) => fc.tuple(fc.constant(archive), fc.array(change(archive), { minLength: 1, maxLength: 8 })))
      .map(([archive, changes]) => {
        const corrupted = archive.slice();
        for (const [position, value] of changes) corrupted[position] = value;
        return corrupted;
      });
  const onlyEntriesOrRamdiskError = (archives: fc.Arbitrary<Uint8Array>) =>
    fc.assert(
      fc.property(archives, (corrupted) => {
        returnsOrThrowsRamdiskError(() => readEntries(corrupted));
      }),
      { seed: SEED, numRuns: 2000 },
    );

  it('with 1 to 8 corrupted bytes still only return entries or throw a RamdiskError', () => {
    onlyEntriesOrRamdiskError(corruptedArchives(cpioFiles, (archive) => fc.tuple(fc.nat({ max: archive.length - 1 }), fc.integer({ min: 0, max: 255 }))));
  });

  it('with 1 to 8 corrupted header digits (still hex) only return entries or throw a RamdiskError', () => {
    const hexDigits = [...'0123456789abcdefABCDEF'].map((digit) => digit.charCodeAt(0));
    // Changes land in the first header, where a size or name size read wrong shifts everything after it.
    const firstHeaderDigit = () => fc.tuple(fc.integer({ min: 6, max: 109 }), fc.constantFrom(...hexDigits));
    onlyEntriesOrRamdiskError(corruptedArchives(fc.array(cpioFile, { minLength: 1, maxLength: 8 }), firstHeaderDigit));
  });
});
