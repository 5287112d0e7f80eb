/*
 * Writing cpio archives (the reader is ramdisk/cpio.ts): what the build packs the ramdisk
 * with, and what tests make archives with. newc by default; `crc` writes the crc variant
 * (magic 070702), whose headers carry the sum of each file's bytes.
 */
import { CPIO_CRC_MAGIC, CPIO_MAGIC, CPIO_TRAILER, HEADER_SIZE, MODE_FILE } from './cpio.ts';
import { encodeUtf8 } from './utf8.ts';

export interface CpioFile {
  name: string;
  data: Uint8Array;
  mode?: number;
  mtime?: number;
}

const align4 = (value: number) => (value + 3) & ~3;

/** Writes files as one archive ending in the trailer. Inode numbers count from 1. */
export function writeCpio(files: readonly CpioFile[], format: 'newc' | 'crc' = 'newc'): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  const push = (part: Uint8Array) => {
    parts.push(part);
    length += part.length;
  };
  const entries = [...files, { name: CPIO_TRAILER, data: new Uint8Array(0), mode: 0 }];
  entries.forEach((file, index) => {
    const name = encodeUtf8(file.name);
    const sum = format === 'crc' ? file.data.reduce((total, byte) => (total + byte) >>> 0, 0) : 0;
    const values = [index + 1, file.mode ?? MODE_FILE, 0, 0, 1, file.mtime ?? 0, file.data.length, 0, 0, 0, 0, name.length + 1, sum];
    if (file.name === CPIO_TRAILER) values[0] = values[4] = 0;
    const magic = format === 'crc' ? CPIO_CRC_MAGIC : CPIO_MAGIC;
    push(encodeUtf8(magic + values.map((value) => value.toString(16).padStart(8, '0')).join('')));
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
