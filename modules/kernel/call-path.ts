/*
 * The shapes the call path between modules is made of (stubs.ts, plt.ts, got.ts): a slot
 * (what an export or a handed-out value is reached through), a link (a direction values travel
 * in between two modules), a module as stubs see it, and what a module's PLT makes. Types only:
 * the three files of the call path stand on this one, and the PLT and the stubs on the GOT, never
 * on each other: the GOT can be read first, then either of them.
 */

type AnyFunction = (...args: unknown[]) => unknown;

/** What stubs need to know of a module. */
export interface StubOwner {
  name: string;
  /** 'Unloaded' once its code is gone from the kernel's tables (see refuseUnloaded). */
  readonly state: string;
  /** The module's number for the watchdog. */
  readonly id: number;
  /** Calls made into the module through stubs (autoclean watches it for idleness). */
  calls: number;
  /**
   * Activations in flight: on the stack, and async ones whose promise has not settled — calls
   * into the module, and calls it made itself, whose settling runs its continuations.
   */
  active: number;
  pending: number;
  /**
   * Set while a swap holds calls to the module's async functions: settles when it is done. A
   * thenable, not a promise: the swap sees each held call arrive through its `then`.
   */
  holding: PromiseLike<void> | null;
  /** Slots of the module's exported functions, shared by every importer. */
  exportSlots: Map<string, Slot>;
  /** A slot holding the module's exports object, for exports that are not functions. */
  exportsSlot: Slot;
  /** Slots of callbacks and objects the module handed out, held weakly, emptied at unload. */
  handedOut: WeakRef<Slot>[];
  /** Links to the modules this one has called or handed values to. */
  links: Map<StubOwner, Link>;
  /** The module's own PLT, which makes every stub and handle it holds (null until it first needs one: plt.ts's pltOf). */
  plt: Plt | null;
}

export interface Slot {
  target: any;
  /** The module the target belongs to; a swap hands its slots to the new version. */
  owner: StubOwner;
  readonly symbol: string;
  /** Learned on the first call that returned a promise. */
  async?: boolean;
}

/** A direction of travel: values go from `callee` to `caller`. A swap re-points `callee`. */
export interface Link {
  /** Both ends move to the new version when either module is swapped. */
  caller: StubOwner;
  callee: StubOwner;
  readonly wrapped: WeakMap<object, unknown>;
  /** The caller's async calls through this link still in flight (see stubs.ts's abandonCalls). */
  waiting: Waiting;
}

/**
 * A batch of async calls in flight through one link, counted in `pending` of both ends until
 * each settles. abandonCalls takes the batch's count off both ends and marks it abandoned, so
 * that its calls' late settlements count nothing; new calls start a fresh batch.
 */
export interface Waiting {
  count: number;
  abandoned: boolean;
}

/** What one module's PLT makes. */
export interface Plt {
  makeStub(slot: Slot, link: Link): AnyFunction;
  makeHandle(slot: Slot, link: Link): object;
  /** A frozen namespace: a stub for each slot, a getter (through the GOT) for each export that is no function. */
  makeNamespace(link: Link, entries: Array<[symbol: string, slot: Slot | null]>, exportsSlot: Slot): Record<string, unknown>;
  /** The module's keel:kernel object: each function refuses once the module is unloaded, then calls got.api. */
  makeKernelApi(module: StubOwner, functions: readonly string[], values: Record<string, unknown>): Record<string, unknown>;
}
