/*
 * swap — K42's dynamic update, without the leak: replace a running module by another version
 * while its callers keep calling.
 *
 *   swap kv            # to the newest version of kv in the ramdisk
 *   swap kv 1.0.0      # to a given version (also back)
 *
 * 1. Check: the module is loaded, not swapping, not on the stack of this very request; the
 *    target version exists, still exports what every loaded dependent imports, and finds what
 *    it imports itself in the versions of its dependencies it will be linked to.
 * 2. Load the new version beside the old one, linked to the current versions of its
 *    dependencies; its init runs. The old version serves meanwhile.
 * 3. Hold new calls to the module's async functions and wait until none is in flight.
 * 4. In one synchronous step — the pause callers see: take the old version's state
 *    (exportState), replace the live objects of the old classes by objects of the new ones and
 *    re-point the references to them (instance-migration.ts), give the state to the new version
 *    (importState), switch every stub, unload the old version — text frames freed, code watched
 *    until the host collects it. Then let the held calls go, to the new version.
 * Any failure before the switch rolls back: the old version keeps serving with its state and
 * every object as it was, the new one is unloaded and everything it took is freed. The report
 * says what happened, and how long callers were paused: from the first call held (or the start
 * of the synchronous step, if none was) until the new version has answered the held calls.
 */
import { kernelInternals, now, numberParam, type Kernel, type LoadedModule, type ModuleRecord, type StateHandover } from 'keel:kernel';
import { InstanceMigration, type MigrationMethod } from './instance-migration.ts';
import { swapBesideProblem } from './swaps-beside.ts';
import { interfaceProblem } from './interface-check.ts';
import { kernelTarget, reason, swapKernel } from './kernel-swap.ts';
import { holdCalls, waitForQuiescence } from './quiescence.ts';
import { switchOver } from './switch-over.ts';

const DEFAULT_TIME_LIMIT_MS = 1000;
/** An hour: past that, a swap that waits is a swap that hangs. */
const MAX_TIME_LIMIT_MS = 3_600_000;

export interface SwapReport {
  ok: boolean;
  module: string;
  from: string;
  to: string;
  /** Refused: nothing was changed. Rolled back: the new version was loaded and is gone again. */
  outcome: 'swapped' | 'refused' | 'rolled back';
  /** Why the swap was refused or rolled back. */
  reason?: string;
  quiescenceMs: number;
  /** The synchronous step: state, objects, switch and unload of the old version. */
  switchMs: number;
  /** The longest a caller waited: first call held (else the switch's start) → held calls answered by the new version. */
  pauseMs: number;
  /** Entries of state handed over (null when the module keeps none), and objects migrated. */
  stateEntries: number | null;
  /** A swap of the kernel: the tables the old core handed the new one. */
  tablesTransferred?: number;
  objectsMigrated: number;
  textFramesFreed: number;
  totalMs: number;
  /** The one line the shell prints. */
  summary: string;
}

type Hooks = { exportState?: () => StateHandover; importState?: (state: StateHandover, fromVersion: string) => void };

function targetRecord(kernel: Kernel, module: LoadedModule, version: string | undefined): ModuleRecord {
  const versions = kernel.findRecords(module.name);
  if (!version) return versions[versions.length - 1]!;
  return kernel.findRecord(module.name, version);
}

/** "1 text frame", "2 text frames". */
const counted = (count: number, noun: string, plural = `${noun}s`) => `${count} ${count === 1 ? noun : plural}`;

function describe(report: Omit<SwapReport, 'summary'>): string {
  if (report.outcome === 'refused') return `swap: ${report.module}: refused, nothing changed: ${report.reason}`;
  const head = `swap: ${report.module} ${report.from} -> ${report.to}`;
  if (report.outcome === 'rolled back') return `${head}: rolled back, ${report.module} stays at ${report.from}: ${report.reason}`;
  if (report.tablesTransferred !== undefined) {
    return `${head}: quiescent in ${report.quiescenceMs.toFixed(2)} ms, ${counted(report.tablesTransferred, 'table')} transferred, ${counted(report.textFramesFreed, 'text frame')} freed, switch ${report.switchMs.toFixed(2)} ms, ${report.totalMs.toFixed(2)} ms in all`;
  }
  const state = report.stateEntries === null ? 'no state to transfer' : `${counted(report.stateEntries, 'state entry', 'state entries')} transferred`;
  const objects = report.objectsMigrated > 0 ? `, ${counted(report.objectsMigrated, 'object')} migrated` : '';
  return `${head}: quiescent in ${report.quiescenceMs.toFixed(2)} ms, callers paused ${report.pauseMs.toFixed(2)} ms, ${state}${objects}, ${counted(report.textFramesFreed, 'text frame')} freed, ${report.totalMs.toFixed(2)} ms in all`;
}

/**
 * Ends a swap: the outcome and the time it took go into the report, and its summary line into
 * dmesg. A function of the module rather than a closure swap() would make at every call.
 */
function finish(report: Omit<SwapReport, 'summary'>, started: number, outcome: SwapReport['outcome'], reason?: string): SwapReport {
  Object.assign(report, { ok: outcome === 'swapped', outcome, reason, totalMs: now() - started });
  const summary = describe(report);
  // Asked for the core again: after a swap of the kernel, the one that logs is the new one.
  kernelInternals().log.printk(summary);
  return { ...report, summary };
}

export interface SwapOptions {
  /** The quiescence time limit; default the command line's swap.timeout, else 1000 ms. */
  timeLimitMs?: number;
  /** How live objects move: by copy (the default), or — the benchmark's baseline only — by switching their prototype. */
  migration?: MigrationMethod;
}

/** Swaps `name` to `version` (default: the newest in the ramdisk). Never throws: read `ok`. */
export async function swap(name: string, version?: string, options: SwapOptions = {}): Promise<SwapReport> {
  const kernel = kernelInternals();
  const started = now();
  const old = kernel.loader.modules.get(name);
  const report: Omit<SwapReport, 'summary'> = {
    ok: false, outcome: 'refused', module: name, from: old?.record.version ?? '-', to: version ?? '-', quiescenceMs: 0, switchMs: 0, pauseMs: 0, stateEntries: null, objectsMigrated: 0, textFramesFreed: 0, totalMs: 0,
  };
  if (old?.state === 'Loading') return finish(report, started, 'refused', `${name} is still loading: its init has not finished`);
  if (!old || old.state !== 'Live') return finish(report, started, 'refused', `${name} is not loaded`);
  if (old.swapping) return finish(report, started, 'refused', `a swap of ${name} is already in progress`);
  // The kernel core holds no state of its own to hand over but its tables, and no activation to wait for but its continuations: kernel-swap.ts.
  if (old === kernel.self) return swapTheKernel(kernel, version, options, report, started);
  if (old.active > 0) return finish(report, started, 'refused', `requested from inside a call into ${name}: a module cannot be swapped under its own feet`);
  let target: ModuleRecord;
  try {
    target = targetRecord(kernel, old, version);
  } catch (error) {
    return finish(report, started, 'refused', (error as Error).message);
  }
  report.to = target.version;
  if (target.version === old.record.version) return finish(report, started, 'refused', `${name} is already at ${target.version}`);
  const problem = interfaceProblem(kernel, old, target) ?? swapBesideProblem(kernel, old, target);
  if (problem) return finish(report, started, 'refused', problem);

  // Marked before staging: the new version's init may not unload the module it is to replace.
  old.swapping = true;
  let fresh: LoadedModule;
  try {
    fresh = kernel.loader.stage(target);
  } catch (error) {
    old.swapping = false;
    return finish(report, started, 'rolled back', `the new version failed to load: ${reason(error)}`);
  }
  const hold = holdCalls(old);
  let migration: InstanceMigration | null = null;
  try {
    if (fresh.ready) await fresh.ready.catch((error) => Promise.reject(new Error(`the new version failed to load: ${reason(error)}`)));
    const limit = options.timeLimitMs ?? numberParam('swap.timeout', { fallback: DEFAULT_TIME_LIMIT_MS, min: 1, max: MAX_TIME_LIMIT_MS });
    report.quiescenceMs = await waitForQuiescence(old, hold, limit);
    const switchStarted = now();
    const oldHooks = old.exportsSlot.target as Hooks;
    const freshHooks = fresh.exportsSlot.target as Hooks;
    const state = synchronous(oldHooks.exportState?.(), `${old.record.version} exportState`);
    if (state && !freshHooks.importState) throw new Error(`${target.version} has no importState for the state ${old.record.version} hands over`);
    migration = InstanceMigration.needed(kernel, old, fresh, state, options.migration);
    migration?.apply(state);
    if (state) {
      try {
        synchronous(freshHooks.importState!(state, old.record.version), `${target.version} importState`);
      } catch (error) {
        throw new Error(`${target.version} refused the state of ${old.record.version} (format ${state.format}): ${reason(error)}`);
      }
    }
    report.stateEntries = state ? state.entries : null;
    report.objectsMigrated = migration?.count ?? 0;
    report.textFramesFreed = switchOver(kernel, old, fresh, migration);
    // What staging loaded for it is the system's now, no longer the swap's to give back.
    fresh.broughtIn.length = 0;
    report.switchMs = now() - switchStarted;
    hold.release();
    // The held calls were queued on the hold first: by the time this continues, each has been
    // answered by the new version (an async one has returned its promise).
    await undefined;
    report.pauseMs = now() - (hold.firstHeldAt ?? switchStarted);
    return finish(report, started, 'swapped');
  } catch (error) {
    migration?.undo();
    kernel.loader.abandon(fresh);
    return finish(report, started, 'rolled back', reason(error));
  } finally {
    hold.release();
    old.swapping = false;
  }
}

/** `swap kernel [VERSION]`: the checks and the report here, the swap in kernel-swap.ts. */
async function swapTheKernel(kernel: Kernel, version: string | undefined, options: SwapOptions, report: Omit<SwapReport, 'summary'>, started: number): Promise<SwapReport> {
  let target: ModuleRecord;
  try {
    target = kernelTarget(kernel, version);
  } catch (error) {
    return finish(report, started, 'refused', reason(error));
  }
  report.to = target.version;
  if (target.version === report.from) return finish(report, started, 'refused', `kernel is already at ${target.version}`);
  const self = kernel.self;
  self.swapping = true;
  try {
    const limit = options.timeLimitMs ?? numberParam('swap.timeout', { fallback: DEFAULT_TIME_LIMIT_MS, min: 1, max: MAX_TIME_LIMIT_MS });
    const outcome = await swapKernel(kernel, target, limit);
    Object.assign(report, { quiescenceMs: outcome.quiescenceMs, switchMs: outcome.switchMs, pauseMs: outcome.switchMs, tablesTransferred: outcome.tablesTransferred, textFramesFreed: outcome.textFramesFreed });
    return finish(report, started, 'swapped');
  } catch (error) {
    return finish(report, started, 'rolled back', reason(error));
  } finally {
    self.swapping = false;
  }
}

/**
 * A state hook's result. The switch is one synchronous step, so a hook that returns a promise
 * is refused (its rejection, if one comes, is then nobody's problem).
 */
function synchronous<Result>(result: Result, hook: string): Result {
  if (result instanceof Promise) {
    result.catch(() => {});
    throw new Error(`${hook} returned a promise: state hooks must be synchronous (the switch is one synchronous step)`);
  }
  return result;
}


/** Nothing to give back: a swap in progress keeps this module in use (its caller holds it). */
export function exit(): void {}
