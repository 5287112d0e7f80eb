/*
 * The kernel's tables: everything a core knows, as plain data — records, built-in collections
 * and typed arrays, no instance of a class of the kernel's code and no function of it — and
 * the Handover, what one core hands the next in a kernel swap (its format, `keel-kernel-tables`
 * version 1, is written by kernel.ts's exportTables and checked by kernel-entry.ts's takeOver
 * before anything else is read). Types only.
 *
 * Each table is defined beside the part of the kernel that works on it (the frame table in
 * frame-allocator.ts, the log's in kernel-log.ts ...); this file only gathers them, and so
 * stands above those parts and below the core (kernel-core.ts, kernel.ts) that holds them.
 */
import type { BootInfo, MachineInterface } from '../../emulator/machine-interface.ts';
import type { ErrorClasses } from './error-classes.ts';
import type { FrameTable } from './frame-allocator.ts';
import type { Got } from './got.ts';
import type { LogTable } from './kernel-log.ts';
import type { LoadedModule } from './loaded-module.ts';
import type { RecordsTable } from './module-records.ts';
import type { ReclaimTable } from './reclaim-monitor.ts';
import type { StubTables } from './stubs.ts';

/** Everything the kernel knows, as data: what another version of the core is handed. */
export interface KernelTables {
  /** Loaded modules by name, in load order, the kernel first. */
  modules: Map<string, LoadedModule>;
  frames: FrameTable;
  log: LogTable;
  reclaim: ReclaimTable;
  records: RecordsTable;
  stubs: StubTables;
  params: Map<string, string>;
  /** Parameters already said to be invalid (numberParam says so once). */
  badParams: Set<string>;
  /** Modules that loaded without a valid signature: the kernel is tainted (Linux's flag E). */
  tainted: Set<string>;
}

/**
 * What one core hands the next in a kernel swap (`exportTables`, read by `takeOver`): the
 * tables, the GOT and the error classes (made once per machine, no core's code), and what the
 * core was started with. All of it plain data but the GOT's values, which the new core
 * replaces, and the machine's devices.
 */
export interface Handover {
  format: string;
  version: number;
  /** The kernel version that wrote it. */
  from: string;
  tables: KernelTables;
  got: Got;
  errors: ErrorClasses;
  machine: MachineInterface;
  bootInfo: BootInfo;
  signingKey: string;
  /** Whether the ramdisk had to be walked (its hints did not hold): the new core walks it again, silently. */
  ramdiskWalked: boolean;
}
