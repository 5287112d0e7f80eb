/*
 * keel:kernel — the base kernel's API, as modules see it.
 *
 *   import { printk, kalloc, requestModule } from 'keel:kernel';
 *
 * This file only declares; tsconfig `paths` maps `keel:kernel` here so modules are type-checked
 * against it. At load time the loader links each module to its own instance of the API
 * (boot/kernel-api.ts, checked against these declarations), so that what a module allocates,
 * sets or holds is owned by that module and given back when it is unloaded.
 */

import type { ModuleRecord } from '../ramdisk/module-index.ts';

/** A module as lsmod shows it. */
export interface ModuleStatus {
  name: string;
  version: string;
  /** Bytes of text and data frames it owns. */
  size: number;
  /** Its users: modules that import it or hold it through requestModule. */
  refcount: number;
  users: string[];
  state: 'Loading' | 'Live' | 'Unloading' | 'Zombie';
  permanent: boolean;
  /** Loaded because something asked for it rather than by name (autoclean candidates). */
  onDemand: boolean;
  /** Calls made into it through stubs since it was loaded. */
  calls: number;
}

/** A module version as the ramdisk index describes it (modinfo). */
export type ModuleDescription = ModuleRecord;

/** Physical memory in frames of `frameSize` bytes, and who owns the used ones. */
export interface MemoryInfo {
  frameSize: number;
  total: number;
  free: number;
  /** Owners of used frames: kind is firmware, kernel-text, kernel-init, initrd, text (a module's code) or data. */
  owners: Array<{ kind: string; label: string; frames: number }>;
  /** Bytes of compiled code (bytecode and machine code) in the host engine. */
  hostCodeBytes: number;
}

/** A file of the ramdisk, with a copy of its bytes. */
export interface RamdiskFile {
  path: string;
  mode: number;
  mtime: number;
  data: Uint8Array;
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
/** The next line typed at the console, or null when input has ended. */
export declare function consoleReadLine(): Promise<string | null>;

/** Allocates zeroed memory in whole frames, owned by the calling module and freed at its unload. */
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

/** Loaded modules in load order, then zombies (unloaded modules whose code is still held). */
export declare function modules(): ModuleStatus[];
/** Every module version the ramdisk holds, as its index lists them. */
export declare function moduleIndex(): readonly ModuleDescription[];
/** Loads a module by name with its dependencies (modprobe). Throws ModuleError. */
export declare function loadModule(name: string, version?: string): void;
/**
 * Unloads a module (rmmod). With `unusedDependencies`, also the modules it depended on that
 * nothing else uses any more (modprobe -r). Returns the names unloaded. Throws ModuleError.
 */
export declare function unloadModule(name: string, options?: { unusedDependencies?: boolean }): string[];
/**
 * Gets a module's exports, loading it from the ramdisk first if needed (Linux's
 * request_module). The caller holds the module in use until releaseModule.
 */
export declare function requestModule<Exports = Record<string, unknown>>(name: string): Exports;
export declare function releaseModule(name: string): void;

export declare function memoryInfo(): MemoryInfo;

/** The kernel log, oldest line first. */
export declare function dmesg(): string[];
/** Every file of the ramdisk (walks the whole archive: not for a hot path). */
export declare function ramdiskFiles(): RamdiskFile[];

/** Stops the machine with an exit status. */
export declare function halt(status: number): void;
