/*
 * Tests the cpio writer (ramdisk/cpio-writer.ts) and the entry reader (ramdisk/cpio.ts): round
 * trips, archives as GNU cpio and Linux lay them out, interop with the real GNU cpio binary,
 * and that every malformed entry fails with a RamdiskError. The walk over whole ramdisks —
 * concatenated, repacked, damaged — is tested in cpio-walk.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomSource, thrownBy } from '../../test/test-helpers.ts';
import { requireTool } from '../../test/tools.ts';
import { writeCpio, type CpioFile } from '../cpio-writer.ts';
import { CPIO_TRAILER, MODE_DIRECTORY, MODE_FILE, RamdiskError, readEntries, readHeader, type CpioEntry } from '../cpio.ts';
import { decodeUtf8 } from '../utf8.ts';

const HEADER_SIZE = 110;
/** Header field positions: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check. */
const FILESIZE_FIELD = 6;
const NAMESIZE_FIELD = 11;

/** Fixtures are encoded with TextEncoder, so they do not depend on the codec under test. */
const bytesOf = (text: string) => new TextEncoder().encode(text);
const dataOf = (archive: Uint8Array, entry: CpioEntry, base = 0) => archive.slice(base + entry.dataOffset, base + entry.dataOffset + entry.size);
const align4 = (value: number) => (value + 3) & ~3;

const concatenate = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** One newc entry laid out the way GNU cpio writes it: upper-case hex, nlink 2 for directories. */
function gnuEntry(inode: number, name: string, data: Uint8Array, mode: number): Uint8Array {
  const nameBytes = bytesOf(name);
  const values = [inode, mode, 1000, 1000, mode === MODE_DIRECTORY ? 2 : 1, 0x65a0b1c2, data.length, 8, 1, 0, 0, nameBytes.length + 1, 0];
  const header = bytesOf('070701' + values.map((value) => value.toString(16).toUpperCase().padStart(8, '0')).join(''));
  const dataStart = align4(HEADER_SIZE + nameBytes.length + 1);
  const entry = new Uint8Array(dataStart + align4(data.length));
  entry.set(header, 0);
  entry.set(nameBytes, HEADER_SIZE);
  entry.set(data, dataStart);
  return entry;
}

/** A whole archive as GNU cpio writes it: a "." entry first, the trailer, zeros up to a 512-byte block. */
function gnuArchive(files: readonly CpioFile[]): Uint8Array {
  const entries = [gnuEntry(1, '.', new Uint8Array(0), MODE_DIRECTORY)];
  files.forEach((file, index) => entries.push(gnuEntry(index + 2, file.name, file.data, file.mode ?? MODE_FILE)));
  entries.push(gnuEntry(0, CPIO_TRAILER, new Uint8Array(0), 0));
  const archive = concatenate(...entries);
  return concatenate(archive, new Uint8Array((512 - (archive.length % 512)) % 512));
}

/** Overwrites one 8-digit header field of the entry at `entryOffset`. */
function setField(archive: Uint8Array, entryOffset: number, field: number, digits: string): void {
  archive.set(bytesOf(digits), entryOffset + 6 + field * 8);
}

const sampleFiles: CpioFile[] = [
  { name: 'lib/ü/日本語.txt', data: bytesOf('こんにちは') },
  { name: 'emoji-😀.bin', data: Uint8Array.from([0, 1, 2, 253, 254, 255, 7]) },
  { name: 'empty', data: new Uint8Array(0) },
  { name: 'one', data: Uint8Array.from([42]) },
  { name: 'five', data: bytesOf('abcde'), mode: 0o100755, mtime: 1_700_000_000 },
  { name: 'lib', data: new Uint8Array(0), mode: MODE_DIRECTORY },
];

describe('writeCpio and readEntries', () => {
  it('round-trips names (non-ASCII included), data, mode and mtime', () => {
    const archive = writeCpio(sampleFiles);
    const entries = readEntries(archive);
    expect(entries.map((entry) => entry.name)).toEqual(sampleFiles.map((file) => file.name));
    entries.forEach((entry, index) => {
      const file = sampleFiles[index]!;
      expect(dataOf(archive, entry)).toEqual(file.data);
      expect(entry.size).toBe(file.data.length);
      expect(entry.mode).toBe(file.mode ?? MODE_FILE);
      expect(entry.mtime).toBe(file.mtime ?? 0);
    });
  });

  it('aligns every header and every data start to 4 bytes and ends in the trailer', () => {
    const archive = writeCpio(sampleFiles);
    expect(archive.length % 4).toBe(0);
    const entries = readEntries(archive);
    for (const entry of entries) {
      expect(entry.offset % 4).toBe(0);
      expect(entry.dataOffset % 4).toBe(0);
      expect(entry.next).toBe(align4(entry.dataOffset + entry.size));
    }
    const trailer = readHeader(archive, 0, archive.length, entries.at(-1)!.next);
    expect(trailer.name).toBe(CPIO_TRAILER);
    expect(trailer.next).toBe(archive.length);
  });

  it('writes lower-case 8-digit hex fields and numbers inodes from 1', () => {
    const archive = writeCpio([{ name: 'a', data: new Uint8Array(0x1abc) }]);
    const header = decodeUtf8(archive, 0, HEADER_SIZE);
    expect(header).toMatch(/^070701[0-9a-f]{104}$/);
    expect(header.slice(6, 14)).toBe('00000001');
    expect(header.slice(6 + FILESIZE_FIELD * 8, 14 + FILESIZE_FIELD * 8)).toBe('00001abc');
    expect(header.slice(6 + NAMESIZE_FIELD * 8, 14 + NAMESIZE_FIELD * 8)).toBe('00000002');
  });

  it('gives an empty archive just the trailer', () => {
    const archive = writeCpio([]);
    expect(readEntries(archive)).toEqual([]);
    expect(readHeader(archive, 0, archive.length, 0).name).toBe(CPIO_TRAILER);
  });

  it('reads one entry at a known offset of an archive placed inside a larger memory', () => {
    const archive = writeCpio(sampleFiles);
    const offsets = readEntries(archive).map((entry) => entry.offset);
    const base = 4096 + 2;
    const memory = new Uint8Array(base + archive.length + 100).fill(0xee);
    memory.set(archive, base);
    const entry = readHeader(memory, base, archive.length, offsets[4]!);
    expect(entry.name).toBe('five');
    expect(dataOf(memory, entry, base)).toEqual(bytesOf('abcde'));
    expect(readEntries(memory, base, archive.length).map((each) => each.name)).toEqual(sampleFiles.map((file) => file.name));
  });
});

describe('archives as GNU cpio and Linux lay them out', () => {
  const gnuFiles: CpioFile[] = [
    { name: 'etc/motd', data: bytesOf('upper-case size 0x1A here!') },
    { name: 'etc', data: new Uint8Array(0), mode: MODE_DIRECTORY },
    { name: 'bin/ünïcode', data: Uint8Array.from({ length: 0xbd }, (_, index) => index) },
  ];

  it('reads upper-case hex digits, leaves out the "." entry and the 512-byte zero padding', () => {
    const archive = gnuArchive(gnuFiles);
    expect(archive.length % 512).toBe(0);
    expect(decodeUtf8(archive, 0, HEADER_SIZE)).toContain('41ED');
    const entries = readEntries(archive);
    expect(entries.map((entry) => entry.name)).toEqual(gnuFiles.map((file) => file.name));
    expect(entries.map((entry) => entry.size)).toEqual([0x1a, 0, 0xbd]);
    expect(entries[1]!.mode).toBe(MODE_DIRECTORY);
    expect(entries[0]!.mtime).toBe(0x65a0b1c2);
    entries.forEach((entry, index) => expect(dataOf(archive, entry)).toEqual(gnuFiles[index]!.data));
  });

  it('lists the files of two archives concatenated with zero padding between them', () => {
    const first = writeCpio(sampleFiles);
    const second = gnuArchive(gnuFiles);
    const memory = concatenate(first, new Uint8Array(1024), second, new Uint8Array(64));
    const entries = readEntries(memory);
    expect(entries.map((entry) => entry.name)).toEqual([...sampleFiles, ...gnuFiles].map((file) => file.name));
    entries.forEach((entry, index) => expect(dataOf(memory, entry)).toEqual([...sampleFiles, ...gnuFiles][index]!.data));
  });

  it('reads nothing from zero padding alone', () => {
    expect(readEntries(new Uint8Array(512))).toEqual([]);
  });
});

describe('interop with GNU cpio', () => {
  let directory = '';
  beforeEach(() => {
    requireTool('cpio');
    directory = mkdtempSync(join(tmpdir(), 'keel-cpio-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('GNU cpio (-itv) lists an archive written by writeCpio', () => {
    const result = spawnSync('cpio', ['-itvn'], { input: writeCpio(sampleFiles), encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(sampleFiles.length);
    sampleFiles.forEach((file, index) => expect(lines[index]!.endsWith(` ${file.name}`)).toBe(true));
    expect(lines[5]).toMatch(/^drwxr-xr-x/);
    expect(lines[4]).toMatch(/^-rwxr-xr-x +1 +0 +0 +5 /);
  });

  it('GNU cpio extracts the same bytes that writeCpio stored', () => {
    const result = spawnSync('cpio', ['-idu', '--quiet'], { cwd: directory, input: writeCpio(sampleFiles) });
    expect(result.status).toBe(0);
    for (const file of sampleFiles.filter((each) => each.mode !== MODE_DIRECTORY)) {
      expect(new Uint8Array(readFileSync(join(directory, file.name)))).toEqual(file.data);
    }
  });

  it('readEntries reads an archive written by GNU cpio -o -H newc', () => {
    const files: CpioFile[] = [
      { name: 'hello.txt', data: bytesOf('hello, world\n') },
      { name: 'lib/ü/日本語.txt', data: bytesOf('日本語のテキスト') },
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'binary', data: Uint8Array.from({ length: 1001 }, (_, index) => (index * 37) & 0xff) },
    ];
    for (const file of files) {
      mkdirSync(join(directory, dirname(file.name)), { recursive: true });
      writeFileSync(join(directory, file.name), file.data);
    }
    const list = ['.', ...files.map((file) => file.name)].join('\n') + '\n';
    const result = spawnSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: directory, input: list });
    expect(result.status).toBe(0);
    const archive = new Uint8Array(result.stdout);
    expect(archive.length % 512).toBe(0);
    const entries = readEntries(archive);
    expect(entries.map((entry) => entry.name)).toEqual(files.map((file) => file.name));
    entries.forEach((entry, index) => {
      expect(dataOf(archive, entry)).toEqual(files[index]!.data);
      expect(entry.mode & 0o170000).toBe(0o100000);
    });
  });
});

describe('malformed archives', () => {
  /** Two files; the faults are put into the second entry so that its offset is not 0. */
  const build = () => writeCpio([{ name: 'first', data: bytesOf('12345') }, { name: 'second.txt', data: bytesOf('abc') }]);
  const secondOffset = () => readEntries(build())[1]!.offset;

  function expectRamdiskError(archive: Uint8Array, message: RegExp, offset: number): void {
    const error = thrownBy(() => readEntries(archive));
    expect(error).toBeInstanceOf(RamdiskError);
    expect((error as RamdiskError).offset).toBe(offset);
    expect((error as RamdiskError).message).toMatch(message);
    expect((error as RamdiskError).message).toContain(`at offset ${offset}`);
  }

  it('reports bad magic', () => {
    const archive = build();
    archive.set(bytesOf('070703'), secondOffset());
    expectRamdiskError(archive, /bad magic "070703"/, secondOffset());
  });

  it('reports a truncated header', () => {
    const archive = build().subarray(0, secondOffset() + 60);
    expectRamdiskError(archive, /truncated header/, secondOffset());
  });

  it('reports bad hex digits', () => {
    const archive = build();
    setField(archive, secondOffset(), FILESIZE_FIELD, '0000000G');
    expectRamdiskError(archive, /bad hex digits/, secondOffset());
  });

  it('reports bad hex digits when a header holds non-ASCII bytes', () => {
    const archive = build();
    archive.set(bytesOf('é'), secondOffset() + 20);
    expectRamdiskError(archive, /bad hex digits/, secondOffset());
  });

  it('reports data that runs past the end of the archive', () => {
    const archive = build();
    setField(archive, secondOffset(), FILESIZE_FIELD, '00100000');
    expectRamdiskError(archive, /data of "second\.txt" \(1048576 bytes\) runs past the end/, secondOffset());
  });

  it('reports a name without its NUL', () => {
    const archive = build();
    archive[secondOffset() + HEADER_SIZE + 'second.txt'.length] = 0x21;
    expectRamdiskError(archive, /name without its NUL/, secondOffset());
  });

  it('reports a name size that runs past the end of the archive', () => {
    const archive = build();
    setField(archive, secondOffset(), NAMESIZE_FIELD, '0000FFFF');
    expectRamdiskError(archive, /name runs past the end/, secondOffset());
  });

  it('reports a name size of zero, which leaves no room for the NUL', () => {
    const archive = build();
    setField(archive, secondOffset(), NAMESIZE_FIELD, '00000000');
    expectRamdiskError(archive, /name/, secondOffset());
  });

  it('throws nothing but RamdiskError for random damage', () => {
    const original = writeCpio(sampleFiles);
    const random = randomSource(12345);
    const digits = bytesOf('0123456789abcdefABCDEFG\0é');
    let failures = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const archive = original.slice(0, original.length - random(40));
      for (let change = 0; change <= random(3); change++) {
        archive[random(archive.length)] = random(2) ? digits[random(digits.length)]! : random(256);
      }
      try {
        readEntries(archive);
      } catch (error) {
        expect(error).toBeInstanceOf(RamdiskError);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(100);
  });
});
