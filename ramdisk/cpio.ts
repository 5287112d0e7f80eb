/*
 * The cpio "newc" format: the archive format of Linux's initramfs, and so of keel's ramdisk.
 *
 * Each entry is a 110-byte ASCII header (magic 070701 and 13 eight-digit hex fields), the
 * name and its NUL padded to 4 bytes, then the data padded to 4 bytes. The archive ends with
 * an entry named TRAILER!!!. The build writes archives with `writeCpio`; the kernel reads them
 * straight out of physical memory with `readEntryAt` (one entry, no scan) or `readEntries`.
 * Both sides share this file, so it uses nothing the kernel's sandbox lacks.
 */
import { decodeUtf8, encodeUtf8 } from './utf8.ts';

export const CPIO_MAGIC = '070701';
export const CPIO_TRAILER = 'TRAILER!!!';
const HEADER_SIZE = 110;
/** Header fields in order: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check. */
const field = (header: string, index: number) => parseInt(header.slice(6 + index * 8, 14 + index * 8), 16);

/** Mode bits of a regular file and a directory, with permissions, as `ls -l` shows them. */
export const MODE_FILE = 0o100644;
export const MODE_DIRECTORY = 0o040755;

/** A malformed archive: says what is wrong and at which byte offset of the archive. */
export class RamdiskError extends Error {
  override name = 'RamdiskError';
  constructor(what: string, readonly offset: number) {
    super(`ramdisk: ${what} at offset ${offset}`);
  }
}

export interface CpioFile {
  name: string;
  data: Uint8Array;
  mode?: number;
  mtime?: number;
}

export interface CpioEntry {
  name: string;
  /** Where the entry's header starts, relative to the start of the archive. */
  offset: number;
  /** Where its data starts, and how long it is. */
  dataOffset: number;
  size: number;
  /** Where the next entry's header starts. */
  next: number;
}

const align4 = (value: number) => (value + 3) & ~3;

/** An entry as `readEntries` gives it: with the file's mode and modification time too. */
export interface CpioFileEntry extends CpioEntry {
  mode: number;
  mtime: number;
}

/** Writes files as one newc archive ending in the trailer. Inode numbers count from 1. */
export function writeCpio(files: readonly CpioFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  const push = (part: Uint8Array) => {
    parts.push(part);
    length += part.length;
  };
  const entries = [...files, { name: CPIO_TRAILER, data: new Uint8Array(0), mode: 0 }];
  entries.forEach((file, index) => {
    const name = encodeUtf8(file.name);
    const values = [index + 1, file.mode ?? MODE_FILE, 0, 0, 1, file.mtime ?? 0, file.data.length, 0, 0, 0, 0, name.length + 1, 0];
    if (file.name === CPIO_TRAILER) values[0] = values[4] = 0;
    const header = CPIO_MAGIC + values.map((value) => value.toString(16).padStart(8, '0')).join('');
    push(encodeUtf8(header));
    push(name);
    push(new Uint8Array(align4(HEADER_SIZE + name.length + 1) - HEADER_SIZE - name.length));
    push(file.data);
    push(new Uint8Array(align4(file.data.length) - file.data.length));
  });
  const archive = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    archive.set(part, offset);
    offset += part.length;
  }
  return archive;
}

/**
 * Reads the entry whose header starts at `offset`, the trailer included. Returns null when
 * only zero padding is left. `base` is where the archive starts in `memory`. Mode and mtime
 * are left out: the kernel, which reads entries this way, needs neither (and carries every byte
 * of this function in its base image).
 */
export function readEntryAt(memory: Uint8Array, base: number, length: number, offset: number): CpioEntry | null {
  while (offset + 4 <= length && memory[base + offset] === 0) offset += 4;
  if (offset >= length) return null;
  if (offset + HEADER_SIZE > length) throw new RamdiskError('truncated header', offset);
  const header = decodeUtf8(memory, base + offset, base + offset + HEADER_SIZE);
  if (!header.startsWith(CPIO_MAGIC)) throw new RamdiskError(`bad magic "${header.slice(0, 6)}"`, offset);
  if (!/^.{6}[0-9a-fA-F]{104}$/.test(header)) throw new RamdiskError('bad hex digits in header', offset);
  const nameSize = field(header, 11);
  const nameEnd = offset + HEADER_SIZE + nameSize - 1;
  if (nameSize === 0 || nameEnd >= length) throw new RamdiskError('name runs past the end of the archive', offset);
  if (memory[base + nameEnd] !== 0) throw new RamdiskError('name without its NUL', offset);
  const name = decodeUtf8(memory, base + offset + HEADER_SIZE, base + nameEnd);
  const dataOffset = align4(nameEnd + 1);
  const size = field(header, 6);
  if (dataOffset + size > length) throw new RamdiskError(`data of "${name}" (${size} bytes) runs past the end of the archive`, offset);
  return { name, offset, dataOffset, size, next: align4(dataOffset + size) };
}

/**
 * Reads every file entry, across several concatenated archives (as Linux accepts them),
 * leaving out trailers and the "." entry GNU cpio writes.
 */
export function readEntries(memory: Uint8Array, base = 0, length = memory.length - base): CpioFileEntry[] {
  const entries: CpioFileEntry[] = [];
  for (let entry = readEntryAt(memory, base, length, 0); entry; entry = readEntryAt(memory, base, length, entry.next)) {
    if (entry.name === '.' || entry.name === CPIO_TRAILER) continue;
    const header = decodeUtf8(memory, base + entry.offset, base + entry.offset + HEADER_SIZE);
    entries.push({ ...entry, mode: field(header, 1), mtime: field(header, 5) });
  }
  return entries;
}
