/*
 * The boot image format (dist/boot.img): a 64-byte header, then the kernel's text section,
 * then its init section (code used only during boot, which the kernel frees afterwards).
 *
 *   0  magic "KEELBOOT"          8  format version (u32 LE)
 *  12  text length (u32 LE)     16  init length (u32 LE)    20  reserved (12 bytes)
 *  32  sha256 of header bytes 0–31 and the code after the header (32 bytes), so that the
 *      lengths are covered too
 *
 * The build writes it with `writeBootImage`; the firmware checks it with `readBootImage`.
 */
import { host } from './host/current-host.ts';

export const BOOT_MAGIC = 'KEELBOOT';
export const BOOT_FORMAT_VERSION = 1;
export const BOOT_HEADER_SIZE = 64;

export class BootImageError extends Error {
  override name = 'BootImageError';
}

export interface BootImage {
  text: Uint8Array;
  init: Uint8Array;
}

const latin1 = (text: string) => Uint8Array.from(text, (character) => character.charCodeAt(0));
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, index) => byte === b[index]);

/** The image's hash: its header up to the hash field, then everything after the header. */
function digest(image: Uint8Array): Uint8Array {
  return host.sha256(image.subarray(0, 32), image.subarray(BOOT_HEADER_SIZE));
}

export function writeBootImage(text: Uint8Array, init: Uint8Array): Uint8Array {
  const image = new Uint8Array(BOOT_HEADER_SIZE + text.length + init.length);
  const view = new DataView(image.buffer);
  image.set(latin1(BOOT_MAGIC), 0);
  view.setUint32(8, BOOT_FORMAT_VERSION, true);
  view.setUint32(12, text.length, true);
  view.setUint32(16, init.length, true);
  image.set(text, BOOT_HEADER_SIZE);
  image.set(init, BOOT_HEADER_SIZE + text.length);
  image.set(digest(image), 32);
  return image;
}

/** Checks magic, version, lengths and hash; throws a BootImageError that says which failed. */
export function readBootImage(image: Uint8Array): BootImage {
  if (image.length < BOOT_HEADER_SIZE) {
    throw new BootImageError(`boot image too short: ${image.length} bytes, the header alone is ${BOOT_HEADER_SIZE}`);
  }
  const magic = String.fromCharCode(...image.subarray(0, 8));
  if (magic !== BOOT_MAGIC) throw new BootImageError(`bad boot image magic ${JSON.stringify(magic)}, expected "${BOOT_MAGIC}"`);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const version = view.getUint32(8, true);
  if (version !== BOOT_FORMAT_VERSION) throw new BootImageError(`boot image format version ${version}, this firmware reads ${BOOT_FORMAT_VERSION}`);
  const textLength = view.getUint32(12, true);
  const initLength = view.getUint32(16, true);
  const expected = BOOT_HEADER_SIZE + textLength + initLength;
  if (image.length !== expected) {
    throw new BootImageError(`boot image is ${image.length} bytes, its header says ${expected} (truncated or padded)`);
  }
  const body = image.subarray(BOOT_HEADER_SIZE);
  if (!sameBytes(digest(image), image.subarray(32, 64))) {
    throw new BootImageError('boot image sha256 mismatch: the kernel code is not what the build wrote');
  }
  return { text: body.subarray(0, textLength), init: body.subarray(textLength) };
}
