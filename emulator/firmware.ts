/*
 * The firmware: what runs between power-on and the kernel's first instruction.
 *
 * It checks the boot image header, lays the image out in physical memory (as a bootloader
 * places the kernel), maps the ramdisk above RAM where the host already holds it (as U-Boot
 * leaves an initrd in place: no copy when the host's bytes are shared, machine-interface.ts;
 * a ramdisk with gzip data in it is inflated first, emulator/initrd-inflate.ts), writes the
 * memory map, compiles the
 * kernel's text section in the machine's sandbox — only ECMAScript built-ins, no `process`,
 * no `require`, nothing of the host's (emulator/sandbox.ts) — and returns its entry with the
 * boot info. The sandbox compiles with vm.compileFunction, never vm.Script: the compilation
 * cache would keep a script's code alive forever (docs/design.md).
 */
import { readBootImage } from './boot-image.ts';
import { BootError } from './boot-error.ts';
import { inflateInitrd, InitrdError } from './initrd-inflate.ts';
import { FRAME_SIZE, type BootInfo, type KernelEntry, type MemoryRegion, type RegionKind } from './machine-interface.ts';
import type { Sandbox } from './sandbox.ts';

/** The firmware's own area at the bottom of memory, as the BIOS data area is on a PC. */
export const FIRMWARE_BYTES = 64 * 1024;

export { BootError };

/** Made at load: in a browser the worker's global keeps no TextDecoder once the realm is sealed (host/browser-host.ts). */
const utf8 = new TextDecoder();

const roundUp = (bytes: number) => Math.ceil(bytes / FRAME_SIZE) * FRAME_SIZE;

export interface FirmwareInput {
  image: Uint8Array;
  initrd: Uint8Array;
  cmdline: string;
}

/** Places everything and returns the kernel's entry and its boot info, ready to jump. */
export function loadKernel(sandbox: Sandbox, memory: Uint8Array, input: FirmwareInput): { entry: KernelEntry; bootInfo: BootInfo } {
  const image = readBootImage(input.image);
  const memoryMap: MemoryRegion[] = [];
  let next = 0;
  const place = (kind: RegionKind, bytes: Uint8Array | number) => {
    const length = typeof bytes === 'number' ? bytes : bytes.length;
    const region = { start: next, length: roundUp(length), kind };
    if (region.start + region.length > memory.length) throw new BootError(`not enough memory: ${memory.length / 1024} KiB is too small for the boot image`);
    if (typeof bytes !== 'number') memory.set(bytes, region.start);
    memoryMap.push(region);
    next += region.length;
    return region;
  };
  place('firmware', FIRMWARE_BYTES);
  place('kernel-text', image.text);
  const init = place('kernel-init', image.init);
  memoryMap.push({ start: next, length: memory.length - next, kind: 'free' });
  let initrd: Uint8Array;
  try {
    // Inflated, a ramdisk may be no larger than the machine's memory: the bound on a gzip bomb.
    initrd = inflateInitrd(input.initrd, memory.length);
  } catch (error) {
    if (error instanceof InitrdError) throw new BootError(error.message);
    throw error;
  }

  // Only code that compiles is jumped to; an image with no text would boot into nothing, forever.
  if (image.text.length === 0) throw new BootError('the boot image holds no kernel text');
  let entry: KernelEntry;
  try {
    entry = sandbox.compile(utf8.decode(image.text), ['machine', 'bootInfo'], 'keel:boot.img') as KernelEntry;
  } catch (error) {
    throw new BootError(`the kernel's code does not compile: ${(error as Error).name}: ${(error as Error).message}`);
  }
  return {
    entry,
    bootInfo: sandbox.adopt({
      memoryMap,
      ramdisk: { start: memory.length, length: initrd.length, bytes: sandbox.map(initrd) },
      init: { start: init.start, length: image.init.length },
      cmdline: input.cmdline,
    }),
  };
}
