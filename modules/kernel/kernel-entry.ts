/*
 * The kernel module's two entries, made for one version's choices (its frame policy) by that
 * version's index.ts:
 *
 *   export const { start, takeOver } = kernelEntry(nextFit);
 *
 * start — the bootstrap (boot/main.ts) compiles the kernel module from the frames it copied it
 * into and calls `start` (boot/handoff.ts gives the calling convention). start builds the
 * kernel core around its tables (kernel.ts: the log and the command line, then the frame table
 * — firmware, the bootstrap's frames, the kernel's own text — and the module table
 * with the kernel itself in it), loads etc/modules and the init module (boot-sequence.ts), then
 * frees the bootstrap's frames ("Freeing unused kernel memory", as Linux frees its __init
 * sections) and watches the bootstrap's code until the host collects it. From then on no frame
 * of the base image is in use. It returns init's name; anything that stops the boot is thrown
 * as a KernelPanic, whose message is the panic line.
 *
 * takeOver — a kernel swap (modules/swap/kernel-swap.ts) stages this version like any module
 * and hands it the running core's tables (kernel-tables.ts's Handover). takeOver checks their format
 * and builds a core around them without changing anything — it refuses by throwing, and the
 * old core serves on — and returns the core, which the swap switches to with `resume`.
 */
import { FRAME_SIZE, type BootInfo, type MachineInterface } from '../../emulator/machine-interface.ts';
import type { Handoff } from '../../boot/handoff.ts';
import { bootSequence } from './boot-sequence.ts';
import type { FramePolicy } from './frame-allocator.ts';
import { messageOf } from './kernel-log.ts';
import type { Handover } from './kernel-tables.ts';
import { Kernel, TABLES_FORMAT, TABLES_VERSION } from './kernel.ts';
import type { LoadedModule } from './loaded-module.ts';

/** What the kernel throws to panic: the bootstrap prints its message as the panic line. */
class KernelPanic extends Error {
  override name = 'KernelPanic';
}

export interface KernelEntry {
  start(machine: MachineInterface, bootInfo: BootInfo, handoff: Handoff): string;
  takeOver(handover: Handover, self: LoadedModule): Kernel;
}

export function kernelEntry(framePolicy: FramePolicy): KernelEntry {
  const entry: KernelEntry = {
    start(machine, bootInfo, handoff) {
      try {
        const kernel = new Kernel(machine, bootInfo, { handoff }, framePolicy);
        // The code a kernel swap watches once this core is replaced: its entries and its core's class.
        kernel.self.codeObjects.push(entry.start, entry.takeOver, Kernel);
        const init = bootSequence(kernel);
        const freed = kernel.frames.freeOwner(kernel.bootstrapOwner!);
        kernel.log.printk(`Freeing unused kernel memory: ${(freed * FRAME_SIZE) / 1024}K`);
        kernel.reclaim.watch('bootstrap', '', handoff.code);
        return init;
      } catch (error) {
        throw new KernelPanic(messageOf(error));
      }
    },
    takeOver(handover, self) {
      const { format, version } = handover ?? {};
      if (format !== TABLES_FORMAT || version !== TABLES_VERSION) {
        throw new Error(`kernel ${self.record.version} reads tables of format ${TABLES_FORMAT} ${TABLES_VERSION}, not ${String(format)} ${String(version)}`);
      }
      return new Kernel(handover.machine, handover.bootInfo, { handover, self }, framePolicy);
    },
  };
  return entry;
}
