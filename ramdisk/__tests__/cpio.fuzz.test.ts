/*
 * Property-based tests (fast-check) of the cpio reader, walk and writer (ramdisk/cpio.ts,
 * ramdisk/cpio-writer.ts): any bytes at all are either read or rejected with a RamdiskError,
 * never another error; archives from writeCpio read back to the same names and data — also
 * reordered, concatenated with zero padding, with or without trailers between them, newc and
 * crc mixed, where the last entry of each name wins — and corrupted ones still fail cleanly.
 * The bootstrap's reader (ramdisk/cpio-find.ts) is checked against the walk on the same ramdisks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeCpio, type CpioFile } from '../cpio-writer.ts';
import { lastEntry, walk } from '../cpio-find.ts';
import { checkCrc, CPIO_TRAILER, latestEntries, RamdiskError, readEntries, readHeader, walkArchive } from '../cpio.ts';

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

/**
 * A file name cpio can hold and readEntries gives back as it is: non-empty, no NUL, not the
 * trailer, and already a plain path (no empty, "." or ".." part: those are resolved on reading).
 */
const fileName = fc
  .oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }))
  .filter((name) => !name.includes('\0') && name !== CPIO_TRAILER && !/\p{Cs}/u.test(name) && name.split('/').every((part) => part !== '' && part !== '.' && part !== '..'));

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

  it('readHeader returns an entry or throws a RamdiskError at any offset inside the buffer', () => {
    const bytesAndOffset = fc
      .uint8Array({ minLength: 1, maxLength: 2000 })
      .chain((bytes) => fc.tuple(fc.constant(bytes), fc.nat({ max: bytes.length - 1 })));
    fc.assert(
      fc.property(bytesAndOffset, ([bytes, offset]) => {
        returnsOrThrowsRamdiskError(() => readHeader(bytes, 0, bytes.length, offset));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('walkArchive never throws: damage anywhere ends the walk as a RamdiskError it keeps', () => {
    fc.assert(
      fc.property(headerLikeBytes, fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), (bytes, names) => {
        const table = walkArchive(bytes);
        expect(table.damage === null || table.damage instanceof RamdiskError).toBe(true);
        returnsOrThrowsRamdiskError(() => latestEntries(table));
        for (const name of names) returnsOrThrowsRamdiskError(() => table.find(name));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('readHeader and walkArchive stay clean at any offset of a real archive, and any base and length inside it', () => {
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
        returnsOrThrowsRamdiskError(() => readHeader(archive, base, windowLength, Math.min(offset, Math.max(0, windowLength - 1))));
        returnsOrThrowsRamdiskError(() => readEntries(archive, base, windowLength));
        returnsOrThrowsRamdiskError(() => latestEntries(walkArchive(archive, base, windowLength)));
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

/** One archive of a ramdisk: its files (in any order), its format, whether its trailer is kept, and the zero padding after it. */
interface ArchivePart {
  files: CpioFile[];
  format: 'newc' | 'crc';
  trailer: boolean;
  padding: number;
}

/** The trailer entry writeCpio ends an archive with: a 110-byte header and "TRAILER!!!\0", padded to 124 bytes. */
const TRAILER_BYTES = 124;

const archivePart: fc.Arbitrary<ArchivePart> = fc.record({
  files: fc.array(fc.record({ name: fc.constantFrom('etc/modules', 'lib/a.js', 'lib/b.js', 'x'), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 6 }),
  format: fc.constantFrom<'newc' | 'crc'>('newc', 'crc'),
  trailer: fc.boolean(),
  padding: fc.nat({ max: 600 }).map((length) => length * 4),
});

/** The parts laid out one after another; the last one's padding may be any length. */
function ramdiskOf(parts: ArchivePart[], tail: number): Uint8Array {
  const pieces = parts.flatMap((part) => {
    const archive = writeCpio(part.files, part.format);
    return [part.trailer ? archive : archive.subarray(0, archive.length - TRAILER_BYTES), new Uint8Array(part.padding)];
  });
  return new Uint8Array(Buffer.concat([...pieces, new Uint8Array(tail)]));
}

describe('ramdisks of several archives: reordered, concatenated, padded, trailers optional', () => {
  const ramdisks = fc.tuple(fc.array(archivePart, { minLength: 1, maxLength: 4 }), fc.nat({ max: 40 }));
  /** Such ramdisks with 1 to 8 bytes changed. */
  const corrupted = ramdisks.chain(([parts, tail]) => {
    const memory = ramdiskOf(parts, tail);
    return fc.array(fc.tuple(fc.nat({ max: Math.max(0, memory.length - 1) }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((changes) => {
      const copy = memory.slice();
      for (const [position, value] of changes) if (position < copy.length) copy[position] = value;
      return copy;
    });
  });

  it('the walk finds, for every name, the data of its last entry, and lists each name once', () => {
    fc.assert(
      fc.property(ramdisks, ([parts, tail]) => {
        const memory = ramdiskOf(parts, tail);
        const table = walkArchive(memory);
        expect(table.damage).toBeNull();
        const last = new Map(parts.flatMap((part) => part.files).map((file) => [file.name, file.data]));
        for (const [name, data] of last) {
          const entry = table.find(name)!.entry;
          expect(memory.slice(entry.dataOffset, entry.dataOffset + entry.size)).toEqual(data);
          expect(() => checkCrc(memory, 0, entry)).not.toThrow();
        }
        const { entries } = latestEntries(table);
        expect(entries.map((entry) => entry.name).sort()).toEqual([...last.keys()].sort());
        expect(table.find('nosuch')).toBeNull();
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('with 1 to 8 corrupted bytes, walking and finding only return entries or report a RamdiskError', () => {
    fc.assert(
      fc.property(corrupted, (memory) => {
        const table = walkArchive(memory);
        for (const name of ['etc/modules', 'lib/a.js', 'lib/b.js', 'x']) {
          returnsOrThrowsRamdiskError(() => {
            const found = table.find(name);
            if (found) checkCrc(memory, 0, found.entry);
          });
        }
        returnsOrThrowsRamdiskError(() => latestEntries(table));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  /** The bootstrap's walk on `memory` agrees with the kernel's: the same headers, the same place to stop, and the same last entry of each name. */
  function agreeWithTheWalk(memory: Uint8Array): void {
    const table = walkArchive(memory);
    const found = walk(memory, 0, memory.length);
    expect(found.offsets).toEqual(table.offsets);
    expect(found.damage === null).toBe(table.damage === null);
    if (table.damage) {
      expect(found.damage!.message.endsWith(` at offset ${table.damage.offset}`)).toBe(true);
      // Undecodable bytes are each U+FFFD to the bootstrap, a run of them may be one to the kernel's decoder.
      const shown = (message: string) => message.replace(/\ufffd+/g, '\ufffd');
      if (/bad magic|gzip only|truncated|cpio/.test(table.damage.message)) expect(shown(found.damage!.message)).toBe(shown(table.damage.message));
    }
    for (const name of ['etc/modules', 'lib/a.js', 'lib/b.js', 'x']) {
      let expected: number | undefined;
      try {
        expected = table.find(name)?.entry.offset;
      } catch (error) {
        // A header the walk passed whose other fields are not hex: the kernel refuses to read it; the bootstrap reads no such field.
        if (!(error instanceof RamdiskError)) throw error;
        continue;
      }
      expect(lastEntry(memory, 0, memory.length, found.offsets, name)?.offset).toBe(expected);
    }
  }

  it('the bootstrap\'s reader (cpio-find.ts) finds the same last entry of every name as the walk', () => {
    fc.assert(fc.property(ramdisks, ([parts, tail]) => agreeWithTheWalk(ramdiskOf(parts, tail))), { seed: SEED, numRuns: 500 });
  });

  it('with 1 to 8 corrupted bytes, the bootstrap\'s reader stops where the walk stops, and agrees on every entry before', () => {
    fc.assert(fc.property(corrupted, agreeWithTheWalk), { seed: SEED, numRuns: 1000 });
  });
});
