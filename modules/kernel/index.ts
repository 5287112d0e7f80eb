/*
 * The kernel module's entry: the bootstrap (boot/main.ts) compiles this module from the frames
 * it copied it into and calls `start` (boot/handoff.ts gives the calling convention).
 *
 * start builds the kernel core around its tables (kernel.ts: the log and the command line,
 * then the frame table — firmware, the bootstrap's frames, the initrd, the kernel's own text —
 * and the module table with the kernel itself in it), loads etc/modules and the init module
 * (boot-sequence.ts), then frees the bootstrap's frames ("Freeing unused kernel memory", as
 * Linux frees its __init sections) and watches the bootstrap's code until the host collects
 * it. From then on no frame of the base image is in use. It returns init's name; anything
 * that stops the boot is thrown as a KernelPanic, whose message is the panic line.
 */
import { FRAME_SIZE, type BootInfo, type MachineInterface } from '../../emulator/machine-interface.ts';
import type { Handoff } from '../../boot/handoff.ts';
import { bootSequence } from './boot-sequence.ts';
import { messageOf } from './kernel-log.ts';
import { Kernel } from './kernel.ts';

/** What the kernel throws to panic: the bootstrap prints its message as the panic line. */
class KernelPanic extends Error {
  override name = 'KernelPanic';
}

export function start(machine: MachineInterface, bootInfo: BootInfo, handoff: Handoff): string {
  try {
    const kernel = new Kernel(machine, bootInfo, handoff);
    const init = bootSequence(kernel);
    const freed = kernel.frames.freeOwner(kernel.bootstrapOwner);
    kernel.log.printk(`Freeing unused kernel memory: ${(freed * FRAME_SIZE) / 1024}K`);
    kernel.reclaim.watch('bootstrap', '', handoff.code);
    return init;
  } catch (error) {
    throw new KernelPanic(messageOf(error));
  }
}
