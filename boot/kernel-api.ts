/*
 * The implementation of keel:kernel: one API object per module, bound to it, so that
 * frames it allocates, timers it sets and modules it holds are recorded as its own and
 * given back at unload. Checked against the declarations in api.ts.
 */
import { FRAME_SIZE } from '../emulator/machine-interface.ts';
import type * as Api from './api.ts';
import { framesFor } from './frame-allocator.ts';
import type { Kernel } from './kernel.ts';
import type { LoadedModule } from './loaded-module.ts';
import { ModuleError } from './loader.ts';
import { createNamespace, ModuleUnloadedError, refuseUnloaded, runAs } from './stubs.ts';

export type KernelApi = typeof Api;

export function createKernelApi(kernel: Kernel, module: LoadedModule): KernelApi {
  const { machine, frames, loader, log } = kernel;
  const frameOf = (buffer: Uint8Array) => buffer.byteOffset / FRAME_SIZE;
  const api: KernelApi = {
    ModuleUnloadedError,
    ModuleError,
    printk: log.printk,
    consoleWrite: machine.console.write,
    consoleReadLine: machine.console.readLine,
    kalloc(bytes) {
      const count = framesFor(bytes);
      const first = frames.allocate(count, module.dataOwner);
      module.allocations.set(first, count);
      return kernel.memory.fill(0, first * FRAME_SIZE, (first + count) * FRAME_SIZE).subarray(first * FRAME_SIZE, first * FRAME_SIZE + bytes);
    },
    kfree(buffer) {
      const count = buffer.buffer === kernel.memory.buffer ? module.allocations.get(frameOf(buffer)) : undefined;
      if (count === undefined) throw new RangeError(`kfree: not a block of ${module.name}`);
      module.allocations.delete(frameOf(buffer));
      frames.release(frameOf(buffer), count, module.dataOwner);
    },
    now: machine.timer.now,
    setTimer(callback, milliseconds) {
      const id = machine.timer.setTimer(() => {
        module.timers.delete(id);
        try {
          runAs(module, callback, 'timer');
        } catch {
          // Reported as an oops; a timer has no caller to pass it on to.
        }
      }, milliseconds);
      module.timers.add(id);
      return id;
    },
    clearTimer(id) {
      if (module.timers.delete(id)) machine.timer.clearTimer(id);
    },
    cmdline: kernel.bootInfo.cmdline,
    param: (name) => kernel.params.get(name),
    loadModule(name, version) {
      loader.load(name, { version });
    },
    unloadModule: (name) => loader.unload(name),
    requestModule<Exports>(name: string) {
      const wanted = loader.modules.get(name) ?? loader.load(name, { onDemand: true });
      if (wanted === module) throw new ModuleError(`${name} cannot request itself`);
      wanted.users.add(module);
      return createNamespace(module, wanted) as Exports;
    },
    releaseModule(name) {
      const held = loader.modules.get(name);
      if (held && !module.dependencies.includes(held)) held.users.delete(module);
    },
    dmesg: log.dmesg,
    kernelInternals: () => kernel,
    halt: machine.power.halt,
  };
  // Code of the module that outlives its unload gets no frames, timers or holds (see refuseUnloaded).
  return new Proxy(api, { get: (target, key: keyof KernelApi) => (refuseUnloaded(module, 'kernel', key), target[key]) });
}
