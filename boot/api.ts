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

import type { Kernel } from './kernel.ts';

/**
 * What a module hands over to its next version during a swap. A module takes part in a swap
 * of its state by exporting a pair of hooks:
 *
 *   export function exportState(): StateHandover
 *   export function importState(state: StateHandover, fromVersion: string): void
 *
 * `format` is the version of the state's shape, which both versions agree on; importState
 * throws to refuse a format it cannot read (the swap then rolls back, the old version keeps
 * serving). `entries` is what the swap reports as transferred. importState must not change
 * the objects it is given: instances of the module's classes in the state, or handed out to
 * other modules, are moved to the new version's class of the same name by the swap itself
 * afterwards, which then calls that class's static `migrateInstance(instance, fromVersion)`.
 */
export interface StateHandover {
  format: number;
  entries: number;
  data: unknown;
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

/** Loads a module by name with its dependencies (modprobe). Throws ModuleError. */
export declare function loadModule(name: string, version?: string): void;
/** Unloads a module (rmmod): refused while it has users or has no exit. Throws ModuleError. */
export declare function unloadModule(name: string): void;
/**
 * Gets a module's exports, loading it from the ramdisk first if needed (Linux's
 * request_module). The caller holds the module in use until releaseModule.
 */
export declare function requestModule<Exports = Record<string, unknown>>(name: string): Exports;
export declare function releaseModule(name: string): void;


/** The kernel log, oldest line first. */
export declare function dmesg(): string[];

/**
 * The kernel itself, for kernel extensions that must work on its tables (the swap module).
 * Like Linux's internal symbols, this is no stable interface: use the functions above.
 */
export declare function kernelInternals(): Kernel;
export type { Kernel } from './kernel.ts';
export type { ModuleSource } from './ramdisk-reader.ts';
export type { LoadedModule } from './loaded-module.ts';
export type { Slot } from './stubs.ts';
export type { ModuleRecord } from '../ramdisk/module-index.ts';

/** Stops the machine with an exit status. */
export declare function halt(status: number): void;
