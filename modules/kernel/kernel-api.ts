/*
 * The implementation of keel:kernel: one API object per module, bound to it, so that
 * frames it allocates, timers it sets and modules it holds are recorded as its own and
 * given back at unload. Checked against the declarations in api.ts (what tsconfig maps
 * keel:kernel to).
 *
 * Every function takes each argument once and checks it (argument-checks.ts): a module
 * cannot make the kernel account one thing and do another, nor make host code throw.
 * A kalloc block is a buffer of its own, mapped to the module as an MMU maps frames: its
 * frames are accounted to the module, and kfree or unload unmaps it, so a view kept after
 * that reads nothing — never the frames, which another module may own by then.
 */
import type * as Api from './api.ts';
import { checkFunction, checkNumber, checkOneOf, checkString, LONGEST_TIMER_MS } from './argument-checks.ts';
import { framesFor } from './frame-allocator.ts';
import type { Kernel } from './kernel.ts';
import type { LoadedModule } from './loaded-module.ts';
import { ModuleError } from './loader.ts';
import { publishModuleEvent } from './module-events.ts';
import { createNamespace, ModuleUnloadedError, refuseUnloaded, reportRejection, runAs } from './stubs.ts';

export type KernelApi = typeof Api;

const LEVELS = ['info', 'warn', 'error', undefined] as const;

export function createKernelApi(kernel: Kernel, module: LoadedModule): KernelApi {
  const { machine, frames, loader, log } = kernel;
  const api: KernelApi = {
    ModuleUnloadedError,
    ModuleError,
    printk(message, level) {
      checkString('printk: message', message);
      checkOneOf('printk: level', level, LEVELS);
      log.printk(message, level);
    },
    consoleWrite: (text) => machine.console.write(checkString('consoleWrite: text', text)),
    consoleReadLine: (request) => machine.console.readLine(request),
    kalloc(size) {
      const bytes = checkNumber('kalloc: bytes', size, 0, kernel.memory.length);
      const count = framesFor(bytes);
      const first = frames.allocate(count, module.dataOwner);
      const block = new Uint8Array(bytes);
      module.allocations.set(block, { first, count, buffer: block.buffer });
      return block;
    },
    kfree(block) {
      // Looked up by identity: nothing is read from the argument, so nothing about it can lie.
      const allocation = module.allocations.get(block);
      if (!allocation) throw new RangeError(`kfree: not a block that kalloc gave ${module.name}`);
      module.allocations.delete(block);
      frames.release(allocation.first, allocation.count, module.dataOwner);
      machine.mmu.unmap(allocation.buffer);
    },
    now: () => machine.timer.now(),
    setTimer(callback, milliseconds) {
      checkFunction('setTimer: callback', callback);
      const delay = checkNumber('setTimer: milliseconds', milliseconds, 0, LONGEST_TIMER_MS, false);
      const id = machine.timer.setTimer(() => {
        module.timers.delete(id);
        try {
          reportRejection(module, runAs(module, callback, 'timer'), 'timer');
        } catch {
          // Reported as an oops, as an async callback's rejection is: a timer has no caller to pass it on to.
        }
      }, delay);
      // The table keeps what a timer is to do and when, beside the machine timer armed for it.
      module.timers.set(id, { callback, deadline: machine.timer.now() + delay, machineTimer: id });
      return id;
    },
    clearTimer(id) {
      const timer = module.timers.get(checkNumber('clearTimer: id', id, 0, Number.MAX_SAFE_INTEGER));
      if (!timer) return;
      module.timers.delete(id);
      machine.timer.clearTimer(timer.machineTimer);
    },
    cmdline: kernel.bootInfo.cmdline,
    param: (name) => kernel.params.get(checkString('param: name', name)),
    numberParam(name, range) {
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
    loadModule(name, version) {
      return loader.loadWhenReady(checkString('loadModule: name', name), { version: checkString('loadModule: version', version, true) });
    },
    unloadModule: (name) => loader.unload(checkString('unloadModule: name', name)),
    requestModule<Exports>(wantedName: string) {
      const name = checkString('requestModule: name', wantedName);
      // By name, not by record: a version staged for a swap would otherwise hold its own module.
      if (name === module.name) throw new ModuleError(`${name} cannot request itself`);
      const wanted = loader.modules.get(name) ?? loader.loadNow(name, { onDemand: true }, module);
      if (wanted.state !== 'Live') throw new ModuleError(`${name} is not ready: its init has not finished`);
      wanted.users.add(module);
      publishModuleEvent(kernel, 'users', wanted);
      return createNamespace(module, wanted) as Exports;
    },
    releaseModule(name) {
      const held = loader.modules.get(checkString('releaseModule: name', name));
      if (held && !module.dependencies.includes(held) && held.users.delete(module)) publishModuleEvent(kernel, 'users', held);
    },
    keepLoaded(reason) {
      module.keptLoadedBy = checkString('keepLoaded: reason', reason);
    },
    allowUnload() {
      module.keptLoadedBy = null;
    },
    dmesg: () => log.dmesg(),
    kernelInternals: () => kernel,
    halt: (status) => machine.power.halt(checkNumber('halt: status', status, 0, 255)),
  };
  // Code of the module that outlives its unload gets no frames, timers or holds (see refuseUnloaded).
  return new Proxy(api, { get: (target, key: keyof KernelApi) => (refuseUnloaded(module, 'kernel', key), target[key]) });
}
