/*
 * Tests the header walk over whole ramdisks (walkArchive in ramdisk/cpio.ts): archives
 * concatenated as Linux accepts them, zero padding, a later entry of a name winning, names as
 * GNU cpio and bsdtar write them, the crc variant and its checksum, formats keel does not read
 * (compressed, odc, old binary), and damage, which stops the walk without losing what came
 * before. Archives written by the real GNU cpio and bsdtar are walked too.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { thrownBy } from '../../test/test-helpers.ts';
import { writeCpio } from '../cpio-writer.ts';
import { checkCrc, latestEntries, MODE_DIRECTORY, RamdiskError, readEntries, walkArchive, type ArchiveTable, type CpioEntry } from '../cpio.ts';
import { bytesOf, concatenate, first, second, TOOL_COMMANDS, toolArchives, unreadFormats, withoutTrailer } from './sample-archives.ts';

/** The last entry of `name` the walk found, or null. */
const entryOf = (table: ArchiveTable, name: string) => table.find(name)?.entry ?? null;
const textOf = (memory: Uint8Array, entry: CpioEntry | null) => new TextDecoder().decode(memory.subarray(entry!.dataOffset, entry!.dataOffset + entry!.size));

describe('walking one archive', () => {
  it('finds every file by name, with every header field read, and counts the headers', () => {
    const archive = writeCpio(first);
    const table = walkArchive(archive);
    expect(table.headers).toBe(4);
    expect(table.damage).toBeNull();
    expect(textOf(archive, entryOf(table, 'etc/modules'))).toBe('hello\n');
    expect(entryOf(table, 'lib')?.mode).toBe(MODE_DIRECTORY);
    expect(entryOf(table, 'lib/modules/hello/1.0.0.js')?.checksum).toBeUndefined();
    expect(entryOf(table, 'nosuch')).toBeNull();
    expect(entryOf(table, 'TRAILER!!!')?.size).toBe(0);
  });

  it('finds files in an archive placed inside a larger memory', () => {
    const archive = writeCpio(first);
    const memory = new Uint8Array(8192 + archive.length + 100).fill(0xee);
    memory.set(archive, 8192);
    const table = walkArchive(memory, 8192, archive.length);
    const entry = entryOf(table, 'etc/modules')!;
    expect(new TextDecoder().decode(memory.subarray(8192 + entry.dataOffset, 8192 + entry.dataOffset + entry.size))).toBe('hello\n');
  });

  it('lets a later entry of a name replace an earlier one in the same archive, and counts the entries of that name', () => {
    const archive = writeCpio([...first, { name: 'etc/modules', data: bytesOf('replaced\n') }]);
    const table = walkArchive(archive);
    expect(textOf(archive, entryOf(table, 'etc/modules'))).toBe('replaced\n');
    expect(table.find('etc/modules')?.entries).toBe(2);
    expect(table.find('lib')?.entries).toBe(1);
    expect(latestEntries(table).entries.map((entry) => entry.name)).toEqual(['lib/modules/hello/1.0.0.js', 'lib', 'etc/modules']);
  });

  it.each([
    ['./etc/modules', 'bsdtar, archiving "."'],
    ['/etc/modules', 'an absolute name'],
    ['etc//modules', 'a doubled slash'],
    ['etc/./modules', 'a "." component'],
    ['lib/../etc/modules', 'a ".." component'],
    ['../../etc/modules', '".." past the root'],
    ['etc/modules/', 'a trailing slash'],
  ])('reads the name %j (%s) as the path etc/modules', (name) => {
    const archive = writeCpio([{ name: '.', data: new Uint8Array(0), mode: MODE_DIRECTORY }, { name, data: bytesOf('found') }]);
    const table = walkArchive(archive);
    expect(textOf(archive, entryOf(table, 'etc/modules'))).toBe('found');
    expect(latestEntries(table).entries.map((entry) => entry.name)).toEqual(['etc/modules']);
  });

  it('knows a name is a directory when entries lie under it, even without an entry of its own', () => {
    const table = walkArchive(writeCpio([{ name: 'etc/modules/x', data: bytesOf('?') }]));
    expect(entryOf(table, 'etc/modules')).toBeNull();
    expect(table.holdsUnder('etc/modules')).toBe(true);
    expect(table.holdsUnder('etc/module')).toBe(false);
  });
});

describe('walking concatenated archives, as Linux unpacks an initramfs', () => {
  it.each([0, 4, 512, 1024 + 4, 65536])('reads both archives across %i bytes of zero padding, the later entry of a name winning', (padding) => {
    const memory = concatenate(writeCpio(first), new Uint8Array(padding), writeCpio(second));
    const table = walkArchive(memory);
    expect(table.damage).toBeNull();
    expect(textOf(memory, entryOf(table, 'etc/modules'))).toBe('kv\n');
    expect(textOf(memory, entryOf(table, 'extra.txt'))).toBe('added later');
    expect(textOf(memory, entryOf(table, 'lib/modules/hello/1.0.0.js'))).toBe('exports.greet = () => 1;');
    expect(table.find('etc/modules')?.entries).toBe(2);
  });

  it('needs no trailer between them', () => {
    const memory = concatenate(withoutTrailer(writeCpio(first)), writeCpio(second));
    const table = walkArchive(memory);
    expect(table.damage).toBeNull();
    expect(textOf(memory, entryOf(table, 'etc/modules'))).toBe('kv\n');
    expect(table.headers).toBe(first.length + second.length + 1);
  });

  it.each([1, 2, 3, 511])('accepts zero padding of any length after the last archive (%i bytes)', (padding) => {
    const memory = concatenate(writeCpio(first), new Uint8Array(padding));
    expect(walkArchive(memory).damage).toBeNull();
    expect(readEntries(memory).map((entry) => entry.name)).toEqual(first.map((file) => file.name));
  });

  it.each([1, 2, 3, 5, 513])('stops at zero padding of %i bytes before a header (not a multiple of 4), keeping what came before', (padding) => {
    const firstArchive = writeCpio(first);
    const memory = concatenate(firstArchive, new Uint8Array(padding), writeCpio(second));
    const table = walkArchive(memory);
    expect(table.damage).toBeInstanceOf(RamdiskError);
    expect(table.damage!.message).toBe(`ramdisk: zero padding of ${padding} bytes, not a multiple of 4, before the header at offset ${firstArchive.length}`);
    expect(textOf(memory, entryOf(table, 'etc/modules'))).toBe('hello\n');
    expect(entryOf(table, 'extra.txt')).toBeNull();
    expect(thrownBy(() => readEntries(memory))).toBeInstanceOf(RamdiskError);
  });
});

describe('damage and formats keel does not read', () => {
  it('stops at a corrupt header, keeping the entries before it and naming the offset', () => {
    const archive = writeCpio([...first, ...second]);
    const at = readEntries(archive)[3]!.offset;
    archive.set(bytesOf('07X701'), at);
    const table = walkArchive(archive);
    expect(table.damage?.message).toBe(`ramdisk: bad magic "07X701" at offset ${at}`);
    expect(table.damage?.offset).toBe(at);
    expect(textOf(archive, entryOf(table, 'etc/modules'))).toBe('hello\n');
    expect(entryOf(table, 'extra.txt')).toBeNull();
  });

  it('walks past a header whose unused fields are corrupt, and reports it when that entry is read', () => {
    const archive = writeCpio(first);
    const at = readEntries(archive)[1]!.offset;
    archive.set(bytesOf('XYZ'), at + 6 + 2 * 8); // the uid field: the walk does not need it
    const table = walkArchive(archive);
    expect(table.damage).toBeNull();
    expect(textOf(archive, entryOf(table, 'etc/modules'))).toBe('hello\n');
    expect(thrownBy(() => table.find('lib/modules/hello/1.0.0.js'))).toMatchObject({ message: `ramdisk: bad hex digits in header at offset ${at}` });
    const { entries, unreadable } = latestEntries(table);
    expect(entries.map((entry) => entry.name)).toEqual(['etc/modules', 'lib']);
    expect(unreadable.map((error) => error.message)).toEqual([`ramdisk: bad hex digits in header at offset ${at}`]);
  });

  it.each([
    ['gzip', gzipSync(writeCpio(first))],
    ['xz', Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])],
    ['zstd', Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0])],
    ['bzip2', bytesOf('BZh91AY&SY')],
    ['lz4', Uint8Array.from([0x02, 0x21, 0x4c, 0x18, 0, 0])],
  ])('names %s data, which only the firmware inflates (gzip), in one line, not "bad magic"', (kind, bytes) => {
    const memory = concatenate(new Uint8Array(bytes), new Uint8Array(200));
    expect(walkArchive(memory).damage?.message).toBe(`ramdisk: ${kind} data (keel inflates gzip only) at offset 0`);
  });

  it('says so for a compressed archive appended to a cpio archive too', () => {
    const plain = writeCpio(first);
    const table = walkArchive(concatenate(plain, gzipSync(writeCpio(second)), new Uint8Array(200)));
    expect(table.damage?.message).toBe(`ramdisk: gzip data (keel inflates gzip only) at offset ${plain.length}`);
    expect(entryOf(table, 'etc/modules')).not.toBeNull();
  });

  it('names the odc and old binary cpio formats (written by GNU cpio) and says how to repack', () => {
    for (const { what, archive } of unreadFormats()) {
      expect(walkArchive(archive).damage?.message).toBe(`ramdisk: ${what}, not newc or crc (repack with cpio -H newc) at offset 0`);
    }
  });
});

describe('the crc variant (magic 070702)', () => {
  it('reads its entries with their checksum, and a matching sum passes', () => {
    const archive = writeCpio(first, 'crc');
    const table = walkArchive(archive);
    const entry = entryOf(table, 'etc/modules')!;
    expect(entry.checksum).toBe([...bytesOf('hello\n')].reduce((sum, byte) => sum + byte, 0));
    expect(() => checkCrc(archive, 0, entry)).not.toThrow();
  });

  it('names the file and both sums when one byte of the data changed', () => {
    const archive = writeCpio(first, 'crc');
    const entry = walkArchive(archive).find('lib/modules/hello/1.0.0.js')!.entry;
    archive[entry.dataOffset + 3]! ^= 0x01;
    const error = thrownBy(() => checkCrc(archive, 0, entry));
    expect(error).toBeInstanceOf(RamdiskError);
    expect((error as Error).message).toMatch(
      new RegExp(`^ramdisk: crc of lib/modules/hello/1\\.0\\.0\\.js does not match its data \\(header 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\\) at offset ${entry.offset}$`),
    );
  });

  it('mixes with newc archives in one ramdisk', () => {
    const memory = concatenate(writeCpio(first, 'crc'), writeCpio(second));
    const table = walkArchive(memory);
    expect(entryOf(table, 'etc/modules')?.checksum).toBeUndefined();
    expect(entryOf(table, 'lib/modules/hello/1.0.0.js')?.checksum).toBeGreaterThan(0);
  });
});

describe('archives written by GNU cpio and bsdtar', () => {
  const files = { 'etc/modules': 'hello\n', 'lib/modules/index.jsonl': '{}\n', 'lib/modules/hello/1.0.0.js': 'exports.x = 1;', 'lib/ü/日本語.txt': 'テキスト' };
  const tools = toolArchives(files);
  afterAll(tools.remove);

  it.each(TOOL_COMMANDS)('%s: every file is found, with its bytes', (_case, command) => {
    const archive = tools.archive(command);
    const table = walkArchive(archive);
    expect(table.damage).toBeNull();
    for (const [name, text] of Object.entries(files)) {
      const entry = entryOf(table, name);
      expect(entry, name).not.toBeNull();
      expect(textOf(archive, entry)).toBe(text);
      expect(() => checkCrc(archive, 0, entry!)).not.toThrow();
    }
  });
});
