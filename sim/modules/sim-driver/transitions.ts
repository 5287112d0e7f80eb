/*
 * What a load, unload or swap may change in the kernel's module table, checked against what
 * it did change: a load adds its whole dependency closure or nothing, a failed operation leaves
 * every LoadedModule (by identity) and every frame where it was, a swap replaces exactly one.
 * checkedLoad also says whether a load had to succeed (no fault, memory to spare) or to fail;
 * planLoad and judgeLoad are its two halves, for a load that settles later (an async init).
 */
import { ModuleError, type ModuleRecord } from 'keel:kernel';
import { INIT_HELPER } from 'keel:sim-control';
import { Violation } from './violation.ts';
import type { Snapshot, World } from './world.ts';

export interface Change {
  /** Modules that must appear, with their versions. */
  added?: Map<string, string>;
  removed?: string;
  /** A module that must be replaced by a new LoadedModule at this version. */
  replaced?: [string, string];
}

/**
 * The modules loading `record` would add, in the loader's order, with their versions:
 * dependencies not loaded come at their default version.
 */
export function additionsFor(world: World, record: ModuleRecord, into = new Map<string, string>()): Map<string, string> {
  for (const dependency of record.depends) {
    if (world.loaded(dependency) || into.has(dependency)) continue;
    additionsFor(world, world.kernel.findRecord(dependency), into);
  }
  if (!world.loaded(record.name)) into.set(record.name, record.version);
  return into;
}

/**
 * A symbol `record` imports that the version of a dependency it would be linked to (the loaded
 * one, else the default) does not export, as a phrase; null if there is none. The swap refuses
 * such a target, and the loader refuses such a load.
 */
export function missingImport(world: World, record: ModuleRecord): string | null {
  for (const [dependency, symbols] of Object.entries(record.imports)) {
    const exporter = world.loaded(dependency)?.record ?? world.kernel.findRecord(dependency);
    const symbol = symbols.find((candidate) => candidate !== '*' && !exporter.exports.includes(candidate));
    if (symbol) return `${record.name} ${record.version} imports ${symbol} from ${dependency}, which ${dependency} ${exporter.version} does not export`;
  }
  return null;
}

/** The first of `additions` that would be linked with a missing import, or null. */
export function loaderGap(world: World, additions: Map<string, string>): string | null {
  for (const [name, version] of additions) {
    const problem = missingImport(world, world.kernel.findRecord(name, version));
    if (problem) return problem;
  }
  return null;
}

/** `additions`, with INIT_HELPER at its default version if it is not loaded: what a self-request fault's init loads too. */
export function withHelper(world: World, additions: Map<string, string>): Map<string, string> {
  if (world.loaded(INIT_HELPER) || additions.has(INIT_HELPER)) return additions;
  return new Map([...additions, [INIT_HELPER, world.kernel.findRecord(INIT_HELPER).version]]);
}

/** Data frames each fixture version's init takes (what the fixtures' init functions kalloc). */
const INIT_FRAMES: Record<string, number> = { 'sim-store@1.0.0': 1, 'sim-store@2.0.0': 2, 'sim-store@3.0.0': 1, 'sim-relay@2.0.0': 1 };

/** Frames those additions need at least: their text and what their init allocates. */
export function framesNeeded(world: World, additions: Map<string, string>): number {
  let frames = 0;
  for (const [name, version] of additions) {
    frames += Math.max(1, Math.ceil(world.kernel.findRecord(name, version).size / 4096)) + (INIT_FRAMES[`${name}@${version}`] ?? 0);
  }
  return frames;
}

export function expectChange(world: World, operation: string, before: Snapshot, change: Change): void {
  const fail = (details: string) => {
    throw new Violation('tables', `${operation}: ${details}`);
  };
  const after = world.snapshot();
  for (const [name, module] of before) {
    const now = after.get(name);
    if (name === change.removed) {
      if (now) fail(`${name} is still loaded`);
    } else if (name === change.replaced?.[0]) {
      if (!now || now === module) fail(`${name} was not replaced`);
      else if (now.record.version !== change.replaced[1]) fail(`${name} is at ${now.record.version}, not ${change.replaced[1]}`);
    } else if (now !== module) {
      fail(now ? `${name} ${module.record.version} was replaced by ${now.record.version}` : `${name} was unloaded`);
    }
  }
  for (const [name, module] of after) {
    if (before.has(name)) continue;
    const version = change.added?.get(name);
    if (version === undefined) fail(`${name} ${module.record.version} was loaded`);
    else if (module.record.version !== version) fail(`${name} was loaded at ${module.record.version}, not ${version}`);
  }
  for (const name of change.added?.keys() ?? []) if (!after.has(name)) fail(`${name} was not loaded`);
}

export type Attempt<Value> = { ok: true; value: Value } | { ok: false; error: Error };

/** An init set to fail (an injected fault), and the message it fails with. */
export interface Failure {
  module: string;
  reason: string;
}

/** What a load must do, decided before it starts: see checkedLoad. */
export interface LoadPlan {
  label: string;
  additions: Map<string, string>;
  failure: Failure | undefined;
  before: Snapshot;
  free: number;
  needed: number;
  gap: string | null;
  mustFail: boolean;
}

export function planLoad(world: World, label: string, additions: Map<string, string>, failure: Failure | undefined): LoadPlan {
  const free = world.kernel.frames.free;
  const needed = framesNeeded(world, additions);
  const gap = loaderGap(world, additions);
  return { label, additions, failure, before: world.snapshot(), free, needed, gap, mustFail: failure !== undefined || gap !== null || free < needed };
}

/** Runs `load`: its value, or the ModuleError it threw; anything else thrown is a Violation. */
export function attemptLoad<Value>(label: string, load: () => Value): Attempt<Value> {
  try {
    return { ok: true, value: load() };
  } catch (error) {
    return refusedLoad(label, error);
  }
}

/** A load's rejection as an attempt: a ModuleError, else a Violation. */
export function refusedLoad(label: string, error: unknown): Attempt<never> {
  if (!(error instanceof ModuleError)) throw new Violation('load', `${label} threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
  return { ok: false, error };
}

/** Checks a load that has settled against its plan (see checkedLoad), and takes in what it changed. */
export function judgeLoad(world: World, plan: LoadPlan, attempt: Attempt<unknown>): void {
  const { label, failure, gap, free, needed } = plan;
  const { frames } = world.kernel;
  if (attempt.ok) {
    if (plan.mustFail) throw new Violation('load', `${label} succeeded, yet ${failure ? `the init of ${failure.module} was set to fail` : gap ?? `${free} frames are free for ${needed}`}`);
    expectChange(world, label, plan.before, { added: plan.additions });
  } else {
    if (!plan.mustFail && !world.tight()) throw new Violation('load', `${label} failed with memory to spare and no fault armed: ${attempt.error.message}`);
    const outOfMemory = attempt.error.message.includes('out of memory');
    const expected = [failure?.reason, gap && 'does not export'].filter(Boolean) as string[];
    if (expected.length > 0 && !expected.some((reason) => attempt.error.message.includes(reason)) && !(outOfMemory && world.tight())) {
      throw new Violation('load', `${label} failed for another reason than ${[failure && `the init failure of ${failure.module}`, gap].filter(Boolean).join(' or ')}: ${attempt.error.message}`);
    }
    expectChange(world, label, plan.before, {});
    if (frames.free !== free) throw new Violation('frames', `${label} failed but ${free - frames.free} frames stayed allocated`);
    if (outOfMemory) {
      world.trace.fault('out-of-memory');
      world.log.allowOutOfMemory();
    } else if (attempt.error.message.includes('does not export')) world.trace.fault('missing-import');
  }
  world.observe();
}

/**
 * Runs a load (loadModule, or requestModule of a module not loaded) that should add
 * `additions`, and checks it: it must fail if `failure` (an armed init fault) is among them,
 * if one of them imports a symbol its dependency does not export, or if their frames cannot
 * fit; it may fail when memory is tight, and must succeed otherwise. A failure leaves the
 * table and the free frames exactly as they were.
 */
export function checkedLoad<Value>(world: World, label: string, additions: Map<string, string>, failure: Failure | undefined, load: () => Value): Attempt<Value> {
  const plan = planLoad(world, label, additions, failure);
  const attempt = attemptLoad(label, load);
  judgeLoad(world, plan, attempt);
  return attempt;
}
