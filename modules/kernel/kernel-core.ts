/*
 * The shape of the kernel core: what the running core (the Kernel of kernel.ts) holds and does,
 * as a type of its own. The parts of the kernel that work on the whole core — the keel:kernel
 * functions (kernel-api.ts), the boot sequence — and the modules that ask for it
 * (kernelInternals(), as keel:kernel's `Kernel`: the swap module) stand on this type, not on the
 * class, so that kernel.ts can stand on them in turn.
 */
import type { BootInfo, MachineInterface } from '../../emulator/machine-interface.ts';
import type { ModuleRecord } from '../../ramdisk/module-index.ts';
import type { ErrorClasses } from './error-classes.ts';
import type { FrameAllocator, FrameOwner } from './frame-allocator.ts';
import type { Got } from './got.ts';
import type { KernelLog } from './kernel-log.ts';
import type { Handover, KernelTables } from './kernel-tables.ts';
import type { LoadedModule } from './loaded-module.ts';
import type { ModuleLoader } from './loader.ts';
import type { ModuleRecords } from './module-records.ts';
import type { Ramdisk } from './ramdisk-reader.ts';
import type { ReclaimMonitor } from './reclaim-monitor.ts';

export interface KernelCore {
  readonly machine: MachineInterface;
  readonly bootInfo: BootInfo;
  /** Everything the core knows, as data (kernel-tables.ts): what a kernel swap hands the next core. */
  readonly tables: KernelTables;
  /** Physical memory (the firmware allocates it in the kernel's realm). */
  readonly memory: Uint8Array;
  readonly log: KernelLog;
  readonly frames: FrameAllocator;
  readonly ramdisk: Ramdisk;
  /** Every module version the ramdisk's index holds (read as they are asked for), and those added since boot. */
  readonly records: ModuleRecords;
  readonly params: Map<string, string>;
  readonly badParams: Set<string>;
  readonly tainted: Set<string>;
  readonly loader: ModuleLoader;
  readonly reclaim: ReclaimMonitor;
  /** The key module records are signed with, which the base image carried. */
  readonly signingKey: string;
  /** The frames of the bootstrap, freed once boot is over (null for a core that took over). */
  readonly bootstrapOwner: FrameOwner | null;
  /** The kernel module itself, as the module table lists it. */
  self: LoadedModule;
  /** The machine's GOT: what every module's PLT reaches the core through. */
  readonly got: Got;
  readonly errors: ErrorClasses;

  /** All versions of a module, oldest first (records.versions). */
  findRecords(name: string): ModuleRecord[];
  /** The record for `name` at `version`, or its default version (records.find). */
  findRecord(name: string, version?: string, wantedBy?: string): ModuleRecord;
  /** A kernel swap, old core: the tables and everything the next core needs, in the versioned format. Changes nothing. */
  exportTables(): Handover;
  /** A kernel swap, old core, at the switch: lets go of every machine timer it armed and of its watch registrations. */
  suspend(): void;
  /** A kernel swap, new core, at the switch: takes over from `old`, the kernel module it replaces; returns the text frames freed. */
  resume(old: LoadedModule): number;
}
