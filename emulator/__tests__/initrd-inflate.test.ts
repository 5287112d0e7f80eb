/*
 * The firmware's reading of a compressed initrd (emulator/initrd-inflate.ts): gzip data
 * inflated in place of itself, in any order with cpio archives and zero padding, each archive
 * laid at a multiple of 4 bytes; an initrd without gzip data left as it is; and every damaged
 * or oversized gzip member, and what follows gzip data that the firmware cannot read, one
 * InitrdError line naming it and its offset in the file.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readEntries } from '../../ramdisk/cpio.ts';
import { writeCpio } from '../../ramdisk/cpio-writer.ts';
import { thrownBy } from '../../test/test-helpers.ts';
import { inflateInitrd, InitrdError } from '../initrd-inflate.ts';

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text));
const concatenate = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const gzip = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes));
const LIMIT = 1 << 20;
const align = (value: number) => (value + 3) & ~3;

/** `bytes` gzip-compressed, with an extra header field that makes the member `remainder` bytes past a multiple of 4. */
function gzipOfLength(bytes: Uint8Array, remainder: number): Uint8Array {
  const plain = gzip(bytes);
  const extra = (remainder - plain.length - 2) & 3;
  const member = concatenate(Uint8Array.of(0x1f, 0x8b, 8, plain[3]! | 4), plain.subarray(4, 10), Uint8Array.of(extra, 0), new Uint8Array(extra).fill(7), plain.subarray(10));
  expect(member.length % 4).toBe(remainder);
  return member;
}

const first = writeCpio([
  { name: 'etc/modules', data: bytesOf('hello\n') },
  { name: 'lib/modules/hello/1.0.0.js', data: bytesOf('exports.greet = () => 1;') },
]);
const second = writeCpio([{ name: 'etc/modules', data: bytesOf('kv\n') }]);
/** The names of the entries the kernel would walk, in order, and the text of the last etc/modules. */
function seen(memory: Uint8Array): { names: string[]; etcModules: string } {
  const entries = readEntries(memory);
  const last = entries.filter((entry) => entry.name === 'etc/modules').at(-1)!;
  return { names: entries.map((entry) => entry.name), etcModules: Buffer.from(memory.subarray(last.dataOffset, last.dataOffset + last.size)).toString() };
}
const errorOf = (initrd: Uint8Array, limit = LIMIT) => {
  const error = thrownBy(() => inflateInitrd(initrd, limit));
  expect(error).toBeInstanceOf(InitrdError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
};

describe('an initrd without gzip data', () => {
  it.each([
    ['one archive', first],
    ['two, with zero padding', concatenate(first, new Uint8Array(512), second)],
    ['an archive, then xz data', concatenate(first, Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))],
    ['garbage', bytesOf('not an archive at all')],
    ['nothing', new Uint8Array(0)],
  ])('%s: placed as it is, for the kernel to read or refuse', (_case, initrd) => {
    expect(inflateInitrd(initrd, LIMIT)).toBe(initrd);
  });
});

describe('gzip data, inflated in place of itself', () => {
  it('a gzip-compressed archive gives the archive back, byte for byte', () => {
    expect(inflateInitrd(gzip(first), LIMIT)).toEqual(first);
  });

  it('gzip members one after another are one stream: an archive may run across them', () => {
    const cut = 200;
    expect(inflateInitrd(concatenate(gzip(first.subarray(0, cut)), gzip(first.subarray(cut))), LIMIT)).toEqual(first);
  });

  it('a gzip header with a file name, a comment, extra field and header CRC (as gzip -N and others write)', () => {
    const plain = gzip(first);
    const header = Uint8Array.from([0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3]);
    const withFields = concatenate(header, bytesOf('initrd.cpio\0'), bytesOf('a comment\0'), new Uint8Array([0xaa, 0xbb]), plain.subarray(10));
    expect(inflateInitrd(withFields, LIMIT)).toEqual(first);
  });

  it.each([
    ['plain, then gzip', () => concatenate(first, gzip(second))],
    ['plain, zero padding, then gzip', () => concatenate(first, new Uint8Array(512), gzip(second))],
    ['gzip, then plain', () => concatenate(gzip(first), second)],
    ['gzip of a length 1 past a multiple of 4, then 3 bytes of zero padding, then plain', () => concatenate(gzipOfLength(first, 1), new Uint8Array(3), second)],
    ['gzip of a length 1 past a multiple of 4, then plain right after it', () => concatenate(gzipOfLength(first, 1), second)],
    ['gzip, then gzip', () => concatenate(gzip(first), new Uint8Array(4), gzip(second))],
  ])('%s: both archives, in order, the later etc/modules counting', (_case, make) => {
    const memory = inflateInitrd(make(), LIMIT);
    expect(seen(memory)).toEqual({ names: ['etc/modules', 'lib/modules/hello/1.0.0.js', 'etc/modules'], etcModules: 'kv\n' });
  });

  it('reads the header fields in upper case hex, as GNU cpio writes them, and the crc format', () => {
    const long = writeCpio([{ name: 'lib/modules/big.js', data: new Uint8Array(0xabcd).fill(0x41) }, { name: 'etc/modules', data: bytesOf('hello\n') }]);
    const upper = Buffer.from(Buffer.from(long).toString('latin1').replace(/070701([0-9a-f]{104})/g, (_, fields: string) => `070701${fields.toUpperCase()}`), 'latin1');
    expect(Buffer.from(upper).toString('latin1')).toContain('0000ABCD');
    const crc = writeCpio([{ name: 'etc/modules', data: bytesOf('kv\n') }], 'crc');
    const memory = inflateInitrd(concatenate(upper, gzip(first), crc), LIMIT);
    expect(seen(memory)).toEqual({ names: ['lib/modules/big.js', 'etc/modules', 'etc/modules', 'lib/modules/hello/1.0.0.js', 'etc/modules'], etcModules: 'kv\n' });
  });

  it('lays every archive at a multiple of 4 bytes, whatever the compressed lengths', () => {
    for (const remainder of [1, 2, 3]) {
      const memory = inflateInitrd(concatenate(gzipOfLength(first, remainder), second, gzipOfLength(second, remainder)), LIMIT);
      expect(readEntries(memory).map((entry) => entry.offset % 4)).toEqual([0, 0, 0, 0]);
    }
  });
});

describe('what the firmware refuses, in one line', () => {
  const compressed = gzip(first);

  it('gzip data cut short: in its deflate stream, in its trailer, in its header', () => {
    for (const length of [compressed.length - 100, compressed.length - 3, 6]) expect(errorOf(compressed.subarray(0, length))).toBe('ramdisk: gzip data at offset 0: cut short, the file ends inside it');
    expect(errorOf(concatenate(first, compressed.subarray(0, 40)))).toBe(`ramdisk: gzip data at offset ${first.length}: cut short, the file ends inside it`);
  });

  it('a wrong CRC names both sums', () => {
    const damaged = new Uint8Array(compressed);
    damaged[damaged.length - 8]! ^= 0x01;
    expect(errorOf(damaged)).toMatch(/^ramdisk: gzip data at offset 0: its CRC does not match the data inflated \(trailer 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\)$/);
  });

  it('a wrong length in the trailer', () => {
    const damaged = new Uint8Array(compressed);
    damaged[damaged.length - 1]! ^= 0x01;
    expect(errorOf(damaged)).toBe(`ramdisk: gzip data at offset 0: its length does not match the data inflated (trailer ${first.length + 2 ** 24} bytes, data ${first.length})`);
  });

  it('a corrupt deflate stream, and a method that is not deflate', () => {
    const corrupt = new Uint8Array(compressed);
    corrupt[10] = 0xff;
    expect(errorOf(corrupt)).toMatch(/^ramdisk: gzip data at offset 0: corrupt \(.+\)$/);
    const method = new Uint8Array(compressed);
    method[2] = 7;
    expect(errorOf(method)).toBe('ramdisk: gzip data at offset 0: compression method 7, not deflate');
  });

  it.each([
    ['garbage', bytesOf('garbage!'), '"garbag"'],
    ['xz data', Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]), 'xz'],
    ['zstd data', Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]), 'zstd'],
    ['bzip2 data', bytesOf('BZh91AY&SY'), 'bzip2'],
    ['lz4 data', Uint8Array.from([0x02, 0x21, 0x4c, 0x18, 0, 0]), 'lz4'],
  ])('%s after gzip data (after zero padding too) names what and where', (_case, bytes, what) => {
    for (const padding of [0, 8]) {
      const at = compressed.length + padding;
      const expected = what.startsWith('"')
        ? `ramdisk: bytes that are no cpio archive, gzip data or zero padding (${what.slice(0, -1)}") at offset ${at}, after gzip data`
        : `ramdisk: ${what} data (keel inflates gzip only) at offset ${at}, after gzip data`;
      expect(errorOf(concatenate(compressed, new Uint8Array(padding), bytes))).toBe(expected);
    }
  });

  it('a damaged cpio archive after gzip data', () => {
    expect(errorOf(concatenate(compressed, first.subarray(0, 150)))).toBe(`ramdisk: the cpio archive at offset ${compressed.length}, after gzip data, is damaged or has no trailer`);
  });

  it('a header whose name is megabytes long is framed, not read as text', () => {
    const name = 'n'.repeat(4 * 1024 * 1024);
    expect(inflateInitrd(concatenate(gzip(first), writeCpio([{ name, data: bytesOf('x') }])), 16 * 1024 * 1024)).toHaveLength(first.length + align(110 + name.length + 1) + 4 + 124);
  });

  it('a gzip bomb: a small file that inflates past the memory of the machine, without inflating it all', () => {
    const bomb = gzip(new Uint8Array(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(errorOf(bomb, 4 * 1024 * 1024)).toBe("not enough memory: the ramdisk inflates past the machine's 4096 KiB, at the gzip data at offset 0");
    expect(errorOf(concatenate(gzip(first), bomb), 4 * 1024 * 1024)).toBe(`not enough memory: the ramdisk inflates past the machine's 4096 KiB, at the gzip data at offset ${gzip(first).length}`);
    const justOver = gzip(new Uint8Array(4 * 1024 * 1024 - first.length + 1));
    expect(errorOf(concatenate(first, justOver), 4 * 1024 * 1024)).toBe(`not enough memory: the ramdisk inflates past the machine's 4096 KiB, at the gzip data at offset ${first.length}`);
    expect(inflateInitrd(concatenate(first, gzip(new Uint8Array(4 * 1024 * 1024 - first.length))), 4 * 1024 * 1024)).toHaveLength(4 * 1024 * 1024);
  });
});
