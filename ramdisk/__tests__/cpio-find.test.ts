/*
 * Tests the bootstrap's cpio reader (ramdisk/cpio-find.ts) on the cases the kernel's walk is
 * tested on (cpio-walk.test.ts): archives concatenated as Linux accepts them, zero padding, a
 * later entry of a name winning, names as GNU cpio and bsdtar write them, the crc variant,
 * formats keel does not read, and damage, which stops the walk without losing what came
 * before. Where the two readers differ by design — fewer words for a bad header, no check of
 * fields the bootstrap does not read, a trailing "/" — the test says so. cpio.fuzz.test.ts
 * checks the two against each other on random ramdisks.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCpio } from '../cpio-writer.ts';
import { entryAt, lastEntry, walk, type FoundEntry } from '../cpio-find.ts';
import { MODE_DIRECTORY, readEntries, walkArchive } from '../cpio.ts';
import { bytesOf, concatenate, first, second, TOOL_COMMANDS, toolArchives, unreadFormats, withoutTrailer } from './sample-archives.ts';

/** The last entry of `name`, after one walk of `memory[base, base + length)`. */
function find(memory: Uint8Array, name: string, base = 0, length = memory.length - base): FoundEntry | undefined {
  return lastEntry(memory, base, length, walk(memory, base, length).offsets, name);
}

const textOf = (memory: Uint8Array, entry: FoundEntry | undefined, base = 0) => new TextDecoder().decode(memory.subarray(base + entry!.dataOffset, base + entry!.dataOffset + entry!.size));

describe('finding a file in one archive', () => {
  it('finds every file by name, where the kernel\'s walk finds it, and nothing for a name the archive lacks', () => {
    const archive = writeCpio(first);
    const { offsets, damage } = walk(archive, 0, archive.length);
    expect(damage).toBeNull();
    expect(offsets).toEqual(readEntries(archive).map((entry) => entry.offset).concat(walkArchive(archive).offsets.at(-1)!));
    for (const { name } of first) expect(find(archive, name)?.offset).toBe(walkArchive(archive).find(name)!.entry.offset);
    expect(textOf(archive, find(archive, 'etc/modules'))).toBe('hello\n');
    expect(find(archive, 'nosuch')).toBeUndefined();
    expect(find(archive, 'modules')).toBeUndefined();
  });

  it('finds files in an archive placed inside a larger memory', () => {
    const archive = writeCpio(first);
    const memory = new Uint8Array(8192 + archive.length + 100).fill(0xee);
    memory.set(archive, 8192);
    expect(textOf(memory, find(memory, 'etc/modules', 8192, archive.length), 8192)).toBe('hello\n');
  });

  it('reads the header at an offset as the kernel does: name, data and the next header', () => {
    const archive = writeCpio(first);
    for (const entry of readEntries(archive)) {
      expect(entryAt(archive, 0, archive.length, entry.offset)).toEqual({ name: entry.name, offset: entry.offset, dataOffset: entry.dataOffset, size: entry.size, next: entry.next });
    }
  });

  it('lets a later entry of a name replace an earlier one in the same archive', () => {
    const archive = writeCpio([...first, { name: 'etc/modules', data: bytesOf('replaced\n') }]);
    expect(textOf(archive, find(archive, 'etc/modules'))).toBe('replaced\n');
  });

  it.each([
    ['./etc/modules', 'bsdtar, archiving "."'],
    ['/etc/modules', 'an absolute name'],
    ['lib/../etc/modules', 'a ".." component'],
    ['../../etc/modules', '".." past the root'],
  ])('reads the name %j (%s) as the path etc/modules', (name) => {
    const archive = writeCpio([{ name: '.', data: new Uint8Array(0), mode: MODE_DIRECTORY }, { name, data: bytesOf('found') }]);
    expect(textOf(archive, find(archive, 'etc/modules'))).toBe('found');
  });

  it.each([
    ['etc//modules', 'a doubled slash'],
    ['etc/./modules', 'a "." component'],
    ['etc/modules/', 'a trailing slash'],
  ])('passes over the name %j (%s), which only the kernel\'s walk reads as etc/modules', (name) => {
    const archive = writeCpio([{ name, data: bytesOf('written by no tool') }]);
    expect(find(archive, 'etc/modules')).toBeUndefined();
    expect(walkArchive(archive).find('etc/modules')).not.toBeNull();
  });
});

describe('finding a file in concatenated archives, as Linux unpacks an initramfs', () => {
  it.each([0, 4, 512, 1024 + 4, 65536])('reads both archives across %i bytes of zero padding, the later entry of a name winning', (padding) => {
    const memory = concatenate(writeCpio(first), new Uint8Array(padding), writeCpio(second));
    expect(walk(memory, 0, memory.length).damage).toBeNull();
    expect(textOf(memory, find(memory, 'etc/modules'))).toBe('kv\n');
    expect(textOf(memory, find(memory, 'extra.txt'))).toBe('added later');
    expect(textOf(memory, find(memory, 'lib/modules/hello/1.0.0.js'))).toBe('exports.greet = () => 1;');
  });

  it('needs no trailer between them', () => {
    const memory = concatenate(withoutTrailer(writeCpio(first)), writeCpio(second));
    expect(walk(memory, 0, memory.length)).toEqual({ offsets: walkArchive(memory).offsets, damage: null });
    expect(textOf(memory, find(memory, 'etc/modules'))).toBe('kv\n');
  });

  it.each([1, 2, 3, 511])('accepts zero padding of any length after the last archive (%i bytes)', (padding) => {
    const memory = concatenate(writeCpio(first), new Uint8Array(padding));
    expect(walk(memory, 0, memory.length).damage).toBeNull();
  });

  it.each([1, 2, 3, 5, 513])('stops at zero padding of %i bytes before a header (not a multiple of 4) where the kernel\'s walk stops, keeping what came before', (padding) => {
    const firstArchive = writeCpio(first);
    const memory = concatenate(firstArchive, new Uint8Array(padding), writeCpio(second));
    const { damage } = walk(memory, 0, memory.length);
    expect(damage?.message).toBe(`ramdisk: bad header at offset ${firstArchive.length}`);
    expect(walkArchive(memory).damage?.offset).toBe(firstArchive.length);
    expect(textOf(memory, find(memory, 'etc/modules'))).toBe('hello\n');
    expect(find(memory, 'extra.txt')).toBeUndefined();
  });
});

describe('damage and formats keel does not read', () => {
  it('stops at a corrupt header, keeping the entries before it, in the kernel\'s words for bytes that are no header', () => {
    const archive = writeCpio([...first, ...second]);
    const at = readEntries(archive)[3]!.offset;
    archive.set(bytesOf('07X701'), at);
    expect(walk(archive, 0, archive.length).damage?.message).toBe(`ramdisk: bad magic "07X701" at offset ${at}`);
    expect(walkArchive(archive).damage?.message).toBe(`ramdisk: bad magic "07X701" at offset ${at}`);
    expect(textOf(archive, find(archive, 'etc/modules'))).toBe('hello\n');
    expect(find(archive, 'extra.txt')).toBeUndefined();
  });

  it('says "truncated header" for an archive cut short inside a header, and "bad header" for a header the kernel names in more words', () => {
    const archive = writeCpio([...first, ...second]);
    const at = readEntries(archive)[3]!.offset;
    expect(walk(archive, 0, at + 60).damage?.message).toBe(`ramdisk: truncated header at offset ${at}`);
    const noNul = archive.slice();
    noNul.fill(0x41, at + 110, at + 110 + 12);
    expect(walk(noNul, 0, noNul.length).damage?.message).toBe(`ramdisk: bad header at offset ${at}`);
    expect(walkArchive(noNul).damage?.message).toBe(`ramdisk: name without its NUL at offset ${at}`);
    const badSize = archive.slice();
    badSize.set(bytesOf('0000000G'), at + 54);
    expect(walk(badSize, 0, badSize.length).damage?.message).toBe(`ramdisk: bad header at offset ${at}`);
  });

  it('walks past a header whose other fields are corrupt, and reads that entry too (the bootstrap reads no such field)', () => {
    const archive = writeCpio(first);
    const at = readEntries(archive)[1]!.offset;
    archive.set(bytesOf('XYZ'), at + 6 + 2 * 8);
    expect(walk(archive, 0, archive.length).damage).toBeNull();
    expect(textOf(archive, find(archive, 'lib/modules/hello/1.0.0.js'))).toBe('exports.greet = () => 1;');
  });

  it.each([
    ['gzip', gzipSync(writeCpio(first))],
    ['xz', Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])],
    ['zstd', Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0])],
    ['bzip2', bytesOf('BZh91AY&SY')],
    ['lz4', Uint8Array.from([0x02, 0x21, 0x4c, 0x18, 0, 0])],
  ])('names %s data, which only the firmware inflates (gzip), in one line, as the kernel does', (kind, bytes) => {
    const memory = concatenate(new Uint8Array(bytes), new Uint8Array(200));
    expect(walk(memory, 0, memory.length).damage?.message).toBe(`ramdisk: ${kind} data (keel inflates gzip only) at offset 0`);
  });

  it('says so for a compressed archive appended to a cpio archive too, and finds what came before', () => {
    const plain = writeCpio(first);
    const memory = concatenate(plain, gzipSync(writeCpio(second)), new Uint8Array(200));
    expect(walk(memory, 0, memory.length).damage?.message).toBe(`ramdisk: gzip data (keel inflates gzip only) at offset ${plain.length}`);
    expect(textOf(memory, find(memory, 'etc/modules'))).toBe('hello\n');
  });

  it('names the odc and old binary cpio formats (written by GNU cpio) and says how to repack', () => {
    for (const { what, archive } of unreadFormats()) {
      expect(walk(archive, 0, archive.length).damage?.message).toBe(`ramdisk: ${what}, not newc or crc (repack with cpio -H newc) at offset 0`);
    }
  });
});

describe('the crc variant (magic 070702)', () => {
  it('finds its entries, alone and mixed with newc archives (the sum is the kernel\'s to check)', () => {
    const memory = concatenate(writeCpio(first, 'crc'), writeCpio(second));
    expect(textOf(memory, find(memory, 'lib/modules/hello/1.0.0.js'))).toBe('exports.greet = () => 1;');
    expect(textOf(memory, find(memory, 'etc/modules'))).toBe('kv\n');
  });
});

describe('archives written by GNU cpio and bsdtar', () => {
  const files = { 'etc/modules': 'hello\n', 'lib/modules/index.jsonl': '{}\n', 'lib/modules/kernel/1.0.0.js': 'exports.start = () => "shell";', 'lib/ü/日本語.txt': 'テキスト' };
  const tools = toolArchives(files);
  afterAll(tools.remove);

  it.each(TOOL_COMMANDS)('%s: the files the bootstrap looks for are found, with their bytes', (_case, command) => {
    const archive = tools.archive(command);
    expect(walk(archive, 0, archive.length).damage).toBeNull();
    for (const name of ['etc/modules', 'lib/modules/index.jsonl', 'lib/modules/kernel/1.0.0.js']) expect(textOf(archive, find(archive, name))).toBe(files[name as keyof typeof files]);
  });
});
