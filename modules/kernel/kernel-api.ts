/*
 * The implementation of keel:kernel: one API object per module, bound to it, so that
 * frames it allocates, timers it sets and modules it holds are recorded as its own and
 * given back at unload. Checked against the declarations in api.ts (what tsconfig maps
 * keel:kernel to).
 *
 * The object a module holds is made by its own PLT (plt.ts): each of its functions refuses
 * once the module is unloaded, then calls this file's function of the same name through the
 * GOT, with the module first — so the object keeps no version of the core alive, and after a
 * kernel swap the same object reaches the new core's functions.
 *
 * Every function takes each argument once and checks it (argument-checks.ts): a module
 * cannot make the kernel account one thing and do another, nor make host code throw.
 * A kalloc block is a buffer of its own, mapped to the module as an MMU maps frames: its
 * frames are accounted to the module, and kfree or unload unmaps it, so a view kept after
 * that reads nothing — never the frames, which another module may own by then.
 */
import type * as Api from './api.ts';
import { checkFunction, checkNumber, checkOneOf, checkString, LONGEST_TIMER_MS } from './argument-checks.ts';
import { ModuleError, ModuleUnloadedError } from './error-classes.ts';
import { framesFor } from './frame-allocator.ts';
import type { KernelCore } from './kernel-core.ts';
import type { LoadedModule, ModuleTimer } from './loaded-module.ts';
import { publishModuleEvent } from './module-events.ts';
import { pltOf } from './plt.ts';
import { abandonCalls, createNamespace, reportRejection, runAs } from './stubs.ts';

export type KernelApi = typeof Api;
type ApiFunctionName = { [Name in keyof KernelApi]: KernelApi[Name] extends (...args: never[]) => unknown ? (Name extends 'ModuleError' | 'ModuleUnloadedError' ? never : Name) : never }[keyof KernelApi];
/** keel:kernel's functions as the core has them: the calling module first. */
type CoreApi = { [Name in ApiFunctionName]: (module: LoadedModule, ...args: Parameters<KernelApi[Name]>) => ReturnType<KernelApi[Name]> };

const LEVELS = ['info', 'warn', 'error', undefined] as const;

/** keel:kernel's functions, for the GOT: one set per core, shared by every module's API object. */
export function coreApi(kernel: KernelCore): CoreApi {
  const { machine, frames, loader, log } = kernel;
  return {
    printk(_module, message, level) {
      checkString('printk: message', message);
      checkOneOf('printk: level', level, LEVELS);
      log.printk(message, level);
    },
    consoleWrite: (_module, text) => machine.console.write(checkString('consoleWrite: text', text)),
    consoleReadLine: (_module, request) => machine.console.readLine(request),
    kalloc(module, size) {
      const bytes = checkNumber('kalloc: bytes', size, 0, kernel.memory.length);
      const count = framesFor(bytes);
      const first = frames.allocate(count, module.dataOwner);
      const block = new Uint8Array(bytes);
      module.allocations.set(block, { first, count, buffer: block.buffer });
      return block;
    },
    kfree(module, block) {
      // Looked up by identity: nothing is read from the argument, so nothing about it can lie.
      const allocation = module.allocations.get(block);
      if (!allocation) throw new RangeError(`kfree: not a block that kalloc gave ${module.name}`);
      module.allocations.delete(block);
      frames.release(allocation.first, allocation.count, module.dataOwner);
      machine.mmu.unmap(allocation.buffer);
    },
    now: () => machine.timer.now(),
    setTimer(module, callback, milliseconds) {
      checkFunction('setTimer: callback', callback);
      const delay = checkNumber('setTimer: milliseconds', milliseconds, 0, LONGEST_TIMER_MS, false);
      // The table keeps what a timer is to do and when, beside the machine timer armed for it;
      // the id the module is given is the first machine timer's, and stays its id after a kernel swap re-arms it.
      const timer: ModuleTimer = { callback, deadline: machine.timer.now() + delay, machineTimer: 0 };
      const id = armTimer(kernel, module, timer, delay, 0);
      module.timers.set(id, timer);
      return id;
    },
    clearTimer(module, id) {
      const timer = module.timers.get(checkNumber('clearTimer: id', id, 0, Number.MAX_SAFE_INTEGER));
      if (!timer) return;
      module.timers.delete(id);
      machine.timer.clearTimer(timer.machineTimer);
    },
    param: (_module, name) => kernel.params.get(checkString('param: name', name)),
    numberParam(_module, name, range) {
      const text = kernel.params.get(checkString('numberParam: name', name));
      const { fallback, min, max, whole = true } = range;
      checkNumber('numberParam: fallback', fallback, checkNumber('numberParam: min', min, -Infinity, Infinity, false), checkNumber('numberParam: max', max, -Infinity, Infinity, false), false);
      const value = Number(text);
      if (text === undefined || text === '') return fallback;
      if (/\S/.test(text) && (whole ? Number.isInteger(value) : Number.isFinite(value)) && value >= min && value <= max) return value;
      // Said once: a parameter read on every swap would otherwise say it on every swap.
      if (!kernel.badParams.has(name)) log.printk(`keel: ${name}=${text} is invalid (expected a ${whole ? 'whole ' : ''}number from ${min} to ${max}); using ${fallback}`, 'warn');
      kernel.badParams.add(name);
      return fallback;
    },
    loadModule(_module, name, version) {
      return loader.loadWhenReady(checkString('loadModule: name', name), { version: checkString('loadModule: version', version, true) });
    },
    unloadModule: (_module, name) => loader.unload(checkString('unloadModule: name', name)),
    requestModule<Exports>(module: LoadedModule, wantedName: string) {
      const name = checkString('requestModule: name', wantedName);
      // By name, not by record: a version staged for a swap would otherwise hold its own module.
      if (name === module.name) throw new ModuleError(`${name} cannot request itself`);
      const wanted = loader.modules.get(name) ?? loader.loadNow(name, { onDemand: true }, module);
      if (wanted.state !== 'Live') throw new ModuleError(`${name} is not ready: its init has not finished`);
      wanted.users.add(module);
      publishModuleEvent(kernel, 'users', wanted);
      return createNamespace(module, wanted) as Exports;
    },
    releaseModule(module, name) {
      const held = loader.modules.get(checkString('releaseModule: name', name));
      if (held && !module.dependencies.includes(held) && held.users.delete(module)) publishModuleEvent(kernel, 'users', held);
    },
    keepLoaded(module, reason) {
      module.keptLoadedBy = checkString('keepLoaded: reason', reason);
    },
    allowUnload(module) {
      module.keptLoadedBy = null;
    },
    abandonCalls: (module) => abandonCalls(module),
    dmesg: () => log.dmesg(),
    kernelInternals: () => kernel,
    halt: (_module, status) => machine.power.halt(checkNumber('halt: status', status, 0, 255)),
  };
}

/**
 * Arms the machine timer for a module's timer, `delay` ms from now; returns the machine
 * timer's id. A kernel swap calls it again for every timer left (keepId: the module's id of it).
 */
export function armTimer(kernel: KernelCore, module: LoadedModule, timer: ModuleTimer, delay: number, keepId: number): number {
  const machineTimer = kernel.machine.timer.setTimer(() => {
    module.timers.delete(id);
    try {
      reportRejection(module, runAs(module, timer.callback, 'timer'), 'timer');
    } catch {
      // Reported as an oops, as an async callback's rejection is: a timer has no caller to pass it on to.
    }
  }, delay);
  const id = keepId || machineTimer;
  timer.machineTimer = machineTimer;
  return id;
}

/** The names of keel:kernel's functions, in the order every module's API object has them. */
export const API_FUNCTIONS: readonly ApiFunctionName[] = [
  'printk', 'consoleWrite', 'consoleReadLine', 'kalloc', 'kfree', 'now', 'setTimer', 'clearTimer', 'param', 'numberParam',
  'loadModule', 'unloadModule', 'requestModule', 'releaseModule', 'keepLoaded', 'allowUnload', 'abandonCalls', 'dmesg', 'kernelInternals', 'halt',
];

/** The keel:kernel object `require('keel:kernel')` returns inside `module`, made by its PLT. */
export function kernelApiFor(kernel: KernelCore, module: LoadedModule): KernelApi {
  const values = { ModuleUnloadedError, ModuleError, cmdline: kernel.bootInfo.cmdline };
  return pltOf(module, kernel).makeKernelApi(module, API_FUNCTIONS, values) as unknown as KernelApi;
}
