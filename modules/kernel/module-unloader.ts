/*
 * The way back from a load: unload, and the undoing of a load that failed or of a version a
 * swap staged and rolled back. loader.ts's ModuleLoader extends this class, since a load that
 * fails midway undoes itself with it.
 *
 * unload(name): refuse while it has users (naming them, as rmmod does), a call on its stack or
 * in flight (its code would run on after its frames are freed), a swap of it, or something it
 * keeps loaded for (its own data, say: keepLoaded), or when it is not Live or is permanent; run
 * `exit`; then discard it: revoke its stubs, free its text and data frames, drop every
 * reference to its code and ask the reclaim monitor to check that the host engine collected it.
 */
import type { MachineInterface } from '../../emulator/machine-interface.ts';
import { ModuleError } from './error-classes.ts';
import type { FrameAllocator } from './frame-allocator.ts';
import { messageOf, type KernelLog } from './kernel-log.ts';
import type { LoadedModule } from './loaded-module.ts';
import { publishModuleEvent, type EventSource } from './module-events.ts';
import type { ModuleRecords } from './module-records.ts';
import type { ReclaimMonitor } from './reclaim-monitor.ts';
import { NativePromise, revokeOwner, runAs } from './stubs.ts';

/** What unloading asks of the kernel core (kernel.ts's Kernel is one). */
export interface UnloaderHost extends EventSource {
  readonly machine: MachineInterface;
  readonly frames: FrameAllocator;
  readonly log: KernelLog;
  readonly records: ModuleRecords;
  readonly reclaim: ReclaimMonitor;
}

export class ModuleUnloader {
  readonly #host: UnloaderHost;

  constructor(
    host: UnloaderHost,
    /** The module table (the kernel's tables hold it): loaded modules by name, in load order. */
    readonly modules: Map<string, LoadedModule>,
  ) {
    this.#host = host;
  }

  /** Unloads a module the way rmmod does. */
  unload(name: string): void {
    const module = this.modules.get(name);
    if (!module) throw new ModuleError(`Module ${name} ${this.#host.records.versions(name).length > 0 ? 'is not currently loaded' : 'does not exist in the ramdisk'}`);
    if (module.state !== 'Live') throw new ModuleError(`Module ${name} is ${module.state === 'Loading' ? 'still loading: its init has not finished' : 'being unloaded'}`);
    const users = [...module.users].map((user) => user.name).join(' ');
    if (users || module.active + module.pending || module.holding) throw new ModuleError(`Module ${name} is in use${users && ` by: ${users}`}`);
    if (module.swapping) throw new ModuleError(`Module ${name} is in use: it is being swapped`);
    if (module.keptLoadedBy) throw new ModuleError(`Module ${name} is in use: ${module.keptLoadedBy}`);
    if (module.permanent) throw new ModuleError(`Module ${name} is permanent (it has no exit)`);
    module.state = 'Unloading';
    publishModuleEvent(this.#host, 'unloading', module);
    this.#exit(module);
    const freed = this.discard(module);
    this.#host.log.printk(`keel: unloaded ${name} ${module.record.version} (${freed} frame${freed === 1 ? '' : 's'} freed)`);
  }

  /** Runs exit; a throw, or an async exit's rejection, is an oops and the unload goes on. */
  #exit(module: LoadedModule): void {
    const failed = (error: unknown) => this.#host.log.printk(`keel: ${module.name}: exit failed (${messageOf(error)}), unloaded anyway`, 'warn');
    try {
      const result = module.exit && runAs(module, module.exit, 'exit');
      if (result instanceof NativePromise) result.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }

  /**
   * Undoes a load that failed, or a staged version a swap rolled back: discards the module and
   * gives back, newest first, what was loaded for it (dependencies, modules its init requested)
   * and nothing else uses now.
   */
  abandon(module: LoadedModule): void {
    if (module.state === 'Unloaded') return;
    this.discard(module);
    for (const brought of module.broughtIn.splice(0).reverse()) {
      if (this.modules.get(brought.name) !== brought || brought.users.size > 0 || brought.active + brought.pending > 0) continue;
      if (brought.state === 'Live') this.#exit(brought);
      this.abandon(brought);
      this.#host.log.printk(`keel: unloaded ${brought.name} ${brought.record.version}: it was loaded for ${module.name} ${module.record.version}, which failed to load`);
    }
  }

  /** Takes a module out of every table, revokes its stubs, frees its frames. Returns frames freed. */
  discard(module: LoadedModule): number {
    const { frames, machine } = this.#host;
    const successor = this.modules.get(module.name);
    if (successor === module) this.modules.delete(module.name);
    module.state = 'Unloaded';
    revokeOwner(module);
    // Its dependencies are in the table too: this takes it out of their users as well.
    for (const other of this.modules.values()) {
      other.users.delete(module);
      other.links.delete(module);
    }
    for (const { machineTimer } of module.timers.values()) machine.timer.clearTimer(machineTimer);
    module.timers.clear();
    machine.watchdog.name(module.id, null);
    const freed = frames.freeOwner(module.textOwner) + frames.freeOwner(module.dataOwner);
    for (const { buffer } of module.allocations.values()) machine.mmu.unmap(buffer);
    module.allocations.clear();
    module.exit = null;
    this.#host.reclaim.watch(module.name, module.record.version, module.codeObjects, module.id);
    module.codeObjects = [];
    // A swap puts the new version in the table, then discards the old one, which it marked swapping.
    publishModuleEvent(this.#host, module.swapping && successor && successor !== module ? 'swapped' : 'unloaded', module);
    return freed;
  }
}
