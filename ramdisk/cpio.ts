/*
 * Reading cpio archives: the format of Linux's initramfs, and so of keel's ramdisk.
 *
 * An entry is a 110-byte ASCII header — magic 070701 ("newc") or 070702 ("crc", whose last
 * field is the sum of the data's bytes) and 13 eight-digit hex fields — then the name and its
 * NUL, padded to 4 bytes, then the data, padded to 4 bytes. An entry named TRAILER!!! ends an
 * archive. A ramdisk may hold several archives one after another, as Linux accepts
 * (`initramfs := ("\0" | cpio_archive)*`): zero padding of any length that keeps the next
 * header on a 4-byte boundary may come between and after them, and a trailer between them is
 * optional. A later entry of a name replaces an earlier one, so appending a small archive
 * overrides a file.
 *
 *   walkArchive(memory, base, length).find(name)   the last entry of a name, after one walk
 *   readHeader(memory, base, length, offset)        the entry whose header starts at `offset`
 *   readEntries(memory, base, length)               every entry in order, for tools and tests
 *
 * Checking a file's data (the crc sum) is a separate step, `checkCrc`. Both the build's host
 * side and the kernel use this file, so it uses nothing the kernel's sandbox lacks. What every
 * reader of a header shares — the constants, RamdiskError, names as paths, the line for bytes
 * that are no header — is cpio-header.ts; the bootstrap's own small search is cpio-find.ts.
 */
import { align4, asPath, CPIO_TRAILER, crcMismatch, crcSum, FILE_SIZE_FIELD, HEADER_SIZE, NAME_SIZE_FIELD, RamdiskError, unknownFormat } from './cpio-header.ts';
import { decodeUtf8, encodeUtf8 } from './utf8.ts';

export { CPIO_CRC_MAGIC, CPIO_MAGIC, CPIO_TRAILER, HEADER_SIZE, RamdiskError } from './cpio-header.ts';

/** Mode bits of a regular file and a directory, with permissions, as `ls -l` shows them. */
export const MODE_FILE = 0o100644;
export const MODE_DIRECTORY = 0o040755;
const TYPE_BITS = 0o170000;

export interface CpioEntry {
  /** The name as a path: without a leading "./" or "/", "." and ".." resolved; "" is the root. */
  name: string;
  /** Where the entry's header starts, counted from the start of the archive. */
  offset: number;
  /** Where its data starts, and how long it is. */
  dataOffset: number;
  size: number;
  mode: number;
  mtime: number;
  /** The crc format's sum of the data bytes; undefined in a newc entry. */
  checksum: number | undefined;
  /** Where the next entry's header (or zero padding) starts. */
  next: number;
}

export const isDirectory = (entry: CpioEntry) => (entry.mode & TYPE_BITS) === 0o040000;
export const isRegularFile = (entry: CpioEntry) => (entry.mode & TYPE_BITS) === 0o100000;

/** Each byte's value as a hex digit (either case), or -1. (Marked pure so that a bundle that does not read headers leaves it out.) */
const HEX_DIGITS = /* @__PURE__ */ (() => {
  const digits = new Int8Array(256).fill(-1);
  for (let digit = 0; digit < 16; digit++) digits['0123456789abcdef'.charCodeAt(digit)] = digits['0123456789ABCDEF'.charCodeAt(digit)] = digit;
  return digits;
})();

/** The value of the 8 hex digits at `at`, or -1 if one of them is not a hex digit (unrolled: the walk runs it 40,000 times in code not yet optimized). */
function hex8(memory: Uint8Array, at: number): number {
  const high = (HEX_DIGITS[memory[at]!]! << 12) | (HEX_DIGITS[memory[at + 1]!]! << 8) | (HEX_DIGITS[memory[at + 2]!]! << 4) | HEX_DIGITS[memory[at + 3]!]!;
  const low = (HEX_DIGITS[memory[at + 4]!]! << 12) | (HEX_DIGITS[memory[at + 5]!]! << 8) | (HEX_DIGITS[memory[at + 6]!]! << 4) | HEX_DIGITS[memory[at + 7]!]!;
  return (high | low) < 0 ? -1 : high * 65536 + low;
}

/** What the bytes at `at` are, when they are not a newc or crc header. */
const notAHeader = (memory: Uint8Array, at: number, end: number) => unknownFormat(memory[at]!, memory[at + 1]!, decodeUtf8(memory, at, Math.min(at + 6, end)));

/**
 * The checks every reader of a header makes — magic, name and data inside the archive — and
 * the two fields that say where the next header starts. Returns where the name's NUL is.
 */
function frame(memory: Uint8Array, base: number, length: number, offset: number): { nameEnd: number; size: number } {
  const at = base + offset;
  if (offset + HEADER_SIZE > length) throw new RamdiskError('truncated header', offset);
  if (memory[at] !== 0x30 || memory[at + 1] !== 0x37 || memory[at + 2] !== 0x30 || memory[at + 3] !== 0x37 || memory[at + 4] !== 0x30 || (memory[at + 5] !== 0x31 && memory[at + 5] !== 0x32)) {
    throw new RamdiskError(notAHeader(memory, at, base + length), offset);
  }
  const nameSize = hex8(memory, at + NAME_SIZE_FIELD);
  const size = hex8(memory, at + FILE_SIZE_FIELD);
  if (nameSize < 0 || size < 0) throw new RamdiskError('bad hex digits in header', offset);
  const nameEnd = offset + HEADER_SIZE + nameSize - 1;
  if (nameSize === 0 || nameEnd >= length) throw new RamdiskError('name runs past the end of the archive', offset);
  if (memory[base + nameEnd] !== 0) throw new RamdiskError('name without its NUL', offset);
  if (align4(nameEnd + 1) + size > length) {
    throw new RamdiskError(`data of "${asPath(decodeUtf8(memory, at + HEADER_SIZE, base + nameEnd))}" (${size} bytes) runs past the end of the archive`, offset);
  }
  return { nameEnd, size };
}

/** Reads the entry whose header starts exactly at `offset`, every field checked; `base` is where the archive starts in `memory`. */
export function readHeader(memory: Uint8Array, base: number, length: number, offset: number): CpioEntry {
  const { nameEnd, size } = frame(memory, base, length, offset);
  const at = base + offset;
  // Fields: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check.
  const fields: number[] = [];
  for (let field = 0; field < 13; field++) {
    const value = hex8(memory, at + 6 + field * 8);
    if (value < 0) throw new RamdiskError('bad hex digits in header', offset);
    fields.push(value);
  }
  const dataOffset = align4(nameEnd + 1);
  return {
    name: asPath(decodeUtf8(memory, at + HEADER_SIZE, base + nameEnd)), offset, dataOffset, size, mode: fields[1]!, mtime: fields[5]!,
    checksum: memory[at + 5] === 0x32 ? fields[12] : undefined, next: align4(dataOffset + size),
  };
}

/** Where the header after the zero padding at `offset` starts; null when only zeros are left. */
function skipPadding(memory: Uint8Array, base: number, length: number, offset: number): number | null {
  let at = offset;
  while (at < length && memory[base + at] === 0) at++;
  if (at >= length) return null;
  if (at % 4 !== 0) throw new RamdiskError(`zero padding of ${at - offset} bytes, not a multiple of 4, before the header`, offset);
  return at;
}

/** Every entry in archive order, every field checked, trailers and the root left out; a damaged archive throws. */
export function readEntries(memory: Uint8Array, base = 0, length = memory.length - base): CpioEntry[] {
  const entries: CpioEntry[] = [];
  for (let at = skipPadding(memory, base, length, 0); at !== null; ) {
    const entry = readHeader(memory, base, length, at);
    if (entry.name !== CPIO_TRAILER && entry.name !== '') entries.push(entry);
    at = skipPadding(memory, base, length, entry.next);
  }
  return entries;
}

/** Read once: in the kernel's sandbox every global lookup goes through the realm's global object, slowly. */
const { imul } = Math;

/** FNV-1a: a 32-bit hash of bytes[start, end). */
function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let at = start; at < end; at++) hash = imul(hash ^ bytes[at]!, 16777619);
  return hash;
}

/** The hash of a name resolved as text (asPath): for names with an empty part, a part starting with ".", or a trailing "/" (the walk hashes plain names as they are). */
function resolvedHash(memory: Uint8Array, start: number, end: number): number {
  const path = encodeUtf8(asPath(decodeUtf8(memory, start, end)));
  return fnv1a(path, 0, path.length);
}

/**
 * An archive walked once: where every header is, and the hash of its name. The last entry of a
 * name is the last one whose hash matches and whose name does: found with the native
 * lastIndexOf over the hashes, which takes microseconds for 20,000 of them, so the walk builds
 * no table. `find` checks every field of the entry it returns.
 */
export class ArchiveTable {
  /** Headers read, trailers included. */
  readonly headers: number;

  constructor(
    readonly memory: Uint8Array,
    readonly base: number,
    readonly length: number,
    /** Where each header starts, in archive order. */
    readonly offsets: number[],
    /** The hash of each header's name as a path (FNV-1a of its bytes). */
    private readonly hashes: number[],
    /** Where reading stopped in a damaged archive: the entries before it are in the table. */
    readonly damage: RamdiskError | null,
  ) {
    this.headers = offsets.length;
  }

  /** The name of the entry at `offsets[index]`, as a path. */
  nameOf(index: number): string {
    const at = this.base + this.offsets[index]!;
    return asPath(decodeUtf8(this.memory, at + HEADER_SIZE, at + HEADER_SIZE + hex8(this.memory, at + NAME_SIZE_FIELD) - 1));
  }

  /** The indexes of the entries named `name` (a path as asPath gives it), the last first. */
  #indexesOf(name: string): number[] {
    const bytes = encodeUtf8(name);
    const hash = fnv1a(bytes, 0, bytes.length);
    const found: number[] = [];
    for (let index = this.hashes.lastIndexOf(hash); index >= 0; index = index > 0 ? this.hashes.lastIndexOf(hash, index - 1) : -1) {
      if (this.nameOf(index) === name) found.push(index);
    }
    return found;
  }

  /** The last entry named `name`, every header field checked, and how many entries give that name; null if none does. */
  find(name: string): { entry: CpioEntry; entries: number } | null {
    const found = this.#indexesOf(name);
    return found.length === 0 ? null : { entry: readHeader(this.memory, this.base, this.length, this.offsets[found[0]!]!), entries: found.length };
  }

  /** Whether some entry lies under `directory/` (which makes `directory` a directory). */
  holdsUnder(directory: string): boolean {
    return this.offsets.some((_, index) => this.nameOf(index).startsWith(`${directory}/`));
  }
}

/**
 * The last entry of every name, in archive order, trailers and the root left out, every
 * field checked; `unreadable` holds the headers whose other fields are not hex digits.
 */
export function latestEntries(table: ArchiveTable): { entries: CpioEntry[]; unreadable: RamdiskError[] } {
  const last = new Map(table.offsets.map((_, index) => [table.nameOf(index), index]));
  const entries: CpioEntry[] = [];
  const unreadable: RamdiskError[] = [];
  table.offsets.forEach((offset, index) => {
    if (last.get(table.nameOf(index)) !== index) return;
    try {
      const entry = readHeader(table.memory, table.base, table.length, offset);
      if (entry.name !== CPIO_TRAILER && entry.name !== '') entries.push(entry);
    } catch (error) {
      if (!(error instanceof RamdiskError)) throw error;
      unreadable.push(error);
    }
  });
  return { entries, unreadable };
}

/**
 * Walks every header of every archive in memory[base, base + length) once. This loop is what a
 * repacked ramdisk's boot waits for, run in a fresh realm where it is not yet optimized, and
 * there every call costs: so it does the common case itself — a header frame() would accept,
 * the FNV-1a hash of a plain name, leading "./" and "/" skipped — and calls out only for what
 * is rare: frame() to say what is wrong with a header, resolvedHash() for a name to resolve as
 * text, skipPadding() between archives.
 */
export function walkArchive(memory: Uint8Array, base = 0, length = memory.length - base): ArchiveTable {
  const offsets: number[] = [];
  const hashes: number[] = [];
  let damage: RamdiskError | null = null;
  try {
    for (let at = skipPadding(memory, base, length, 0); at !== null; ) {
      const header = base + at;
      const nameSize = hex8(memory, header + NAME_SIZE_FIELD);
      const size = hex8(memory, header + FILE_SIZE_FIELD);
      const nameEnd = at + HEADER_SIZE + nameSize - 1;
      const well = at + HEADER_SIZE <= length && memory[header] === 0x30 && memory[header + 1] === 0x37 && memory[header + 2] === 0x30 && memory[header + 3] === 0x37 &&
        memory[header + 4] === 0x30 && (memory[header + 5] === 0x31 || memory[header + 5] === 0x32) && nameSize > 0 && size >= 0 && nameEnd < length &&
        memory[base + nameEnd] === 0 && align4(nameEnd + 1) + size <= length;
      if (!well) frame(memory, base, length, at);
      let start = header + HEADER_SIZE;
      const end = base + nameEnd;
      while (memory[start] === 0x2f || (memory[start] === 0x2e && memory[start + 1] === 0x2f)) start += memory[start] === 0x2f ? 1 : 2;
      let hash = 0x811c9dc5 | 0;
      let plain = memory[start] !== 0x2e || start === end;
      for (let position = start; plain && position < end; position++) {
        const byte = memory[position]!;
        plain = byte !== 0x2f || (position + 1 < end && memory[position + 1] !== 0x2f && memory[position + 1] !== 0x2e);
        hash = imul(hash ^ byte, 16777619);
      }
      offsets.push(at);
      hashes.push(plain ? hash : resolvedHash(memory, start, end));
      const next = align4(align4(nameEnd + 1) + size);
      at = next < length && memory[base + next] !== 0 ? next : skipPadding(memory, base, length, next);
    }
  } catch (error) {
    if (!(error instanceof RamdiskError)) throw error;
    damage = error;
  }
  return new ArchiveTable(memory, base, length, offsets, hashes, damage);
}

/** Checks a crc entry's data against the sum its header gives (a newc entry has none). */
export function checkCrc(memory: Uint8Array, base: number, entry: CpioEntry): void {
  if (entry.checksum === undefined) return;
  const sum = crcSum(memory, base + entry.dataOffset, entry.size);
  if (sum !== entry.checksum) throw new RamdiskError(crcMismatch(entry.name, entry.checksum, sum), entry.offset);
}
