/*
 * keel:kernel — the kernel module's API, as other modules see it.
 *
 *   import { printk, kalloc, requestModule } from 'keel:kernel';
 *
 * This file only declares; tsconfig `paths` maps `keel:kernel` here so modules are type-checked
 * against it. At load time the loader links each module to its own instance of the API
 * (modules/kernel/kernel-api.ts, checked against these declarations), so that what a module
 * allocates, sets or holds is owned by that module and given back when it is unloaded.
 * Importing it makes the kernel a dependency of the module, as importing any module does:
 * `modinfo` lists it, and `lsmod` counts the module among the kernel's users.
 */

import type { LineRequest } from '../../emulator/machine-interface.ts';
import type { KernelCore } from './kernel-core.ts';

/**
 * What a module hands over to its next version during a swap. A module takes part in a swap
 * of its state by exporting a pair of hooks:
 *
 *   export function exportState(): StateHandover
 *   export function importState(state: StateHandover, fromVersion: string): void
 *
 * `format` is the version of the state's shape, which both versions agree on; importState
 * throws to refuse a format it cannot read (the swap then rolls back, the old version keeps
 * serving). `entries` is what the swap reports as transferred.
 *
 * Keep the pause short: both hooks run while calls to the module wait. Hand over your own
 * structures rather than copies of them (`data: store`, not `data: [...store]`), and adopt
 * them in importState (`store = state.data`): the old version is gone after the swap, so
 * nothing else uses them, and nothing proportional to their size is done or left for the
 * garbage collector. importState must not change what it was given until it can no longer
 * throw: a swap that rolls back leaves the old version serving with its state as it is.
 *
 * Objects. Instances of the module's exported classes — handed out to other modules, or in the
 * state — move to the new version's class of the same name. The swap makes a new object of
 * the new class for each and re-points every reference to it that it can reach: the handles
 * other modules hold (which keep their identity), the state and the arrays, Maps, Sets and
 * plain objects inside it, and the objects' own fields. importState therefore sees the new
 * objects. An object that keeps its state in public fields needs nothing: the new object is a
 * copy of its fields. A class with private fields (`#x`), which no other class can read, hands
 * its state over itself, and the new version builds its object from that:
 *
 *   exportInstance(): unknown                                  // method of the old version's class
 *   static importInstance(saved: unknown, fromVersion: string) // the new version's: returns the object
 *
 * Either side may be missing: without exportInstance the saved form is a plain copy of the
 * object's own fields; without importInstance the new object is a copy of the saved form.
 * References in the saved form to other objects being moved are re-pointed before
 * importInstance sees them (a cycle of objects built by importInstance cannot be, and rolls the
 * swap back). Then the new class's `static migrateInstance(object, fromVersion)`, if it has
 * one, can fill in fields the old version did not have. Every hook may throw: the swap rolls
 * back and every old object is as it was — identity, fields and class. exportInstance must
 * not change the object it writes out.
 *
 * `objects`, if given, is the part of `data` where such objects are (null: nowhere): the swap
 * then looks only there, so that a large state of plain data costs nothing to walk. Without
 * it the swap looks through all of `data` if the module exports a class, and not at all if
 * it exports none.
 */
export interface StateHandover {
  format: number;
  entries: number;
  data: unknown;
  objects?: unknown;
}

/** Thrown by a stub whose module has been unloaded: it never runs freed code. */
export declare class ModuleUnloadedError extends Error {
  constructor(module: string, symbol: string);
  readonly module: string;
  readonly symbol: string;
}

/** Thrown when a module cannot be loaded or unloaded; its message is one line for the user. */
export declare class ModuleError extends Error {}

/** Appends a line to the kernel log (dmesg); warnings and errors also reach the console. */
export declare function printk(message: string, level?: 'info' | 'warn' | 'error'): void;
/** Writes text to the console. */
export declare function consoleWrite(text: string): void;
/** The next line typed at the console, or null when input has ended (LineRequest: prompt, Tab, Ctrl-C). */
export declare function consoleReadLine(request?: LineRequest): Promise<string | null>;

/**
 * Allocates zeroed memory in whole frames, owned by the calling module and freed at its unload.
 * The block is a buffer of its own (an MMU mapping, not a window on physical memory): kfree, or
 * the module's unload, unmaps it, and every view of it is empty from then on.
 */
export declare function kalloc(bytes: number): Uint8Array;
/** Frees memory from kalloc. */
export declare function kfree(buffer: Uint8Array): void;

/** Milliseconds since power-on. */
export declare function now(): number;
/** Calls `callback` after `milliseconds`; cancelled automatically if the module is unloaded. */
export declare function setTimer(callback: () => void, milliseconds: number): number;
export declare function clearTimer(id: number): void;

/** The kernel command line, and one parameter of it ("autoclean=30" → param("autoclean") = "30"). */
export declare const cmdline: string;
export declare function param(name: string): string | undefined;
/** What numberParam accepts: a number from `min` to `max` (whole ones only, unless `whole: false`), else `fallback`. */
export interface NumberRange {
  fallback: number;
  min: number;
  max: number;
  whole?: boolean;
}

/**
 * A numeric parameter ("kv.capacity=2000" → 2000), checked: unset or empty gives the fallback;
 * anything out of the range is said in one warning (once) and gives the fallback too.
 */
export declare function numberParam(name: string, range: NumberRange): number;

/**
 * Loads a module by name with its dependencies (modprobe). Throws ModuleError. Where an init
 * is async, returns a promise that settles once it has finished (and rejects if it failed).
 */
export declare function loadModule(name: string, version?: string): void | Promise<void>;
/** Unloads a module (rmmod): refused while it has users or has no exit. Throws ModuleError. */
export declare function unloadModule(name: string): void;
/**
 * Gets a module's exports, loading it from the ramdisk first if needed (Linux's
 * request_module). The caller holds the module in use until releaseModule.
 */
export declare function requestModule<Exports = Record<string, unknown>>(name: string): Exports;
export declare function releaseModule(name: string): void;
/**
 * Keeps the calling module loaded while it holds something that would be lost with it (the
 * files of /tmp, say): rmmod and autoclean refuse it, saying `reason`, until allowUnload.
 */
export declare function keepLoaded(reason: string): void;
export declare function allowUnload(): void;

/**
 * Stops waiting for every async call the calling module has in flight (the shell's Ctrl-C):
 * they no longer count as in flight, so they keep neither it nor their callees in use (swap,
 * rmmod). They run on; when one settles, a line in the kernel log says so, its result or
 * error is dropped, and the code that awaited it never resumes. Returns how many it let go.
 */
export declare function abandonCalls(): number;

/** The kernel log, oldest line first. */
export declare function dmesg(): string[];

/**
 * The kernel itself, for kernel extensions that must work on its tables (the swap module).
 * Like Linux's internal symbols, this is no stable interface: use the functions above. Ask for
 * it each time you need it: a kernel swap replaces it, and one kept keeps the old core alive.
 */
export declare function kernelInternals(): KernelCore;
export type { Completion, LineRequest } from '../../emulator/machine-interface.ts';
export type { KernelCore as Kernel } from './kernel-core.ts';
export type { Handover } from './kernel-tables.ts';
export type { ModuleSource } from './ramdisk-reader.ts';
export type { LoadedModule } from './loaded-module.ts';
export type { Slot } from './call-path.ts';
export type { ModuleRecord } from '../../ramdisk/module-index.ts';

/** Stops the machine with an exit status. */
export declare function halt(status: number): void;
