/*
 * Tests the boot image format (emulator/boot-image.ts): writeBootImage lays out the header the
 * format describes, readBootImage gives back text and init, and every damaged image fails with
 * a BootImageError that says which check failed.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BOOT_FORMAT_VERSION, BOOT_HEADER_SIZE, BOOT_MAGIC, BootImageError, readBootImage, writeBootImage } from '../boot-image.ts';

const text = new TextEncoder().encode('(machine, bootInfo) => { /* the kernel text, ünïcode included */ }');
const init = Uint8Array.from({ length: 301 }, (_, index) => (index * 7) & 0xff);

function bootImageErrorOf(image: Uint8Array): BootImageError {
  try {
    readBootImage(image);
  } catch (error) {
    expect(error).toBeInstanceOf(BootImageError);
    return error as BootImageError;
  }
  throw new Error('expected readBootImage to throw');
}

describe('writeBootImage and readBootImage', () => {
  it('round-trips text and init', () => {
    const image = readBootImage(writeBootImage(text, init));
    expect(image.text).toEqual(text);
    expect(image.init).toEqual(init);
  });

  it('covers the section lengths with the hash: moving the boundary between text and init is caught', () => {
    const image = writeBootImage(text, init);
    const view = new DataView(image.buffer);
    view.setUint32(12, text.length + 1, true);
    view.setUint32(16, init.length - 1, true);
    expect(bootImageErrorOf(image).message).toMatch(/sha256 mismatch/);
  });

  it('round-trips an empty init section', () => {
    const image = readBootImage(writeBootImage(text, new Uint8Array(0)));
    expect(image.text).toEqual(text);
    expect(image.init.length).toBe(0);
  });

  it('writes the header the format describes', () => {
    const image = writeBootImage(text, init);
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    expect(image.length).toBe(BOOT_HEADER_SIZE + text.length + init.length);
    expect(Buffer.from(image.subarray(0, 8)).toString('latin1')).toBe(BOOT_MAGIC);
    expect(view.getUint32(8, true)).toBe(BOOT_FORMAT_VERSION);
    expect(view.getUint32(12, true)).toBe(text.length);
    expect(view.getUint32(16, true)).toBe(init.length);
    expect(image.subarray(20, 32)).toEqual(new Uint8Array(12));
    const expectedHash = createHash('sha256').update(image.subarray(0, 32)).update(text).update(init).digest();
    expect(Buffer.from(image.subarray(32, 64)).equals(expectedHash)).toBe(true);
  });

  it('reads an image that sits at an offset inside a larger buffer', () => {
    const written = writeBootImage(text, init);
    const buffer = new Uint8Array(written.length + 13).fill(0xaa);
    buffer.set(written, 5);
    const image = readBootImage(buffer.subarray(5, 5 + written.length));
    expect(image.text).toEqual(text);
    expect(image.init).toEqual(init);
  });
});

describe('damaged boot images', () => {
  it('rejects an image shorter than the header', () => {
    expect(bootImageErrorOf(new Uint8Array(10)).message).toBe(`boot image too short: 10 bytes, the header alone is ${BOOT_HEADER_SIZE}`);
  });

  it('rejects bad magic', () => {
    const image = writeBootImage(text, init);
    image[7] = 'X'.charCodeAt(0);
    expect(bootImageErrorOf(image).message).toBe(`bad boot image magic "KEELBOOX", expected "${BOOT_MAGIC}"`);
  });

  it('rejects a format version it does not read', () => {
    const image = writeBootImage(text, init);
    new DataView(image.buffer).setUint32(8, BOOT_FORMAT_VERSION + 1, true);
    expect(bootImageErrorOf(image).message).toBe(`boot image format version ${BOOT_FORMAT_VERSION + 1}, this firmware reads ${BOOT_FORMAT_VERSION}`);
  });

  it('rejects a truncated body', () => {
    const image = writeBootImage(text, init);
    const truncated = image.subarray(0, image.length - 1);
    expect(bootImageErrorOf(truncated).message).toBe(`boot image is ${image.length - 1} bytes, its header says ${image.length} (truncated or padded)`);
  });

  it('rejects a padded body', () => {
    const image = writeBootImage(text, init);
    const padded = new Uint8Array(image.length + 4);
    padded.set(image);
    expect(bootImageErrorOf(padded).message).toContain(`its header says ${image.length}`);
  });

  it('rejects lengths in the header that disagree with the body', () => {
    const image = writeBootImage(text, init);
    new DataView(image.buffer).setUint32(12, text.length + 1, true);
    expect(bootImageErrorOf(image).message).toContain('truncated or padded');
  });

  it.each([
    ['the text', BOOT_HEADER_SIZE + 3],
    ['the init section', BOOT_HEADER_SIZE + text.length + 100],
    ['the stored hash', 40],
  ])('rejects a flipped byte in %s', (_where, position) => {
    const image = writeBootImage(text, init);
    image[position]! ^= 0x01;
    expect(bootImageErrorOf(image).message).toBe('boot image sha256 mismatch: the kernel code is not what the build wrote');
  });
});
