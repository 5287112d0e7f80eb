/*
 * A loaded module: what the kernel knows of one module while it is in memory.
 *
 * What holds the module's code — its slots' targets (emptied by revocation), `codeObjects`,
 * `exit` — is cleared at unload; what stays (name, counters, empty slots) holds no code, so
 * stale stubs that still point at this record do not keep freed code alive. A swap moves the
 * slots, links and data frames of the old version's record to the new version's.
 */
import type { ModuleRecord } from '../ramdisk/module-index.ts';
import type { FrameOwner } from './frame-allocator.ts';
import type { Link, Slot, StubOwner } from './stubs.ts';

/** Frames accounted to a kalloc block, and the buffer it is mapped as. */
export interface Allocation {
  first: number;
  count: number;
  buffer: ArrayBuffer;
}

export type ModuleState = 'Loading' | 'Live' | 'Unloading' | 'Unloaded' | 'Zombie';

export class LoadedModule implements StubOwner {
  state: ModuleState = 'Loading';
  calls = 0;
  active = 0;
  pending = 0;
  holding: Promise<void> | null = null;
  exportSlots = new Map<string, Slot>();
  exportsSlot: Slot = { target: null, owner: this, symbol: 'exports' };
  handedOut: WeakRef<Slot>[] = [];
  links = new Map<StubOwner, Link>();

  /** Modules this one imports, and the modules that import or hold this one. */
  readonly dependencies: LoadedModule[] = [];
  readonly users = new Set<LoadedModule>();
  /** Its kalloc blocks (each a buffer of its own, unmapped when freed) and timers, made through its kernel API. */
  readonly allocations = new Map<Uint8Array, Allocation>();
  readonly timers = new Set<number>();
  /** While an async init runs: settles when it has (the module is Live then, or gone). */
  ready: Promise<LoadedModule> | null = null;
  /** Loaded for this module while it loads (dependencies, what its init requested): given back if its load fails. */
  readonly broughtIn: LoadedModule[] = [];
  /** Why the module keeps itself loaded (keepLoaded: its own data, say), or null. */
  keptLoadedBy: string | null = null;
  /** A swap of this module is under way: it cannot be unloaded meanwhile. */
  swapping = false;

  exit: (() => unknown) | null = null;
  /** The compiled factory and what it exported: watched for collection after unload. */
  codeObjects: object[] = [];
  /** Loaded because something asked for it (request_module), not by name: autoclean may unload it. */
  onDemand = false;

  constructor(
    readonly record: ModuleRecord,
    readonly textOwner: FrameOwner,
    readonly dataOwner: FrameOwner,
  ) {}

  get name(): string {
    return this.record.name;
  }

  get version(): string {
    return this.record.version;
  }

  /** Its number for the watchdog: the id of its text frames' owner, unique among modules. */
  get id(): number {
    return this.textOwner.id;
  }

  /** A module without an exit function cannot be unloaded, as in Linux. */
  get permanent(): boolean {
    return this.exit === null;
  }
}
