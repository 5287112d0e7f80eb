/*
 * Stubs: the one indirection between modules (K42's object translation table).
 *
 * A module never holds another module's functions. Importing `keel:x` gives a namespace of
 * stubs that call through x's export slots; a function or class instance that crosses a
 * boundary (an argument, a return value, a resolved promise) is wrapped the same way, owned
 * by the module that made it. Unloading a module empties its slots: every stale stub then
 * throws ModuleUnloadedError instead of running freed code, and no stub keeps the module's
 * code alive, so the host engine can collect it.
 *
 * Plain data — primitives, plain objects, arrays, built-ins such as Uint8Array or Map —
 * crosses as it is. A plain object carrying functions therefore hands out raw references;
 * that is the one way a module can keep another's code alive, and the reclamation check
 * reports it (state Zombie) rather than hiding it.
 *
 * A module's code can outlive its unload: a promise continuation that no stub counted still
 * runs. Calls it makes through stubs then throw ModuleUnloadedError naming the unloaded
 * caller, so it reaches no module and takes nothing (its kernel API refuses the same way).
 *
 * An exception that leaves a module's function is an oops: reported once (with the module and
 * symbol it left) and passed on to the caller. Each call also writes the callee's id into the
 * watchdog's shared word, so a host-side watchdog can name the module that hung the machine.
 *
 * The stubs and handles themselves are made by each module's PLT (plt.ts), which does the
 * common call inline and reaches this file's functions through the GOT (got.ts) for the rest:
 * this file is the core's side of the call path, and nothing a module holds is its code.
 *
 * What stubs remember — which values are stubs or handles already, which errors were reported
 * — is in StubTables, plain built-in collections that connectStubs hands this file once at
 * boot, so that it lives with the kernel's other tables and not in this code's variables.
 */
import { ModuleUnloadedError } from './error-classes.ts';
import type { Link, Plt, Slot, StubOwner } from './call-path.ts';
import type { Got } from './got.ts';

type AnyFunction = (...args: unknown[]) => unknown;
type Arguments = ArrayLike<unknown> & { [index: number]: unknown };

/**
 * Built-ins the call path uses, read once: in a vm context every lookup of a global goes
 * through the context's interceptor, about 100 ns a time on Node 20 (the benchmark found it).
 * The loader and the unloader take NativePromise from here too.
 */
export const NativePromise = Promise;
const { apply, construct } = Reflect;

/** What stubs remember across calls. */
export interface StubTables {
  /** Every stub and object handle made, so that none is wrapped again. */
  wrappers: WeakSet<object>;
  /** Errors already reported as an oops, so that one fault crossing many stubs is one report. */
  reported: WeakSet<object>;
}

export const stubTables = (): StubTables => ({ wrappers: new WeakSet(), reported: new WeakSet() });

let wrappers: WeakSet<object>;
let reported: WeakSet<object>;
/** Prototype → whether its constructor is built in (Object, Array, Map, Uint8Array, ...): a cache, rebuilt by whoever runs this code. */
const builtInPrototypes = new WeakMap<object, boolean>();
const functionSource = Function.prototype.toString;

let running: Int32Array = new Int32Array(1);
/** An owner's PLT, compiled at its first need (plt.ts's pltOf, which this file cannot import: the call path's rule). */
let pltOf: (owner: StubOwner) => Plt;
let oopsSink: (module: string, symbol: string, error: unknown) => void;
/** Where the line about an abandoned call's late settlement goes (the kernel log). */
let lateSink: (line: string) => void;
const promiseThen = NativePromise.prototype.then;

/** Exports only the kernel calls: a namespace leaves them out, so no other module can. */
export const KERNEL_HOOKS = new Set(['init', 'exit', 'exportState', 'importState']);

/** Connects stubs to the kernel, once at boot: their tables, the watchdog's word, where oopses and late settlements go, how an owner's PLT is had. */
export function connectStubs(tables: StubTables, watchdogWord: Int32Array, sink: typeof oopsSink, late: typeof lateSink, plt: typeof pltOf): void {
  ({ wrappers, reported } = tables);
  running = watchdogWord;
  oopsSink = sink;
  lateSink = late;
  pltOf = plt;
}

const memberName = (symbol: string, member?: PropertyKey) => (member === undefined ? symbol : `${symbol}.${String(member)}`);

/** Reports an exception leaving `owner.symbol` as an oops, once however many modules it crosses. */
export function oops(owner: StubOwner, error: unknown, symbol: string, member?: PropertyKey): void {
  if (Object(error) === error) {
    if (reported.has(error as object)) return;
    reported.add(error as object);
  }
  oopsSink(owner.name, memberName(symbol, member), error);
}

/** An async function's promise, from code of `owner` no caller waits for (a timer): a rejection is an oops. */
export function reportRejection(owner: StubOwner, result: unknown, symbol: string): void {
  if (result instanceof NativePromise) promiseThen.call(result, undefined, (error) => oops(owner, error, symbol));
}

/** Reads what a catcher reads of an error; throws if that throws (a getter, a Proxy's trap). */
function touch(error: Error): string {
  return `${error.name}: ${error.message}`;
}

/**
 * A thrown value on its way from `link.callee` to `link.caller`: wrapped by the rule for
 * results. One that cannot even be looked at (a Proxy whose traps throw) becomes an error
 * saying so, so that the catcher can always read what it caught.
 */
function thrownAcross(link: Link, error: unknown, symbol: string, member?: PropertyKey): unknown {
  try {
    const crossing = wrapValue(link, error);
    // An Error crosses as it is: what the catcher will read of it must be readable.
    if (crossing === error && Object(error) === error) touch(error as Error);
    return crossing;
  } catch {
    return new Error(`${link.callee.name}.${memberName(symbol, member)} threw a value that cannot be read`);
  }
}

/**
 * Runs code of `owner` that no stub calls (its init and exit, its timers), named to the
 * watchdog. With a `symbol`, an exception is also reported as an oops of `owner.symbol`.
 */
export function runAs<Result>(owner: StubOwner, code: () => Result, symbol?: string): Result {
  const previous = running[0]!;
  running[0] = owner.id;
  try {
    return code();
  } catch (error) {
    if (symbol) oops(owner, error, symbol);
    throw error;
  } finally {
    running[0] = previous;
  }
}

export function linkBetween(caller: StubOwner, callee: StubOwner): Link {
  let link = caller.links.get(callee);
  if (!link) caller.links.set(callee, (link = { caller, callee, wrapped: new WeakMap(), waiting: { count: 0, abandoned: false } }));
  return link;
}

/** Data is an object whose class is built in; an instance of a module's class carries its code. */
function isDataObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  if (prototype === null) return true;
  let builtIn = builtInPrototypes.get(prototype);
  if (builtIn === undefined) {
    builtIn = functionSource.call(prototype.constructor).endsWith('{ [native code] }');
    builtInPrototypes.set(prototype, builtIn);
  }
  return builtIn;
}

function remember(owner: StubOwner, slot: Slot): void {
  owner.handedOut.push(new WeakRef(slot));
  if (owner.handedOut.length % 1024 === 0) owner.handedOut = owner.handedOut.filter((reference) => reference.deref());
}

function liveTarget(slot: Slot, member?: PropertyKey): any {
  if (slot.target === null) throw new ModuleUnloadedError(slot.owner.name, memberName(slot.symbol, member));
  return slot.target;
}

/** Wraps a value travelling from `link.callee` to `link.caller`. */
export function wrapValue(link: Link, value: unknown): unknown {
  if (typeof value === 'function') {
    if (wrappers.has(value)) return value;
    let stub = link.wrapped.get(value);
    if (!stub) {
      const slot: Slot = { target: value, owner: link.callee, symbol: value.name || 'callback' };
      remember(link.callee, slot);
      link.wrapped.set(value, (stub = pltOf(link.caller).makeStub(slot, link)));
    }
    return stub;
  }
  if (typeof value !== 'object' || value === null || wrappers.has(value)) return value;
  if (value instanceof NativePromise) return promiseThen.call(value, (result) => wrapValue(link, result));
  if (isDataObject(value)) return value;
  let handle = link.wrapped.get(value);
  if (!handle) link.wrapped.set(value, (handle = makeObjectHandle(link, value)));
  return handle;
}

/**
 * Calls, for `link.caller`, the function in `slot` (or, for an object, its method `member`):
 * arguments travel to the callee, the result back. It counts the callee's activations — on
 * the stack, and asynchronous ones until their promise settles — so that a swap can wait for
 * quiescence; while a swap holds the callee, calls known to be async wait for it to finish
 * and then run on whichever version is current.
 */
function callThrough(link: Link, slot: Slot, member: PropertyKey | undefined, self: unknown, args: Arguments, newTarget: unknown, waiting = link.waiting): unknown {
  const callee = link.callee;
  refuseUnloaded(link.caller, callee.name, slot.symbol, member);
  // A held call the caller abandons meanwhile never starts: nothing waits for it any more.
  if (waiting.abandoned) return new NativePromise(() => {});
  if (callee.holding && slot.async) return callee.holding.then(() => callThrough(link, slot, member, self, args, newTarget, waiting));
  const target = liveTarget(slot, member);
  const fn: AnyFunction = member === undefined ? target : target[member];
  callee.calls++;
  for (let index = 0; index < args.length; index++) {
    const argument = args[index];
    if (argument !== null && (typeof argument === 'object' || typeof argument === 'function')) {
      args[index] = wrapValue(linkBetween(callee, link.caller), argument);
    }
  }
  // `this` travels to the callee like an argument (a method's is the object behind the handle).
  const receiver = member !== undefined ? target : self === undefined ? self : wrapValue(linkBetween(callee, link.caller), self);
  const previous = running[0]!;
  let result: unknown;
  callee.active++;
  running[0] = callee.id;
  try {
    result = newTarget ? construct(fn, args) : apply(fn, receiver, args);
  } catch (error) {
    oops(callee, error, slot.symbol, member);
    throw thrownAcross(link, error, slot.symbol, member);
  } finally {
    callee.active--;
    running[0] = previous;
  }
  // Looking at the result runs the callee's code too (a Proxy's traps, a promise's species):
  // what throws there is its fault, and leaves no count raised.
  try {
    if (result instanceof NativePromise) {
      // A promise of another class (a module's subclass, its own `then`) is adopted by a native one.
      const promise = result.constructor === NativePromise ? result : NativePromise.resolve(result);
      const caller = link.caller;
      const settled = () => {
        waiting.count--;
        callee.pending--;
        caller.pending--;
      };
      const answer = promiseThen.call(
        promise,
        (value) => (waiting.abandoned ? dropLate(link, slot, member, value, false) : (settled(), wrapValue(link, value))),
        (error) => {
          if (waiting.abandoned) return dropLate(link, slot, member, error, true);
          settled();
          oops(callee, error, slot.symbol, member);
          throw thrownAcross(link, error, slot.symbol, member);
        },
      );
      slot.async = true;
      waiting.count++;
      callee.pending++;
      caller.pending++;
      return answer;
    }
    return result !== null && (typeof result === 'object' || typeof result === 'function') ? wrapValue(link, result) : result;
  } catch {
    throw unreadableResult(link, slot, member);
  }
}

/**
 * Throws if `module` was unloaded and its code still runs: it may not use `callee`'s `symbol`.
 * The error names all three ("lingerer.kernel.kalloc"); it is built only when thrown, since
 * this runs on every call.
 */
export function refuseUnloaded(module: StubOwner, callee: string, symbol: string, member?: PropertyKey): void {
  if (module.state === 'Unloaded') throw new ModuleUnloadedError(module.name, `${callee}.${memberName(symbol, member)}`);
}

/** A handle on a class instance, made by the holder's PLT: property reads, writes and method calls go through it. */
function makeObjectHandle(link: Link, target: object): object {
  const slot: Slot = { target, owner: link.callee, symbol: target.constructor?.name || 'object' };
  remember(link.callee, slot);
  return pltOf(link.caller).makeHandle(slot, link);
}

/** The namespace `require('keel:<exporter>')` returns inside `importer`. */
export function createNamespace(importer: StubOwner, exporter: StubOwner): Record<string, unknown> {
  const link = linkBetween(importer, exporter);
  const entries: Array<[string, Slot | null]> = [];
  for (const symbol of Object.keys(exporter.exportsSlot.target ?? {})) {
    if (!KERNEL_HOOKS.has(symbol)) entries.push([symbol, exporter.exportSlots.get(symbol) ?? null]);
  }
  return pltOf(importer).makeNamespace(link, entries, exporter.exportsSlot);
}

/**
 * Lets go of every async call `caller` has in flight (Ctrl-C in the shell): they stop counting
 * as in flight, to it and to their callees, so that neither is kept in use by work nobody
 * waits for. The calls run on (nothing can stop them); when one settles, dropLate logs it and
 * the code that awaited it never resumes. Returns how many calls it let go.
 */
export function abandonCalls(caller: StubOwner): number {
  let abandoned = 0;
  // Every batch, even one with none counted: a call a swap holds is counted only once it runs.
  for (const link of caller.links.values()) {
    const { waiting } = link;
    waiting.abandoned = true;
    link.callee.pending -= waiting.count;
    caller.pending -= waiting.count;
    abandoned += waiting.count;
    link.waiting = { count: 0, abandoned: false };
  }
  return abandoned;
}

/**
 * An abandoned call settling: its value goes nowhere — it is not wrapped (its callee may be
 * gone) — and a failure is still the callee's oops. Returns a promise that never settles, so
 * the caller's code that awaited the call never resumes; nothing holds that promise, so it and
 * the waiting code are collected.
 */
function dropLate(link: Link, slot: Slot, member: PropertyKey | undefined, outcome: unknown, failed: boolean): Promise<never> {
  if (failed) oops(link.callee, outcome, slot.symbol, member);
  lateSink(`keel: ${link.callee.name}.${memberName(slot.symbol, member)} ${failed ? 'failed' : 'returned'} after ${link.caller.name} abandoned the call: ${failed ? 'error' : 'result'} dropped`);
  return new NativePromise<never>(() => {});
}

/** Revokes everything a module handed out: its export slots and every wrapped value. */
export function revokeOwner(owner: StubOwner): void {
  owner.exportsSlot.target = null;
  for (const slot of owner.exportSlots.values()) slot.target = null;
  for (const reference of owner.handedOut) {
    const slot = reference.deref();
    if (slot) slot.target = null;
  }
  owner.handedOut = [];
  owner.links.clear();
}

/** What a result is when its very inspection throws: an error saying so, reported as the callee's oops. */
function unreadableResult(link: Link, slot: Slot, member: PropertyKey | undefined): Error {
  const unreadable = new Error(`${link.callee.name}.${memberName(slot.symbol, member)} returned a value that cannot be read`);
  oops(link.callee, unreadable, slot.symbol, member);
  return unreadable;
}

/** The call path's entries of the GOT (got.ts), for the PLT's rare cases; keel:kernel's are `api`. */
export function callPathEntries(api: Got['api'], require: Got['require']): Got {
  return {
    call: callThrough,
    thrown(link, slot, member, error) {
      oops(link.callee, error, slot.symbol, member);
      return thrownAcross(link, error, slot.symbol, member);
    },
    result(link, slot, member, result) {
      try {
        return wrapValue(link, result);
      } catch {
        throw unreadableResult(link, slot, member);
      }
    },
    unreadable: unreadableResult,
    late: dropLate,
    wrap: wrapValue,
    wrapBack: (link, value) => wrapValue(linkBetween(link.callee, link.caller), value),
    target: liveTarget,
    exportValue: (link, exportsSlot, symbol) => wrapValue(link, liveTarget(exportsSlot, symbol)[symbol]),
    unloadedUse: (module, name) => new ModuleUnloadedError(module.name, `kernel.${name}`),
    require,
    api,
  };
}
