/*
 * A loaded module: what the kernel knows of one module while it is in memory.
 *
 *   const module = loadedModule(record, textOwner, dataOwner);   // state Loading
 *
 * It is a plain record — an object literal of data, built-in collections and the module's own
 * functions (its code's, and its PLT's: plt.ts), no class and no function of the kernel's — so that it owes the kernel's code
 * nothing: another version of the kernel can take the module table over as it is. What holds
 * the module's code — its slots' targets (emptied by revocation), `codeObjects`, `exit` — is
 * cleared at unload; what stays (name, counters, empty slots) holds no code, so stale stubs
 * that still point at this record do not keep freed code alive. A swap moves the slots, links
 * and data frames of the old version's record to the new version's.
 */
import type { ModuleRecord } from '../../ramdisk/module-index.ts';
import type { FrameOwner } from './frame-allocator.ts';
import type { Link, Slot, StubOwner } from './call-path.ts';

/** Frames accounted to a kalloc block, and the buffer it is mapped as. */
export interface Allocation {
  first: number;
  count: number;
  buffer: ArrayBuffer;
}

/** A timer a module set: what it calls and when (kernel clock), and the machine timer armed for it. */
export interface ModuleTimer {
  callback: () => unknown;
  deadline: number;
  machineTimer: number;
}

export type ModuleState = 'Loading' | 'Live' | 'Unloading' | 'Unloaded' | 'Zombie';

export interface LoadedModule extends StubOwner {
  readonly record: ModuleRecord;
  readonly name: string;
  /** Its number for the watchdog: the id of its text frames' owner, unique among modules. */
  readonly id: number;
  readonly textOwner: FrameOwner;
  readonly dataOwner: FrameOwner;
  state: ModuleState;
  /** Modules this one imports, and the modules that import or hold this one. */
  readonly dependencies: LoadedModule[];
  readonly users: Set<LoadedModule>;
  /** Its kalloc blocks (each a buffer of its own, unmapped when freed) and timers (by the id it was given), made through its kernel API. */
  readonly allocations: Map<Uint8Array, Allocation>;
  readonly timers: Map<number, ModuleTimer>;
  /** While an async init runs: settles when it has (the module is Live then, or gone). */
  ready: Promise<LoadedModule> | null;
  /** Loaded for this module while it loads (dependencies, what its init requested): given back if its load fails. */
  readonly broughtIn: LoadedModule[];
  /** Why the module keeps itself loaded (keepLoaded: its own data, say), or null. */
  keptLoadedBy: string | null;
  /** A swap of this module is under way: it cannot be unloaded meanwhile. */
  swapping: boolean;
  exit: (() => unknown) | null;
  /** It has no exit, so it cannot be unloaded, as in Linux (decided when it is linked). */
  permanent: boolean;
  /** The compiled factory and what it exported: watched for collection after unload. */
  codeObjects: object[];
  /** Loaded because something asked for it (request_module), not by name: autoclean may unload it. */
  onDemand: boolean;
}

export function loadedModule(record: ModuleRecord, textOwner: FrameOwner, dataOwner: FrameOwner): LoadedModule {
  const module: LoadedModule = {
    record, name: record.name, id: textOwner.id, textOwner, dataOwner, state: 'Loading',
    calls: 0, active: 0, pending: 0, holding: null,
    exportSlots: new Map<string, Slot>(), exportsSlot: null!, handedOut: [], links: new Map<StubOwner, Link>(),
    dependencies: [], users: new Set(), allocations: new Map(), timers: new Map(), ready: null, broughtIn: [],
    keptLoadedBy: null, swapping: false, exit: null, permanent: true, codeObjects: [], onDemand: false, plt: null,
  };
  module.exportsSlot = { target: null, owner: module, symbol: 'exports' };
  return module;
}
