/*
 * The kernel core: the state every part of the kernel shares, created once, when the
 * bootstrap starts the kernel module (index.ts).
 *
 * It holds the machine, the kernel log, the frame allocator, the ramdisk and the module
 * records read from its index, the command-line parameters, the loader and the reclaim
 * monitor, and finds records. Everything it knows is in `tables` (kernel-tables.ts) — plain
 * records, built-in collections and typed arrays, no instance of a class of this code and no
 * function of it — so that the tables owe this version of the kernel's code nothing and could
 * be handed to another. The classes here (allocator, loader, log, monitor, ramdisk reader) are
 * the core's working state around those tables. Its shape is KernelCore (kernel-core.ts), which
 * the parts that work on the whole core stand on; this file stands on every other part of the
 * kernel, and only kernel-entry.ts stands on it.
 *
 * The kernel is a module of its own, first in the module table: its text frames are the ones
 * the bootstrap copied it into, its users every module that imports keel:kernel, and it has
 * no exit, so rmmod refuses it as Linux refuses a module in use.
 *
 * A kernel swap replaces this code, not the tables: the old core's exportTables() is the
 * Handover, a new core is built around it (origin `handover`, with the staged kernel module as
 * its self) without changing anything, and at the switch the old core's suspend() and the new
 * one's resume() move the machine's timers, handlers and the GOT over (modules/swap/kernel-swap.ts).
 */
import { FRAME_SIZE, type BootInfo, type MachineInterface, type RegionKind } from '../../emulator/machine-interface.ts';
import { checkRecord, type ModuleRecord } from '../../ramdisk/module-index.ts';
import { INDEX_LINES_PATH } from '../../ramdisk/index-lines.ts';
import type { Handoff } from '../../boot/handoff.ts';
import { readCommandLine } from './boot-sequence.ts';
import { errorClasses, useErrorClasses, type ErrorClasses } from './error-classes.ts';
import { FrameAllocator, frameTable, framesFor, type FramePolicy, type FrameOwner } from './frame-allocator.ts';
import { createGot, pointGot, type Got } from './got.ts';
import { armTimer, coreApi, kernelApiFor } from './kernel-api.ts';
import type { KernelCore } from './kernel-core.ts';
import { KernelLog, messageOf } from './kernel-log.ts';
import type { Handover, KernelTables } from './kernel-tables.ts';
import { loadedModule, type LoadedModule } from './loaded-module.ts';
import { ModuleLoader } from './loader.ts';
import { publishModuleEvent } from './module-events.ts';
import { ModuleRecords } from './module-records.ts';
import { pltOf } from './plt.ts';
import { Ramdisk } from './ramdisk-reader.ts';
import { ReclaimMonitor } from './reclaim-monitor.ts';
import { callPathEntries, connectStubs, stubTables } from './stubs.ts';
import { explainZombies } from './zombie-holders.ts';

/** What a handover is: its name, and the version of its shape, which a core checks before it reads anything else. */
export const TABLES_FORMAT = 'keel-kernel-tables';
export const TABLES_VERSION = 1;

/** The boot regions that are the base image: the bootstrap's frames. */
const BASE_IMAGE: RegionKind[] = ['kernel-text', 'kernel-init'];

/** How a core comes to be: started by the bootstrap, or taking over another core's tables. */
type Origin = { handoff: Handoff } | { handover: Handover; self: LoadedModule };

export class Kernel implements KernelCore {
  // What each field is, kernel-core.ts says.
  readonly tables: KernelTables;
  readonly memory: Uint8Array;
  readonly log: KernelLog;
  readonly frames: FrameAllocator;
  readonly ramdisk: Ramdisk;
  readonly records: ModuleRecords;
  readonly params: Map<string, string>;
  readonly badParams: Set<string>;
  readonly tainted: Set<string>;
  readonly loader: ModuleLoader;
  readonly reclaim: ReclaimMonitor;
  readonly signingKey: string;
  readonly bootstrapOwner: FrameOwner | null;
  self: LoadedModule;
  readonly got: Got;
  readonly errors: ErrorClasses;

  constructor(
    readonly machine: MachineInterface,
    readonly bootInfo: BootInfo,
    origin: Origin,
    framePolicy: FramePolicy,
  ) {
    const handover = 'handover' in origin ? origin.handover : null;
    // The frame table's owner ids are in the debug device's shared words; a core that takes over works on the same words.
    this.tables = handover?.tables ?? {
      modules: new Map(), frames: frameTable(machine.debug.frameTable), log: { lines: [], quiet: false },
      reclaim: { pending: new Set(), zombies: new Set() }, records: { added: new Map(), sources: new WeakMap() }, stubs: stubTables(),
      params: new Map(), badParams: new Set(), tainted: new Set(),
    };
    ({ params: this.params, badParams: this.badParams, tainted: this.tainted } = this.tables);
    this.memory = machine.memory;
    this.log = new KernelLog(machine, this.tables.log);
    this.frames = new FrameAllocator(this.tables.frames, machine.debug, framePolicy);
    this.ramdisk = new Ramdisk(bootInfo.ramdisk, this.log);
    this.records = new ModuleRecords(this.ramdisk, this.tables.records);
    this.loader = new ModuleLoader(this, this.tables.modules, (module) => kernelApiFor(this, module));
    this.reclaim = new ReclaimMonitor(machine, this.log, this.tables.reclaim, (event, code) => publishModuleEvent(this, event, code), (codes) => explainZombies(this, codes), () => this.params.get('reclaim.explain') !== '0');
    if (handover) {
      useErrorClasses(handover.errors);
      this.errors = handover.errors;
      this.got = handover.got;
      this.signingKey = handover.signingKey;
      this.bootstrapOwner = null;
      this.self = (origin as { self: LoadedModule }).self;
      // The index as the old core read it: from its first file while the build's hints hold, else from the walk.
      if (handover.ramdiskWalked) this.ramdisk.walk('', { quiet: true });
      this.records.open(this.ramdisk.data(this.ramdisk.file(INDEX_LINES_PATH, handover.ramdiskWalked ? undefined : 0)));
      return;
    }
    const { handoff } = origin as { handoff: Handoff };
    this.errors = errorClasses();
    this.got = createGot(this.#gotEntries());
    this.signingKey = handoff.signingKey;
    // The log first, so that the kernel's first line is from its first steps: what the bootstrap took until now is in it.
    readCommandLine(this);
    const { version, size } = handoff.record as ModuleRecord;
    this.log.printk(`bootstrap: kernel ${version} (${size} bytes) found, checked and compiled in ${(machine.timer.now() - handoff.started).toFixed(2)} ms`);
    this.#connect();
    this.bootstrapOwner = this.frames.createOwner('kernel-text', 'bootstrap');
    for (const region of bootInfo.memoryMap) {
      if (region.kind === 'free' || region.length === 0) continue;
      this.frames.reserve(region, BASE_IMAGE.includes(region.kind) ? this.bootstrapOwner : this.frames.createOwner(region.kind, region.kind));
    }
    this.self = this.#registerSelf(checkRecord(handoff.record, "the kernel's record"), handoff);
  }

  /** This core's functions for the GOT. */
  #gotEntries(): Got {
    return callPathEntries(coreApi(this) as unknown as Got['api'], (module, specifier) => this.loader.requireFrom(module as LoadedModule, specifier));
  }

  /** The stubs' tables and oops sink, and the machine's unhandled rejections: this core's from now on. */
  #connect(): void {
    // The caller of a call sees its error; a timer has no caller, so its oops goes to the console.
    connectStubs(this.tables.stubs, this.machine.watchdog.running, (module, symbol, error) =>
      this.log.printk(`keel: oops in ${module}.${symbol}: ${messageOf(error)}`, symbol === 'timer' ? 'error' : 'info'),
      (line) => this.log.printk(line),
      (owner) => pltOf(owner as LoadedModule, this),
    );
    // A rejection nobody handled has no caller either: its oops goes to the console.
    this.machine.host.onUnhandledRejection((reason) => this.log.printk(`keel: oops${culprit(reason)}: unhandled promise rejection: ${messageOf(reason)}`, 'error'));
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

  /** A kernel swap, old core: the tables and everything the next core needs, in the versioned format. Changes nothing. */
  exportTables(): Handover {
    return {
      format: TABLES_FORMAT, version: TABLES_VERSION, from: this.self.record.version, tables: this.tables, got: this.got, errors: this.errors,
      machine: this.machine, bootInfo: this.bootInfo, signingKey: this.signingKey, ramdiskWalked: this.ramdisk.walked,
    };
  }

  /** A kernel swap, old core, at the switch: lets go of every machine timer it armed and of its watch registrations. */
  suspend(): void {
    for (const module of this.tables.modules.values()) {
      for (const timer of module.timers.values()) this.machine.timer.clearTimer(timer.machineTimer);
    }
    this.reclaim.suspend();
  }

  /**
   * A kernel swap, new core, at the switch (after the old core's suspend): points the GOT at
   * this core, re-arms every module timer for what is left of it (same ids), watches the code
   * the reclaim monitor was watching, takes the machine's device handlers, and becomes the
   * kernel module: `old`'s users and place in the module table are this core's, its text
   * frames freed and its code watched. Returns the text frames freed. Nothing here throws.
   */
  resume(old: LoadedModule): number {
    pointGot(this.got, this.#gotEntries());
    this.#connect();
    const now = this.machine.timer.now();
    for (const module of this.tables.modules.values()) {
      for (const [id, timer] of module.timers) armTimer(this, module, timer, Math.max(0, timer.deadline - now), id);
    }
    this.reclaim.resume();
    const self = this.self;
    self.exportSlots.clear();
    self.exportsSlot.target = Object.freeze({});
    self.permanent = true;
    for (const user of old.users) {
      self.users.add(user);
      const position = user.dependencies.indexOf(old);
      if (position >= 0) user.dependencies[position] = self;
    }
    old.users.clear();
    self.calls = old.calls;
    this.tables.modules.set(self.name, self);
    // The old core's text frames go; its code is watched until the host collects it (its continuations must settle first).
    const textFrames = old.textOwner.frames;
    this.loader.discard(old);
    return textFrames;
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
