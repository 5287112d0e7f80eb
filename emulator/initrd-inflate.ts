/*
 * The firmware's reading of a compressed initrd, as a bootloader may inflate one while it
 * places it: Linux's initramfs is a sequence of cpio archives, gzip data (holding cpio
 * archives) and zero padding, in any order, and keel's kernel and bootstrap read cpio only. So
 * the firmware walks the initrd segment by segment — a cpio archive header by header to its
 * trailer, gzip data member by member with the host's inflate (host/host.ts) — and hands the kernel the archives one
 * after another, each at a multiple of 4 bytes, as if the user had never compressed them:
 * hashes and signatures are of those bytes, and a later entry of a name replaces an earlier
 * one as it does in concatenated archives.
 *
 *   const mapped = inflateInitrd(initrd, memoryBytes);   // initrd itself when it holds no gzip data
 *
 * An initrd without gzip data is mapped as it is (the kernel says what is wrong with it, as
 * before). Once gzip data is found, what the firmware cannot read — damaged gzip data (cut
 * short, a wrong CRC, corrupt), bytes that are none of the three, another compression (Node
 * 20's zlib has no zstd, none has bzip2, lzma, xz, lzo, lz4) — or gzip data that inflates past
 * `limit` (a gzip bomb) throws an InitrdError in one line naming it and its offset in the file.
 * A host without a synchronous inflate (a browser: its DecompressionStream is asynchronous, and
 * the firmware is not) refuses gzip data with one line saying so: the site serves the plain
 * initrd.cpio the build writes.
 * emulator/ does not import ramdisk/ (the kernel's format): the few facts of cpio framing it
 * needs are here, as a bootloader has its own.
 */
import { host } from './host/current-host.ts';
import { InflateFailure } from './host/host.ts';

export class InitrdError extends Error {
  override name = 'InitrdError';
}

/** The first two bytes of the compressions Linux reads and keel's firmware does not. */
const OTHER_COMPRESSIONS: Record<string, string> = { '1f9e': 'old gzip', '425a': 'bzip2', '5d00': 'lzma', fd37: 'xz', '894c': 'lzo', '0221': 'lz4', '0422': 'lz4', '28b5': 'zstd' };

const CPIO_HEADER = 110;
const TRAILER = 'TRAILER!!!';
const align4 = (value: number) => (value + 3) & ~3;
/** Whether bytes[at...] spell `text` (ASCII). Byte by byte, without making strings: the firmware frames every header of every initrd. */
function spells(bytes: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > bytes.length) return false;
  for (let index = 0; index < text.length; index++) if (bytes[at + index] !== text.charCodeAt(index)) return false;
  return true;
}

/** The 8 hex digits at `start` as a number, NaN if one is not a hex digit. */
function hex8(bytes: Uint8Array, start: number): number {
  let value = 0;
  for (let at = start; at < start + 8; at++) {
    const byte = bytes[at]!;
    const lower = byte | 0x20; // 'A'-'F' as 'a'-'f'
    const digit = byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
    if (digit < 0) return NaN;
    value = value * 16 + digit;
  }
  return value;
}

const isCpio = (bytes: Uint8Array, at: number) => spells(bytes, at, '07070') && (bytes[at + 5] === 0x31 || bytes[at + 5] === 0x32);
const isGzip = (bytes: Uint8Array, at: number) => bytes[at] === 0x1f && bytes[at + 1] === 0x8b;

/** Where the newc or crc archive at `start` ends after its trailer, or null if it is damaged or has no trailer before the end. */
function cpioEnd(bytes: Uint8Array, start: number): number | null {
  let at = start;
  while (at + CPIO_HEADER <= bytes.length && isCpio(bytes, at)) {
    const fileSize = hex8(bytes, at + 54);
    const nameSize = hex8(bytes, at + 94);
    const dataStart = start + align4(at + CPIO_HEADER + nameSize - start);
    if (!(nameSize > 0) || Number.isNaN(fileSize) || dataStart + fileSize > bytes.length) return null;
    const next = Math.min(bytes.length, start + align4(dataStart + fileSize - start));
    if (nameSize === TRAILER.length + 1 && spells(bytes, at + CPIO_HEADER, TRAILER)) return next;
    at = next;
  }
  return null;
}

/** One gzip member at `start` (RFC 1952), inflated into at most `room` bytes of the `limit` the whole ramdisk may take. */
function inflateMember(bytes: Uint8Array, start: number, room: number, limit: number): { data: Uint8Array; end: number } {
  const fail = (what: string) => new InitrdError(`ramdisk: gzip data at offset ${start}: ${what}`);
  const tooLarge = new InitrdError(`not enough memory: the ramdisk inflates past the machine's ${Math.floor(limit / 1024)} KiB, at the gzip data at offset ${start}`);
  const cutShort = fail('cut short, the file ends inside it');
  if (start + 10 > bytes.length) throw cutShort;
  if (bytes[start + 2] !== 8) throw fail(`compression method ${bytes[start + 2]}, not deflate`);
  const flags = bytes[start + 3]!;
  let at = start + 10;
  if (flags & 4) at += 2 + (bytes[at]! | (bytes[at + 1]! << 8));
  for (const flag of [8, 16]) if (flags & flag) at = bytes.indexOf(0, at) + 1 || bytes.length + 1;
  if (flags & 2) at += 2;
  if (at > bytes.length) throw cutShort;
  if (host.inflateRaw === null) throw fail(`this host cannot inflate it (a browser's DecompressionStream is asynchronous): give the machine an uncompressed initrd`);
  let inflated: { data: Uint8Array; used: number };
  try {
    inflated = host.inflateRaw(bytes.subarray(at), Math.max(1, room));
  } catch (error) {
    if (!(error instanceof InflateFailure)) throw error;
    if (error.reason === 'too-large') throw tooLarge;
    if (error.reason === 'cut-short') throw cutShort;
    throw fail(`corrupt (${error.message})`);
  }
  const { data } = inflated;
  const trailer = at + inflated.used;
  if (trailer + 8 > bytes.length) throw cutShort;
  const view = new DataView(bytes.buffer, bytes.byteOffset + trailer, 8);
  const [crc, size] = [view.getUint32(0, true), view.getUint32(4, true)];
  const actual = host.crc32(data);
  const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;
  if (actual !== crc) throw fail(`its CRC does not match the data inflated (trailer ${hex(crc)}, data ${hex(actual)})`);
  if (size !== data.length % 2 ** 32) throw fail(`its length does not match the data inflated (trailer ${size} bytes, data ${data.length})`);
  if (data.length > room) throw tooLarge;
  return { data, end: trailer + 8 };
}

function concatenate(parts: Uint8Array[], size: number): Uint8Array {
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) joined.set(part, offset), (offset += part.length);
  return joined;
}

/** What the bytes at `at` are, when the firmware cannot read them: a compression by name, or their first bytes. */
function unreadable(bytes: Uint8Array, at: number): InitrdError {
  const magic = ((bytes[at]! << 8) | (bytes[at + 1] ?? 0) | 0x10000).toString(16).slice(1);
  const format = OTHER_COMPRESSIONS[magic];
  const what = format ? `${format} data (keel inflates gzip only)` : `bytes that are no cpio archive, gzip data or zero padding ("${[...bytes.subarray(at, at + 6)].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('')}")`;
  return new InitrdError(`ramdisk: ${what} at offset ${at}, after gzip data`);
}

/** The initrd as the kernel reads it: its archives, inflated, each at a multiple of 4 bytes; `initrd` itself when it holds no gzip data. */
export function inflateInitrd(initrd: Uint8Array, limit: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let placed = 0;
  let inflated = false;
  const add = (part: Uint8Array) => {
    parts.push(part);
    placed = align4(placed) + part.length;
  };
  let at = 0;
  while (at < initrd.length) {
    if (initrd[at] === 0) {
      at++;
    } else if (isCpio(initrd, at)) {
      const end = cpioEnd(initrd, at);
      if (end === null && !inflated) return initrd;
      if (end === null) throw new InitrdError(`ramdisk: the cpio archive at offset ${at}, after gzip data, is damaged or has no trailer`);
      add(initrd.subarray(at, end));
      at = end;
    } else if (isGzip(initrd, at)) {
      // Members one right after another are one stream (as gzip -d reads them): an archive may run across them.
      const members: Uint8Array[] = [];
      let size = 0;
      do {
        const member = inflateMember(initrd, at, limit - align4(placed) - size, limit);
        members.push(member.data);
        size += member.data.length;
        at = member.end;
      } while (isGzip(initrd, at));
      add(members.length === 1 ? members[0]! : concatenate(members, size));
      inflated = true;
    } else {
      if (!inflated) return initrd;
      throw unreadable(initrd, at);
    }
  }
  if (!inflated) return initrd;
  // One part needs no laying out: inflated bytes are not shared, so the firmware copies them
  // into the machine's realm anyway (sandbox.map), and a copy into fresh pages is most of the
  // cost of mapping a large inflated ramdisk (figure 2).
  if (parts.length === 1) return parts[0]!;
  const memory = new Uint8Array(placed);
  let offset = 0;
  for (const part of parts) {
    memory.set(part, offset);
    offset = align4(offset + part.length);
  }
  return memory;
}
