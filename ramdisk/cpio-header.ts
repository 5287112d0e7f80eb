/*
 * What every reader of a cpio header shares: the format's constants, the error it throws, a
 * name as a path, and the one line that says what bytes are when they are no newc or crc
 * header (a compressed ramdisk, another cpio format). Two readers use it: the kernel's walk
 * and entry reader (cpio.ts), and the bootstrap's search for the kernel module (cpio-find.ts),
 * which must fit in a few KiB and says what is wrong in the same words.
 *
 * Nothing here decodes text: callers hand over what they decoded, so that the bootstrap pays
 * for no UTF-8 decoder it does not need.
 */

export const CPIO_MAGIC = '070701';
export const CPIO_CRC_MAGIC = '070702';
export const CPIO_TRAILER = 'TRAILER!!!';
export const HEADER_SIZE = 110;

/** Where the header fields the readers use start: file size, name size, and the crc format's sum. */
export const FILE_SIZE_FIELD = 54;
export const NAME_SIZE_FIELD = 94;
export const CHECK_FIELD = 102;

export const align4 = (value: number) => (value + 3) & ~3;

/** A malformed archive: says what is wrong and at which byte offset of the archive. */
export class RamdiskError extends Error {
  override name = 'RamdiskError';
  constructor(
    what: string,
    readonly offset: number,
  ) {
    super(`ramdisk: ${what} at offset ${offset}`);
  }
}

/** A name as a path: "./lib//x" and "/lib/x" are "lib/x"; "." is "", the root. */
export function asPath(name: string): string {
  return name[0] !== '.' && name[0] !== '/' && !name.includes('/.') && !name.includes('//') && !name.endsWith('/') ? name : resolvedPath(name);
}

/** asPath the long way, for any name: its parts resolved one by one ("" and "." dropped, ".." going up). */
export function resolvedPath(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/**
 * The first two bytes, as four hex digits, of what Linux unpacks an initramfs from but keel's
 * readers do not: the compressed formats by name (the firmware inflates gzip data before the
 * kernel runs, emulator/initrd-inflate.ts: what reaches a reader followed damage), and the old
 * binary cpio format ('', either byte order).
 */
const FORMATS: Record<string, string> = { '1f8b': 'gzip', '1f9e': 'old gzip', '425a': 'bzip2', '5d00': 'lzma', fd37: 'xz', '894c': 'lzo', '0221': 'lz4', '0422': 'lz4', '28b5': 'zstd', c771: '', '71c7': '' };

/** What bytes are that are not a newc or crc header, from the first two and the six a magic would take (decoded): the one line users see. */
export function unknownFormat(first: number, second: number, magic: string): string {
  const format = FORMATS[((first << 8) | second | 0x10000).toString(16).slice(1)];
  if (format) return `${format} data (keel inflates gzip only)`;
  const cpio = magic === '070707' ? 'cpio odc header (magic 070707)' : format === '' ? 'old binary cpio header' : '';
  return cpio ? `${cpio}, not newc or crc (repack with cpio -H newc)` : `bad magic "${magic}"`;
}

/** The crc format's sum of the data bytes memory[start, start + size). */
export function crcSum(memory: Uint8Array, start: number, size: number): number {
  let sum = 0;
  for (let position = start, end = start + size; position < end; position++) sum = (sum + memory[position]!) | 0;
  return sum >>> 0;
}

/** The line for an entry whose data does not match the sum its header gives. */
export function crcMismatch(name: string, header: number, data: number): string {
  const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;
  return `crc of ${name} does not match its data (header ${hex(header)}, data ${hex(data)})`;
}
