/*
 * swap kernel — the swap of the kernel core itself, while modules run.
 *
 *   swap kernel            # to the newest kernel version in the ramdisk
 *   swap kernel 1.0.0      # to a given version (also back)
 *
 * 1. Check: not swapping already, the target exists and is another version.
 * 2. Stage the new core like any module (loader.stage): text frames owned by it, its bytes
 *    copied from the ramdisk, their sha256 and the record's signature checked, compiled from
 *    those frames. Its top-level code runs; it changes nothing of the running core's.
 * 3. Wait for the core to be quiescent: no core code on the stack but the swap's own — true
 *    once this continues after an await, in a job of its own — and no continuation of the core
 *    that acts on a module's life still to come: no async init running (the loader waits on
 *    it) and no swap of a module under way (it works on the core it began with). Calls in
 *    flight are no obstacle: their stubs are the modules' own PLT code, and settle through the
 *    GOT, on whichever core is current. Time limit: swap.timeout (default 1000 ms).
 * 4. In one synchronous step — the pause callers see: the old core exports its tables in the
 *    versioned format (exportTables), the new core reads them and builds itself around them
 *    (takeOver: it may refuse), the old core lets go of its machine timers and watches
 *    (suspend), the new one re-points the GOT, re-arms every module timer for what is left of it
 *    (same ids), takes the device handlers and the reclaim monitor's watch list, and becomes
 *    the kernel module: its users, its place in the module table; the old core's text frames
 *    are freed and its code watched until the host collects it (resume).
 * Any failure before the switch — staging, quiescence, a refusal or a throw in takeOver — leaves
 * the old core serving with every table as it was; the staged core is unloaded.
 */
import { kernelInternals, now, setTimer, type Handover, type Kernel, type LoadedModule, type ModuleRecord } from 'keel:kernel';

/** What the new core's module exports for a kernel swap (modules/kernel/kernel-entry.ts). */
interface KernelModuleExports {
  takeOver?: (handover: Handover, self: LoadedModule) => Kernel;
}

export interface KernelSwapOutcome {
  from: string;
  to: string;
  quiescenceMs: number;
  switchMs: number;
  tablesTransferred: number;
  textFramesFreed: number;
}

/** Why the core is not quiescent now, or null when it is. */
export function kernelBusy(kernel: Kernel): string | null {
  const modules = [...kernel.loader.modules.values()];
  const loading = modules.filter((module) => module.ready !== null).map((module) => module.name);
  if (loading.length > 0) return `the init of ${loading.join(', ')} is still running`;
  const swapping = modules.filter((module) => module.swapping && module !== kernel.self).map((module) => module.name);
  if (swapping.length > 0) return `a swap of ${swapping.join(', ')} is under way`;
  return null;
}

/** Resolves, in a job of its own, once the core is quiescent (with the milliseconds it took); rejects at the limit. */
function kernelQuiescence(limitMs: number): Promise<number> {
  const start = now();
  return new Promise((resolve, reject) => {
    const check = () => {
      const busy = kernelBusy(kernelInternals());
      if (busy === null) return resolve(now() - start);
      if (now() - start >= limitMs) return reject(new Error(`the kernel is not quiescent after ${limitMs} ms: ${busy}`));
      setTimer(check, 1);
    };
    // Even when quiescent at once: the switch runs after an await, with no core code beneath it.
    void Promise.resolve().then(check);
  });
}

/** The record a swap of the kernel goes to: `version`, or the newest. */
export function kernelTarget(kernel: Kernel, version: string | undefined): ModuleRecord {
  const versions = kernel.findRecords(kernel.self.name);
  return version ? kernel.findRecord(kernel.self.name, version) : versions[versions.length - 1]!;
}

/**
 * Swaps the kernel core to `target`; resolves with what it did, or rejects with the reason it
 * rolled back (the old core serving on). The caller has checked the target and set
 * `kernel.self.swapping`.
 */
export async function swapKernel(kernel: Kernel, target: ModuleRecord, limitMs: number): Promise<KernelSwapOutcome> {
  const old = kernel.self;
  let fresh: LoadedModule;
  try {
    fresh = kernel.loader.stage(target);
  } catch (error) {
    throw new Error(`the new version failed to load: ${reason(error)}`);
  }
  try {
    const takeOver = (fresh.exportsSlot.target as KernelModuleExports).takeOver;
    if (typeof takeOver !== 'function') throw new Error(`kernel ${target.version} has no takeOver: it cannot take over a running kernel`);
    const quiescenceMs = await kernelQuiescence(limitMs);
    const switchStarted = now();
    const handover = kernel.exportTables();
    let next: Kernel;
    try {
      next = takeOver(handover, fresh);
    } catch (error) {
      throw new Error(`kernel ${target.version} could not take over from ${old.record.version}: ${reason(error)}`);
    }
    // The switch: nothing from here on can fail.
    kernel.suspend();
    fresh.broughtIn.length = 0;
    const textFramesFreed = next.resume(old);
    return { from: old.record.version, to: target.version, quiescenceMs, switchMs: now() - switchStarted, tablesTransferred: Object.keys(handover.tables).length, textFramesFreed };
  } catch (error) {
    kernel.loader.abandon(fresh);
    throw error;
  }
}

/** An error's message; never throws, whatever was thrown. */
export function reason(error: unknown): string {
  try {
    return String((error as Error)?.message ?? error);
  } catch {
    return 'a value that cannot be read';
  }
}
