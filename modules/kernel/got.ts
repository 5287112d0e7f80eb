/*
 * The GOT: the one object through which what modules hold (their PLT's stubs, handles,
 * namespaces and keel:kernel object: plt.ts) reaches the kernel's logic — ELF's global offset
 * table, data that the code jumps through.
 *
 *   const got = createGot(coreEntries(kernel));      // boot: the first core's functions
 *   pointGot(got, coreEntries(next));                // a kernel swap: the new core's
 *
 * It is a plain object, made once per machine and handed from core to core: re-pointing it is
 * what moves every module to the new core at once, and what lets the old core's code go, since
 * nothing else a module holds is the core's. Its keys never change (only their values), so the
 * PLT's loads of them stay monomorphic across swaps.
 */
import type { Link, Slot, StubOwner } from './call-path.ts';

/** The core's functions the PLT calls, each for what is rare on a call (see plt.ts and stubs.ts). */
export interface Got {
  /** The whole call, as stubs.ts's callThrough does it: for every case the PLT does not do inline. */
  call(link: Link, slot: Slot, member: PropertyKey | undefined, self: unknown, args: ArrayLike<unknown>, newTarget: unknown): unknown;
  /** An exception leaving the callee (thrown, or a rejection): reported as an oops; returns what the caller catches. */
  thrown(link: Link, slot: Slot, member: PropertyKey | undefined, error: unknown): unknown;
  /** A result that is an object and no promise, wrapped for the caller (an unreadable one throws). */
  result(link: Link, slot: Slot, member: PropertyKey | undefined, result: object): unknown;
  /** An abandoned call settling (stubs.ts's abandonCalls): logged; returns a promise that never settles. */
  late(link: Link, slot: Slot, member: PropertyKey | undefined, outcome: unknown, failed: boolean): Promise<never>;
  /** A result whose very inspection threw: reported, and returned for the PLT to throw. */
  unreadable(link: Link, slot: Slot, member: PropertyKey | undefined): Error;
  /** A value travelling from link.callee to link.caller, wrapped; and one the other way. */
  wrap(link: Link, value: unknown): unknown;
  wrapBack(link: Link, value: unknown): unknown;
  /** The slot's target, or ModuleUnloadedError thrown. */
  target(slot: Slot, member?: PropertyKey): any;
  /** An export that is no function, read through its module's exports slot. */
  exportValue(link: Link, exportsSlot: Slot, symbol: string): unknown;
  /** What a module's keel:kernel function throws once the module is unloaded. */
  unloadedUse(module: StubOwner, name: string): Error;
  /** A module's `require` (the loader's requireFrom). */
  require(module: StubOwner, specifier: unknown): unknown;
  /** keel:kernel's functions, each taking the calling module first. */
  api: Record<string, (module: any, first: unknown, second: unknown) => unknown>;
}

/** The GOT of a machine, pointing at its first core. */
export const createGot = (entries: Got): Got => ({ ...entries });

/** Points every entry of the GOT at `entries` (a kernel swap's switch). */
export function pointGot(got: Got, entries: Got): void {
  Object.assign(got, entries);
}
