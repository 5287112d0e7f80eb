/*
 * The resident kernel: the state every part of the base kernel shares, created once at boot.
 *
 * It holds the machine, the kernel log, the frame allocator, the ramdisk and its module index,
 * the command-line parameters, the loader and the reclaim monitor, and finds index records.
 */
import type { BootInfo, MachineInterface } from '../emulator/machine-interface.ts';
import type { ModuleRecord } from '../ramdisk/module-index.ts';
import { FrameAllocator, type FrameOwner } from './frame-allocator.ts';
import { KernelLog, messageOf } from './kernel-log.ts';
import { ModuleError, ModuleLoader } from './loader.ts';
import { RamdiskReader } from './ramdisk-reader.ts';
import { ReclaimMonitor } from './reclaim-monitor.ts';
import { connectStubs } from './stubs.ts';

/** A place module bundles can be read from: the boot ramdisk, or memory a module filled. */
export interface ModuleSource {
  /** The bytes of `record`'s bundle (checked by the loader against the record's size and hash). */
  moduleBytes(record: ModuleRecord): Uint8Array;
}

export class Kernel {
  /** Physical memory (the firmware allocates it in the kernel's realm). */
  readonly memory: Uint8Array;
  readonly log: KernelLog;
  readonly frames: FrameAllocator;
  readonly ramdisk: RamdiskReader;
  /** Module records by name, every version the ramdisk holds. Filled by the boot code. */
  readonly index = new Map<string, ModuleRecord[]>();
  readonly params = new Map<string, string>();
  /** Parameters already said to be invalid (numberParam says so once). */
  readonly badParams = new Set<string>();
  /** Modules that loaded without a valid signature: the kernel is tainted (Linux's flag E). */
  readonly tainted = new Set<string>();
  /** Where a record's bundle lives when it is not in the boot ramdisk (sent by the dev loop). */
  readonly sources = new WeakMap<ModuleRecord, ModuleSource>();
  readonly loader = new ModuleLoader(this);
  readonly reclaim = new ReclaimMonitor(this);
  /** The frames of the boot-only code, freed once boot is over. */
  readonly initOwner: FrameOwner;

  constructor(
    readonly machine: MachineInterface,
    readonly bootInfo: BootInfo,
  ) {
    this.memory = machine.memory;
    this.log = new KernelLog(machine);
    // The caller of a call sees its error; a timer has no caller, so its oops goes to the console.
    connectStubs(machine.watchdog.running, (module, symbol, error) =>
      this.log.printk(`keel: oops in ${module}.${symbol}: ${messageOf(error)}`, symbol === 'timer' ? 'error' : 'info'),
    );
    // A rejection nobody handled has no caller either: its oops goes to the console.
    machine.host.onUnhandledRejection((reason) => this.log.printk(`keel: oops${culprit(reason)}: unhandled promise rejection: ${messageOf(reason)}`, 'error'));
    this.frames = new FrameAllocator(machine.memory.length, machine.debug);
    let initOwner: FrameOwner | undefined;
    for (const region of bootInfo.memoryMap) {
      if (region.kind === 'free') continue;
      const owner = this.frames.createOwner(region.kind, region.kind);
      this.frames.reserve(region, owner);
      if (region.kind === 'kernel-init') initOwner = owner;
    }
    this.initOwner = initOwner!;
    this.ramdisk = new RamdiskReader(this.memory, bootInfo.ramdisk.start, bootInfo.ramdisk.length);
  }

  /** All versions of a module in the ramdisk. */
  findRecords(name: string): ModuleRecord[] {
    return this.index.get(name) ?? [];
  }

  /** The record for `name` at `version`, or its default version. */
  findRecord(name: string, version?: string, wantedBy?: string): ModuleRecord {
    const records = this.findRecords(name);
    const record = version ? records.find((candidate) => candidate.version === version) : (records.find((candidate) => candidate.default) ?? records[0]);
    if (record) return record;
    const what = version && records.length > 0 ? `version ${version} of module ${name}` : `module ${name}`;
    throw new ModuleError(`${what} not found in the ramdisk${wantedBy ? ` (needed by ${wantedBy})` : ''}`);
  }
}

/** " in <module>", from the first module frame of an error's stack (its sourceURL), or nothing. */
function culprit(reason: unknown): string {
  try {
    const frame = /keel:lib\/modules\/([a-z0-9-]+)\//.exec(String((reason as Error)?.stack));
    return frame ? ` in ${frame[1]}` : '';
  } catch {
    return '';
  }
}
