/*
 * The PLT: each module's own code for reaching other modules and the kernel (ELF's procedure
 * linkage table, which lives in the caller's image and jumps through a GOT that is data).
 *
 *   const stub = pltOf(module, kernel).makeStub(slot, link);   // compiled at the module's first need
 *   const require = requireFor(module, got);                  // what the module's code is run with
 *
 * The text below is compiled afresh for every module, the first time it needs it (`new
 * Function`, so that it closes over nothing of the kernel), and makes what that module holds:
 * the stubs of its namespaces, the stubs and object handles of values it receives, its
 * namespaces and its `keel:kernel` object. Its `require` is a text of its own, the same for
 * every module (requireFor). They reach the kernel's logic only through the GOT (got.ts), a
 * plain object of the current core's functions that a kernel swap re-points: so nothing a
 * module holds keeps any version of the core's code alive.
 *
 * The common call is done here, inline: live callee and caller, no hold, no `new`, no `this`,
 * arguments and result that need no wrapping. It counts the callee's calls and activations,
 * writes the watchdog's running word and restores it; a promise result is followed here too,
 * counting the call as pending on callee and caller (and in the link's batch) until it settles
 * or the caller abandons it. Everything else — a
 * caller unloaded, an empty slot, a hold, an argument or result to wrap, an exception (an
 * oops) — goes to the core through the GOT, which does it as stubs.ts says.
 */
import { isModuleName, isVersion, type ModuleRecord } from '../../ramdisk/module-index.ts';
import type { Plt, StubOwner } from './call-path.ts';
import type { Got } from './got.ts';

/*
 * The text each module's PLT is compiled from. It travels in the kernel's bundle as it is,
 * comments and all (they would cost the kernel's text frames), so its notes are here:
 *
 * reactionsTo: a stub's reactions to its promises, what runs when one settles (uncount the call
 * as pending on callee and caller; wrap the value, or report the rejection). Made once per stub
 * and batch of the link's calls (call-path.ts: Waiting), not on every call: an awaited call then
 * allocates nothing of its own but the promise. A call of a batch the caller abandoned counts
 * nothing when it settles: got.late drops its outcome. The callee and the caller are the link's
 * when the call settles, which are those it was counted on: these reactions follow only calls
 * the stub made inline, which it makes only while no swap holds the callee (a held module's
 * calls go to the core, got.call, whose reactions keep their own callee), and a swap re-points
 * a link only while it holds the old version and once that has nothing pending (quiescence).
 * So a swap makes no new reactions: new ones
 * would be a second closure of this text, which V8 then no longer specializes to its one
 * context (about 4 ns an awaited call, bench/README.md's figure 4).
 *
 * settleLater: a promise the callee returned, pending on callee and caller until it settles,
 * its value wrapped on the way back.
 *
 * answer: a result that is an object. Looking at it may run the callee's code (a Proxy's
 * traps), so a throw there is an unreadable result.
 *
 * makeNamespace: built as an object literal and given its null prototype after: an object made
 * by Object.create(null) is a dictionary, and every read of an import from it a lookup.
 */
const SOURCE = `'use strict';
const NativePromise = Promise;
const promiseThen = NativePromise.prototype.then;
const apply = Reflect.apply;
const reflectGet = Reflect.get;
const reflectSet = Reflect.set;
const NativeProxy = Proxy;
const create = Object.create;
const freeze = Object.freeze;
const defineProperty = Object.defineProperty;
const setPrototypeOf = Object.setPrototypeOf;

function reactionsTo(reactions, link, slot) {
  const waiting = link.waiting;
  if (reactions.waiting !== waiting) {
    reactions.waiting = waiting;
    reactions.value = (value) => {
      if (waiting.abandoned) return got.late(link, slot, undefined, value, false);
      waiting.count--;
      link.callee.pending--;
      link.caller.pending--;
      return value !== null && (typeof value === 'object' || typeof value === 'function') ? got.wrap(link, value) : value;
    };
    reactions.error = (error) => {
      if (waiting.abandoned) return got.late(link, slot, undefined, error, true);
      waiting.count--;
      link.callee.pending--;
      link.caller.pending--;
      throw got.thrown(link, slot, undefined, error);
    };
  }
  return reactions;
}

function settleLater(link, slot, callee, result, reactions) {
  let answer;
  try {
    const promise = result.constructor === NativePromise ? result : NativePromise.resolve(result);
    const { value, error } = reactionsTo(reactions, link, slot);
    answer = promiseThen.call(promise, value, error);
  } catch {
    throw got.unreadable(link, slot, undefined);
  }
  slot.async = true;
  link.waiting.count++;
  callee.pending++;
  link.caller.pending++;
  return answer;
}

function answer(link, slot, callee, result, reactions) {
  let promise;
  try {
    promise = result instanceof NativePromise;
  } catch {
    throw got.unreadable(link, slot, undefined);
  }
  return promise ? settleLater(link, slot, callee, result, reactions) : got.result(link, slot, undefined, result);
}

function makeStub(slot, link) {
  const reactions = { waiting: null, value: null, error: null };
  const stub = function () {
    const callee = link.callee;
    const target = slot.target;
    if (new.target !== undefined || this !== undefined || target === null || callee.holding !== null || link.caller.state === 'Unloaded') {
      return got.call(link, slot, undefined, this, arguments, new.target);
    }
    for (let index = 0; index < arguments.length; index++) {
      const argument = arguments[index];
      if (argument !== null && (typeof argument === 'object' || typeof argument === 'function')) return got.call(link, slot, undefined, this, arguments, undefined);
    }
    callee.calls++;
    callee.active++;
    const previous = word[0];
    word[0] = callee.id;
    let result;
    try {
      result = apply(target, undefined, arguments);
    } catch (error) {
      callee.active--;
      word[0] = previous;
      throw got.thrown(link, slot, undefined, error);
    }
    callee.active--;
    word[0] = previous;
    return result !== null && (typeof result === 'object' || typeof result === 'function') ? answer(link, slot, callee, result, reactions) : result;
  };
  wrappers.add(stub);
  return stub;
}

function makeHandle(slot, link) {
  const methods = new Map();
  const method = (member) => {
    let stub = methods.get(member);
    if (stub === undefined) {
      stub = function () {
        return got.call(link, slot, member, undefined, arguments, undefined);
      };
      wrappers.add(stub);
      methods.set(member, stub);
    }
    return stub;
  };
  const live = (member) => (slot.target === null ? got.target(slot, member) : slot.target);
  const handle = new NativeProxy(create(null), {
    get: (_, member) => {
      const value = reflectGet(live(member), member);
      if (typeof value === 'function') return method(member);
      return value !== null && typeof value === 'object' ? got.wrap(link, value) : value;
    },
    set: (_, member, value) => reflectSet(live(member), member, got.wrapBack(link, value)),
    has: (_, member) => member in live(member),
  });
  wrappers.add(handle);
  return handle;
}

function makeNamespace(link, entries, exportsSlot) {
  const namespace = {};
  for (const [symbol, slot] of entries) {
    if (slot !== null) namespace[symbol] = makeStub(slot, link);
    else defineProperty(namespace, symbol, { enumerable: true, get: () => got.exportValue(link, exportsSlot, symbol) });
  }
  setPrototypeOf(namespace, null);
  return freeze(namespace);
}

function makeKernelApi(module, functions, values) {
  const api = { ...values };
  for (const name of functions) {
    api[name] = function (first, second) {
      if (module.state === 'Unloaded') throw got.unloadedUse(module, name);
      return got.api[name](module, first, second);
    };
  }
  return api;
}

return { makeStub, makeHandle, makeNamespace, makeKernelApi };`;

/*
 * The require a module's code is run with. Its text is the same for every module, so V8's cache
 * of compiled `new Function` text answers all but the first: a load compiles no PLT for it.
 */
const REQUIRE_SOURCE = `'use strict';
return function require(specifier) {
  return got.require(module, specifier);
};`;

/**
 * A PLT of its own for one module: its functions close over the GOT, the stub set and the
 * watchdog word, all data. `label` ("kv/2.0.0", checked by the caller) names its text: the
 * text of each module's PLT is then its own, so that V8 keeps what it learns of one module's
 * calls apart from another's (the same text would share one feedback vector, and a stub that
 * sees every module's targets calls none of them inline).
 */
export function compilePlt(got: Got, wrappers: WeakSet<object>, word: Int32Array, label: string): Plt {
  return new Function('got', 'wrappers', 'word', `${SOURCE}\n//# sourceURL=keel:plt/${label}.js`)(got, wrappers, word) as Plt;
}

/** What a module's PLT is compiled against (a kernel core has it all): the machine's GOT, the stubs' wrappers, the watchdog's running word. */
export interface PltSources {
  readonly got: Got;
  readonly tables: { readonly stubs: { readonly wrappers: WeakSet<object> } };
  readonly machine: { readonly watchdog: { readonly running: Int32Array } };
}

/** The PLT of a module, its text named after the module when its record names it well (keel:plt/hello/1.0.0.js). */
export function pltFor({ name, version }: ModuleRecord, { got, tables, machine }: PltSources): Plt {
  return compilePlt(got, tables.stubs.wrappers, machine.watchdog.running, isModuleName(name) && isVersion(version) ? `${name}/${version}` : 'module');
}

/**
 * The module's PLT, compiled the first time the module needs one — its first import of a
 * `keel:*` module, or the first function handed to it. A module that imports nothing may never
 * need one, and its load compiles its own bundle only (a PLT's text is about 6 KB to compile).
 */
export function pltOf(module: StubOwner & { readonly record: ModuleRecord }, sources: PltSources): Plt {
  return (module.plt ??= pltFor(module.record, sources));
}

/** The `require` a module's code is compiled with: got.require answers it (see REQUIRE_SOURCE). */
export function requireFor(module: StubOwner, got: Got): (specifier: string) => unknown {
  return new Function('got', 'module', REQUIRE_SOURCE)(got, module) as (specifier: string) => unknown;
}
