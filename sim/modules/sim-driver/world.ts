/*
 * The driver's world: the kernel's tables it checks, the seeded random source, the trace, and
 * the model — what the driver has done and therefore expects. The model is kept apart from the
 * kernel's own bookkeeping so that the two can be compared: which modules the driver holds,
 * what the sim-store must contain, which listeners the relay keeps, the tallies, callbacks and
 * namespaces it kept, the calls still in flight and what they keep pending, and the fixtures
 * whose init requested INIT_HELPER and hold it.
 *
 * Incarnations and lives: every time a new LoadedModule takes a name (a load or a swap) the name
 * gets a new incarnation; a load after an unload also starts a new life. Callbacks die with their
 * incarnation, namespaces and object handles with their life.
 */
import { kernelInternals, releaseModule, requestModule, type LoadedModule } from 'keel:kernel';
import { LogWatch } from './log-watch.ts';
import type { Random } from './prng.ts';
import { Trace } from './trace.ts';
import type { Violation } from './violation.ts';

/** The modules the driver loads, unloads, swaps and calls; sim-hog takes no injected faults. */
export const FIXTURES = ['sim-store', 'sim-relay', 'sim-client', 'sim-audit', 'sim-hog'] as const;
export const STATEFUL = ['sim-store', 'sim-relay', 'sim-client'];

export type Snapshot = Map<string, LoadedModule>;
export type FrameOwner = LoadedModule['textOwner'];

export interface HeldTally {
  handle: { add(id: number): number };
  life: number | undefined;
  count: number;
}

export class World {
  readonly trace = new Trace();
  readonly log = new LogWatch(kernelInternals());
  step = 0;
  nextId = 1;
  readonly incarnation = new Map<string, number>();
  readonly life = new Map<string, number>();
  /** The driver's requestModule holds: count of uses, and the namespace of the hold. */
  readonly holds = new Map<string, { count: number; exports: any }>();
  /** What the live sim-store must hold, and how many times each key has been written. */
  readonly store = new Map<string, string>();
  readonly writes = new Map<string, number>();
  /** The relay's listeners, by token, with the client incarnation that subscribed them. */
  listeners: Array<{ token: number; client: number | undefined }> = [];
  tallies: HeldTally[] = [];
  callbacks: Array<{ call: (id: number) => string; client: number | undefined }> = [];
  namespaces: Array<{ name: string; exports: any; life: number | undefined }> = [];
  /** Modules the driver holds across steps (the hold and release operations). */
  longHolds: string[] = [];
  /** sim-client holds sim-store through requestModule. */
  borrowing = false;
  readonly inflight = new Set<Promise<void>>();
  /** Calls in flight that the driver holds no module for, by the modules they keep busy. */
  readonly busy = new Map<string, number>();
  /** What the kernel must count as async calls in flight (`pending`), by module, for the driver's calls in flight. */
  readonly pending = new Map<string, number>();
  /** Fixtures whose init requested INIT_HELPER (a self-request fault) and so hold it, until they are unloaded. */
  readonly helperHolders = new Set<string>();
  /** The first violation found in a call that settled between steps. */
  deferred: Violation | null = null;
  /** Frame owners that are no module's: the boot regions (firmware, kernel text, ramdisk). */
  readonly bootOwners: Set<FrameOwner>;
  #seen: Snapshot;
  #nextIncarnation = 1;

  constructor(readonly random: Random) {
    this.#seen = this.snapshot();
    const moduleOwners = new Set([...this.#seen.values()].flatMap((module) => [module.textOwner, module.dataOwner]));
    this.bootOwners = new Set(this.kernel.frames.ownerList().filter((owner) => !moduleOwners.has(owner)));
  }

  /** The kernel core answering now: asked each time, since a kernel swap replaces it (and kept, it would keep the old core alive). */
  get kernel() {
    return kernelInternals();
  }

  snapshot(): Snapshot {
    return new Map(this.kernel.loader.modules);
  }

  loaded(name: string): LoadedModule | undefined {
    return this.kernel.loader.modules.get(name);
  }

  version(name: string): string | undefined {
    return this.loaded(name)?.record.version;
  }

  /** Frames `module` owns, text and data. */
  framesOf(module: LoadedModule): number {
    return module.textOwner.frames + module.dataOwner.frames;
  }

  /** Memory is short: the hog holds frames, or little is free. Loads may then fail. */
  tight(): boolean {
    return (this.loaded('sim-hog')?.dataOwner.frames ?? 0) > 0 || this.kernel.frames.free < 64;
  }

  /** The namespace of `name`, held until `release`; loads it on demand (throws ModuleError). */
  acquire<Exports>(name: string): Exports {
    let hold = this.holds.get(name);
    if (!hold) {
      hold = { count: 0, exports: requestModule(name) };
      this.holds.set(name, hold);
    }
    hold.count++;
    return hold.exports as Exports;
  }

  release(name: string): void {
    const hold = this.holds.get(name)!;
    if (--hold.count > 0) return;
    this.holds.delete(name);
    releaseModule(name);
  }

  /** Marks `names` busy with one more call; returns what marks the call settled. */
  busyUntilSettled(names: string[]): () => void {
    return countUntilSettled(this.busy, Object.fromEntries(names.map((name) => [name, 1])));
  }

  /** Adds a call's pending counts (module → count); returns what takes them off when it settles. */
  pendingUntilSettled(counts: Record<string, number>): () => void {
    return countUntilSettled(this.pending, counts);
  }

  /** A violation found where it cannot be thrown (a call settling later): the next check throws it. */
  defer(violation: Violation): void {
    this.deferred ??= violation;
  }

  /**
   * Takes in what an operation changed in the kernel's table (the operation has checked that
   * the change is the one it expected): new incarnations and lives, and what dies with a life.
   */
  observe(): void {
    const now = this.snapshot();
    for (const name of this.#seen.keys()) if (!now.has(name)) this.#unloaded(name);
    for (const [name, module] of now) {
      if (this.#seen.get(name) === module) continue;
      this.incarnation.set(name, this.#nextIncarnation);
      if (!this.#seen.has(name)) this.life.set(name, this.#nextIncarnation);
      this.#nextIncarnation++;
    }
    this.#seen = now;
  }

  #unloaded(name: string): void {
    this.incarnation.delete(name);
    this.life.delete(name);
    if (name === 'sim-store') this.store.clear();
    if (name === 'sim-relay') this.listeners = [];
    if (name === 'sim-client') this.borrowing = false;
    this.helperHolders.delete(name);
  }
}

function countUntilSettled(into: Map<string, number>, counts: Record<string, number>): () => void {
  for (const [name, count] of Object.entries(counts)) into.set(name, (into.get(name) ?? 0) + count);
  return () => {
    for (const [name, count] of Object.entries(counts)) if (into.set(name, into.get(name)! - count).get(name) === 0) into.delete(name);
  };
}
