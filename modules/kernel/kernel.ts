/*
 * The kernel core: the state every part of the kernel shares, created once, when the
 * bootstrap starts the kernel module (index.ts).
 *
 * It holds the machine, the kernel log, the frame allocator, the ramdisk and the module
 * records read from its index, the command-line parameters, the loader and the reclaim
 * monitor, and finds records. Everything it knows is in `tables` — plain records, built-in
 * collections and typed arrays, no instance of a class of this code and no function of it —
 * so that the tables owe this version of the kernel's code nothing and could be handed to
 * another. The classes here (allocator, loader, log, monitor, ramdisk reader) are the core's
 * working state around those tables.
 *
 * The kernel is a module of its own, first in the module table: its text frames are the ones
 * the bootstrap copied it into, its users every module that imports keel:kernel, and it has
 * no exit, so rmmod refuses it as Linux refuses a module in use.
 */
import { FRAME_SIZE, type BootInfo, type MachineInterface, type RegionKind } from '../../emulator/machine-interface.ts';
import { checkRecord, type ModuleRecord } from '../../ramdisk/module-index.ts';
import type { Handoff } from '../../boot/handoff.ts';
import { readCommandLine } from './boot-sequence.ts';
import { FrameAllocator, frameTable, framesFor, type FrameOwner, type FrameTable } from './frame-allocator.ts';
import { KernelLog, messageOf, type LogTable } from './kernel-log.ts';
import { loadedModule, type LoadedModule } from './loaded-module.ts';
import { ModuleLoader } from './loader.ts';
import { ModuleRecords, type RecordsTable } from './module-records.ts';
import { Ramdisk } from './ramdisk-reader.ts';
import { ReclaimMonitor, type ReclaimTable } from './reclaim-monitor.ts';
import { connectStubs, stubTables, type StubTables } from './stubs.ts';

/** Everything the kernel knows, as data: what another version of the core would be handed. */
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

/** The boot regions that are the base image: the bootstrap's frames. */
const BASE_IMAGE: RegionKind[] = ['kernel-text', 'kernel-init'];

export class Kernel {
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
  /** The frames of the bootstrap, freed once boot is over. */
  readonly bootstrapOwner: FrameOwner;
  /** The kernel module itself, as the module table lists it. */
  readonly self: LoadedModule;

  constructor(
    readonly machine: MachineInterface,
    readonly bootInfo: BootInfo,
    handoff: Handoff,
  ) {
    this.tables = {
      modules: new Map(), frames: frameTable(machine.debug.frameTable), log: { lines: [], quiet: false },
      reclaim: { pending: new Set(), zombies: new Set() }, records: { added: new Map(), sources: new WeakMap() }, stubs: stubTables(),
      params: new Map(), badParams: new Set(), tainted: new Set(),
    };
    ({ params: this.params, badParams: this.badParams, tainted: this.tainted } = this.tables);
    this.memory = machine.memory;
    this.signingKey = handoff.signingKey;
    this.log = new KernelLog(machine, this.tables.log);
    // The log first, so that the kernel's first line is from its first steps: what the bootstrap took until now is in it.
    readCommandLine(this);
    const { version, size } = handoff.record as ModuleRecord;
    this.log.printk(`bootstrap: kernel ${version} (${size} bytes) found, checked and compiled in ${(machine.timer.now() - handoff.started).toFixed(2)} ms`);
    // The caller of a call sees its error; a timer has no caller, so its oops goes to the console.
    connectStubs(this.tables.stubs, machine.watchdog.running, (module, symbol, error) =>
      this.log.printk(`keel: oops in ${module}.${symbol}: ${messageOf(error)}`, symbol === 'timer' ? 'error' : 'info'),
    );
    // A rejection nobody handled has no caller either: its oops goes to the console.
    machine.host.onUnhandledRejection((reason) => this.log.printk(`keel: oops${culprit(reason)}: unhandled promise rejection: ${messageOf(reason)}`, 'error'));
    this.frames = new FrameAllocator(this.tables.frames, machine.debug);
    this.bootstrapOwner = this.frames.createOwner('kernel-text', 'bootstrap');
    for (const region of bootInfo.memoryMap) {
      if (region.kind === 'free' || region.length === 0) continue;
      this.frames.reserve(region, BASE_IMAGE.includes(region.kind) ? this.bootstrapOwner : this.frames.createOwner(region.kind, region.kind));
    }
    this.ramdisk = new Ramdisk(this.memory, this.log, bootInfo.ramdisk.start, bootInfo.ramdisk.length);
    this.records = new ModuleRecords(this.ramdisk, this.tables.records);
    this.loader = new ModuleLoader(this, this.tables.modules);
    this.reclaim = new ReclaimMonitor(this, this.tables.reclaim);
    this.self = this.#registerSelf(checkRecord(handoff.record, "the kernel's record"), handoff);
  }

  /** The kernel module as a module: its text where the bootstrap put it, no exports to link (its entry is the bootstrap's), permanent. */
  #registerSelf(record: ModuleRecord, handoff: Handoff): LoadedModule {
    const self = loadedModule(record, this.frames.createOwner('text', record.name), this.frames.createOwner('data', record.name));
    this.frames.reserve({ start: handoff.text, length: framesFor(record.size) * FRAME_SIZE, kind: 'free' }, self.textOwner);
    self.exportsSlot.target = Object.freeze({});
    self.state = 'Live';
    this.tables.modules.set(record.name, self);
    if (handoff.unsigned) {
      this.tainted.add(record.name);
      this.log.printk(`${record.name}: module verification failed: signature and/or required key missing - tainting kernel`, 'warn');
    }
    return self;
  }

  /** All versions of a module, oldest first (records.versions). */
  findRecords(name: string): ModuleRecord[] {
    return this.records.versions(name);
  }

  /** The record for `name` at `version`, or its default version (records.find). */
  findRecord(name: string, version?: string, wantedBy?: string): ModuleRecord {
    return this.records.find(name, version, wantedBy);
  }
}

/** " in <module>", from the first frame of an error's stack in a module other than the kernel (its sourceURL), or nothing. */
function culprit(reason: unknown): string {
  try {
    const frame = /keel:lib\/modules\/(?!kernel\/)([a-z0-9-]+)\//.exec(String((reason as Error)?.stack));
    return frame ? ` in ${frame[1]}` : '';
  } catch {
    return '';
  }
}
