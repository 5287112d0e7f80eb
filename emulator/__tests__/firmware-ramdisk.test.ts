/*
 * The firmware maps the ramdisk above RAM where the host holds it (firmware.ts): shared bytes
 * are handed to the realm as they are, never copied into RAM; other bytes are copied once, into
 * a buffer of the realm. Either way the kernel gets bytes of its own realm, and RAM holds
 * only the firmware's area and the boot image.
 */
import { describe, expect, it } from 'vitest';
import { writeBootImage } from '../boot-image.ts';
import { sharedBytes } from '../built-files.ts';
import { FIRMWARE_BYTES, loadKernel } from '../firmware.ts';
import { createSandbox } from '../sandbox.ts';

const MEMORY_BYTES = 1024 * 1024;
const image = writeBootImage(new TextEncoder().encode('return bootInfo;'), new Uint8Array(0));
/** Byte for byte, across realms (toEqual compares prototypes too). */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
const archive = () => Uint8Array.from({ length: 300_000 }, (_, index) => (index * 7 + 1) % 251);

function boot(initrd: Uint8Array) {
  const sandbox = createSandbox();
  const memory = sandbox.allocate(MEMORY_BYTES);
  const { bootInfo } = loadKernel(sandbox, memory, { image, initrd, cmdline: '' });
  return { memory, bootInfo, realmFunction: sandbox.compile('return Function;', [], 'keel:test')() };
}

describe('the firmware maps the ramdisk', () => {
  it('shared bytes: the realm reads the same memory, no copy in RAM or anywhere', () => {
    const initrd = sharedBytes(archive());
    const { memory, bootInfo } = boot(initrd);
    const { bytes } = bootInfo.ramdisk;
    expect(sameBytes(bytes, initrd)).toBe(true);
    initrd[12_345] = 0xee;
    expect(bytes[12_345]).toBe(0xee);
    // The host's own buffer is as it was: still the host's, for the next boot.
    expect(initrd.buffer).toBeInstanceOf(SharedArrayBuffer);
    // RAM past the firmware's area and the boot image is untouched: nothing of the ramdisk went there.
    expect(memory.subarray(bootInfo.memoryMap.at(-1)!.start).every((byte) => byte === 0)).toBe(true);
    expect(bootInfo.memoryMap.at(-1)!.start).toBeLessThan(FIRMWARE_BYTES + 2 * 4096);
  });

  it('bytes that are not shared: copied once, and the copy is the realm\'s', () => {
    const initrd = archive();
    const { bootInfo } = boot(initrd);
    expect(sameBytes(bootInfo.ramdisk.bytes, initrd)).toBe(true);
    initrd[12_345] = 0xee;
    expect(bootInfo.ramdisk.bytes[12_345]).not.toBe(0xee);
  });

  it.each([
    ['shared', () => sharedBytes(archive())],
    ['not shared', archive],
  ])('%s: every object the kernel can climb from the mapped bytes is of its realm, not the host\'s', (_case, made) => {
    const { bootInfo, realmFunction } = boot(made());
    const { bytes } = bootInfo.ramdisk;
    expect(bytes).not.toBeInstanceOf(Uint8Array);
    expect(bytes.constructor.constructor).toBe(realmFunction);
    expect(bytes.buffer.constructor.constructor).toBe(realmFunction);
    expect((bytes.buffer.constructor.constructor as FunctionConstructor)('return typeof process')()).toBe('undefined');
  });

  it('places it above RAM: the memory map lists RAM only, and the ramdisk starts where RAM ends', () => {
    const { bootInfo } = boot(archive());
    expect(bootInfo.ramdisk.start).toBe(MEMORY_BYTES);
    expect(bootInfo.ramdisk.length).toBe(300_000);
    const end = bootInfo.memoryMap.at(-1)!;
    expect(end.kind).toBe('free');
    expect(end.start + end.length).toBe(MEMORY_BYTES);
  });
});
