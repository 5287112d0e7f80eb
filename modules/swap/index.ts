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
  if (version) return kernel.findRecord(module.name, version);
  const versions = kernel.findRecords(module.name);
  return versions[versions.length - 1]!;
}

/** "1 text frame", "2 text frames". */
const counted = (count: number, noun: string, plural = `${noun}s`) => `${count} ${count === 1 ? noun : plural}`;

/** What a swap did, as far as it got: its report less the outcome, the total time and the summary. */
type SwapSteps = Omit<SwapReport, 'ok' | 'outcome' | 'reason' | 'totalMs' | 'summary'>;

/** A swap refused, or rolled back at its staging or its wait: nothing transferred. */
function nothingDone(module: string, from: string, to: string, quiescenceMs = 0): SwapSteps {
  return { module, from, to, quiescenceMs, switchMs: 0, pauseMs: 0, stateEntries: null, objectsMigrated: 0, textFramesFreed: 0 };
}

function describe(steps: SwapSteps, outcome: SwapReport['outcome'], reason: string | undefined, totalMs: number): string {
  if (outcome === 'refused') return `swap: ${steps.module}: refused, nothing changed: ${reason}`;
  const head = `swap: ${steps.module} ${steps.from} -> ${steps.to}`;
  if (outcome === 'rolled back') return `${head}: rolled back, ${steps.module} stays at ${steps.from}: ${reason}`;
  if (steps.tablesTransferred !== undefined) {
    return `${head}: quiescent in ${steps.quiescenceMs.toFixed(2)} ms, ${counted(steps.tablesTransferred, 'table')} transferred, ${counted(steps.textFramesFreed, 'text frame')} freed, switch ${steps.switchMs.toFixed(2)} ms, ${totalMs.toFixed(2)} ms in all`;
  }
  const state = steps.stateEntries === null ? 'no state to transfer' : `${counted(steps.stateEntries, 'state entry', 'state entries')} transferred`;
  const objects = steps.objectsMigrated > 0 ? `, ${counted(steps.objectsMigrated, 'object')} migrated` : '';
  return `${head}: quiescent in ${steps.quiescenceMs.toFixed(2)} ms, callers paused ${steps.pauseMs.toFixed(2)} ms, ${state}${objects}, ${counted(steps.textFramesFreed, 'text frame')} freed, ${totalMs.toFixed(2)} ms in all`;
}

/**
 * Ends a swap: its report, made here in one piece, and its summary line in dmesg. A report
 * filled in as the swap went would change shape on the way (its times from 0 to fractions, a
 * reason added), and V8 makes such shapes anew after every full collection, which the reclaim
 * monitor runs after each unload: that cost every swap some 50 µs.
 */
function finish(steps: SwapSteps, started: number, outcome: SwapReport['outcome'], reason?: string): SwapReport {
  const totalMs = now() - started;
  const summary = describe(steps, outcome, reason, totalMs);
  // Asked for the core again: after a swap of the kernel, the one that logs is the new one.
  kernelInternals().log.printk(summary);
  const { module, from, to, quiescenceMs, switchMs, pauseMs, stateEntries, tablesTransferred, objectsMigrated, textFramesFreed } = steps;
  return { ok: outcome === 'swapped', outcome, reason, module, from, to, quiescenceMs, switchMs, pauseMs, stateEntries, tablesTransferred, objectsMigrated, textFramesFreed, totalMs, summary };
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
  const from = old?.record.version ?? '-';
  const refuse = (reason: string, to = version ?? '-') => finish(nothingDone(name, from, to), started, 'refused', reason);
  if (old?.state === 'Loading') return refuse(`${name} is still loading: its init has not finished`);
  if (!old || old.state !== 'Live') return refuse(`${name} is not loaded`);
  if (old.swapping) return refuse(`a swap of ${name} is already in progress`);
  // The kernel core holds no state of its own to hand over but its tables, and no activation to wait for but its continuations: kernel-swap.ts.
  if (old === kernel.self) return swapTheKernel(kernel, version, options, started);
  if (old.active > 0) return refuse(`requested from inside a call into ${name}: a module cannot be swapped under its own feet`);
  let target: ModuleRecord;
  try {
    target = targetRecord(kernel, old, version);
  } catch (error) {
    return refuse((error as Error).message);
  }
  const to = target.version;
  if (to === from) return refuse(`${name} is already at ${to}`, to);
  const problem = interfaceProblem(kernel, old, target) ?? swapBesideProblem(kernel, old, target);
  if (problem) return refuse(problem, to);

  // Marked before staging: the new version's init may not unload the module it is to replace.
  old.swapping = true;
  let fresh: LoadedModule;
  try {
    fresh = kernel.loader.stage(target);
  } catch (error) {
    old.swapping = false;
    return finish(nothingDone(name, from, to), started, 'rolled back', `the new version failed to load: ${reason(error)}`);
  }
  const hold = holdCalls(old);
  let migration: InstanceMigration | null = null;
  let quiescenceMs = 0;
  try {
    if (fresh.ready) await fresh.ready.catch((error) => Promise.reject(new Error(`the new version failed to load: ${reason(error)}`)));
    const limit = options.timeLimitMs ?? numberParam('swap.timeout', { fallback: DEFAULT_TIME_LIMIT_MS, min: 1, max: MAX_TIME_LIMIT_MS });
    quiescenceMs = await waitForQuiescence(old, hold, limit);
    const switchStarted = now();
    const oldHooks = old.exportsSlot.target as Hooks;
    const freshHooks = fresh.exportsSlot.target as Hooks;
    const state = synchronous(oldHooks.exportState?.(), `${from} exportState`);
    if (state && !freshHooks.importState) throw new Error(`${to} has no importState for the state ${from} hands over`);
    migration = InstanceMigration.needed(kernel, old, fresh, state, options.migration);
    migration?.apply(state);
    if (state) {
      try {
        synchronous(freshHooks.importState!(state, from), `${to} importState`);
      } catch (error) {
        throw new Error(`${to} refused the state of ${from} (format ${state.format}): ${reason(error)}`);
      }
    }
    const textFramesFreed = switchOver(kernel, old, fresh, migration);
    // What staging loaded for it is the system's now, no longer the swap's to give back.
    fresh.broughtIn.length = 0;
    const switchMs = now() - switchStarted;
    hold.release();
    // The held calls were queued on the hold first: by the time this continues, each has been
    // answered by the new version (an async one has returned its promise).
    await undefined;
    const pauseMs = now() - (hold.firstHeldAt ?? switchStarted);
    const steps = { module: name, from, to, quiescenceMs, switchMs, pauseMs, stateEntries: state ? state.entries : null, objectsMigrated: migration?.count ?? 0, textFramesFreed };
    return finish(steps, started, 'swapped');
  } catch (error) {
    migration?.undo();
    kernel.loader.abandon(fresh);
    return finish(nothingDone(name, from, to, quiescenceMs), started, 'rolled back', reason(error));
  } finally {
    hold.release();
    old.swapping = false;
  }
}

/** `swap kernel [VERSION]`: the checks and the report here, the swap in kernel-swap.ts. */
async function swapTheKernel(kernel: Kernel, version: string | undefined, options: SwapOptions, started: number): Promise<SwapReport> {
  const self = kernel.self;
  const from = self.record.version;
  let target: ModuleRecord;
  try {
    target = kernelTarget(kernel, version);
  } catch (error) {
    return finish(nothingDone(self.name, from, version ?? '-'), started, 'refused', reason(error));
  }
  const to = target.version;
  if (to === from) return finish(nothingDone(self.name, from, to), started, 'refused', `kernel is already at ${to}`);
  self.swapping = true;
  try {
    const limit = options.timeLimitMs ?? numberParam('swap.timeout', { fallback: DEFAULT_TIME_LIMIT_MS, min: 1, max: MAX_TIME_LIMIT_MS });
    const outcome = await swapKernel(kernel, target, limit);
    const { quiescenceMs, switchMs, tablesTransferred, textFramesFreed } = outcome;
    return finish({ module: self.name, from, to, quiescenceMs, switchMs, pauseMs: switchMs, stateEntries: null, tablesTransferred, objectsMigrated: 0, textFramesFreed }, started, 'swapped');
  } catch (error) {
    return finish(nothingDone(self.name, from, to), started, 'rolled back', reason(error));
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
