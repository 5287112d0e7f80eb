/*
 * The bootstrap's calling convention for the kernel module — types only. The bootstrap
 * (boot/main.ts) compiles the kernel module's bundle and calls its entry:
 *
 *   exports.start(machine, bootInfo, handoff)   // → the name of the init module it started
 *
 * The bootstrap's own frames are the base image's regions of the memory map (kernel-text,
 * kernel-init), which the kernel frees once init is loaded.
 * The kernel module includes this file as kernel code includes the headers of its boot
 * protocol (Linux's bootparam.h); no other module imports anything of boot/. Everything in a
 * Handoff is plain data, but `code`: the kernel must hold nothing of the bootstrap that would
 * keep its code alive once it has returned.
 */
import type { BootInfo, MachineInterface } from '../emulator/machine-interface.ts';

export interface Handoff {
  /** The kernel's record as the index gives it: checked by the bootstrap for what it used, by the kernel for the rest. */
  record: unknown;
  /** Where the bootstrap copied the kernel's bundle (record.size bytes, from the first free frame): its text, compiled from there. */
  text: number;
  /** The key the base image carries (raw Ed25519, hex), which the kernel checks every module's record with. */
  signingKey: string;
  /** The kernel's record did not verify against that key: the kernel boots tainted (with module.sig_enforce=1 it was refused). */
  unsigned: boolean;
  /** The machine clock when the bootstrap began. */
  started: number;
  /** Functions of the bootstrap, for the reclaim monitor to watch until the host collects them. */
  code: object[];
}

/**
 * The kernel module's entry. It returns once init is started, with init's name. To refuse to
 * boot it throws an error named KernelPanic, whose message is the panic line; anything else
 * it throws, and any other result, the bootstrap reports as the kernel's fault.
 */
export type KernelStart = (machine: MachineInterface, bootInfo: BootInfo, handoff: Handoff) => string;
