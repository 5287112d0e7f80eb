/*
 * The async-init operation: loads a fixture not loaded (unloading first, now and then, those
 * that nothing uses, to make room for a load of a whole chain), with an async init injected in one
 * module of the load — one that rejects after an await (async-init: the load fails as a throw
 * fails it, everything it took given back, an oops of <module>.init) or one that finishes after
 * it (slow-init) — now and then with a self-unload or self-request in the same init. It loads
 * by loadModule, which returns a promise then, or by requestModule, which cannot wait: refused
 * at once, while the load goes on; the driver then waits for it with loadModule.
 *
 * While that init runs its module is Loading, and the driver tries, at random: unloading it,
 * requesting it, swapping it (each refused: its init has not finished), loading it again (the
 * same wait, settling as its init does), and loading a module that imports it (which waits
 * for it and fails with it).
 */
import { loadModule, requestModule, unloadModule, type ModuleRecord } from 'keel:kernel';
import type { FaultKind } from 'keel:sim-control';
import { swap } from 'keel:swap';
import { answersFor, armAll, checkAnswers, FAULT_MESSAGES, FAULTY, faultsIn, keepHelperHolds, reports, struck, type Fault } from './injected-faults.ts';
import { attempt, unloadUnused } from './lifecycle.ts';
import { additionsFor, attemptLoad, framesNeeded, judgeLoad, loaderGap, planLoad, refusedLoad, withHelper, type Attempt, type LoadPlan } from './transitions.ts';
import { Violation } from './violation.ts';
import type { World } from './world.ts';

const WAITS = [0, 0, 1, 4];
const stillLoading = (name: string) => `${name} is still loading: its init has not finished`;
const notReady = (name: string) => `${name} is not ready: its init has not finished`;

/** The attempt a promise settles to (a rejection must be a ModuleError). */
const settled = (label: string, promise: Promise<unknown>): Promise<Attempt<unknown>> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error) => refusedLoad(label, error),
  );

/** Starts a load (loadModule, or a second try after a refusal) and gives the attempt it settles to. */
function loadSettled(label: string, load: () => unknown): Promise<Attempt<unknown>> {
  const started = attemptLoad(label, load);
  return started.ok ? settled(label, Promise.resolve(started.value)) : Promise.resolve(started);
}

/** Whether `record` imports `name`, directly or through the default versions of its dependencies. */
function dependsOn(world: World, record: ModuleRecord, name: string): boolean {
  return record.depends.some((dependency) => dependency === name || dependsOn(world, world.kernel.findRecord(dependency), name));
}

/** A load started while `loading` is Loading, of a module that imports it and nothing the main load adds. */
interface Dependent {
  name: string;
  plan: LoadPlan;
  outcome: Promise<Attempt<unknown>>;
}

function loadDependent(world: World, loading: string, plan: LoadPlan): Dependent | null {
  const candidates = FAULTY.filter((name) => {
    if (world.loaded(name) || plan.additions.has(name) || !dependsOn(world, world.kernel.findRecord(name), loading)) return false;
    const additions = additionsFor(world, world.kernel.findRecord(name));
    return [...additions.keys()].every((added) => !plan.additions.has(added)) && loaderGap(world, additions) === null;
  });
  if (candidates.length === 0) return null;
  const name = world.random.pick(candidates);
  const additions = new Map([...plan.additions, ...additionsFor(world, world.kernel.findRecord(name))]);
  const needed = framesNeeded(world, additions);
  const both = { ...plan, additions, needed, mustFail: plan.mustFail || plan.free < needed };
  const outcome = loadSettled(`load ${name}`, () => {
    const result = loadModule(name);
    if (!(result instanceof Promise)) throw new Violation('lifecycle', `load ${name} did not wait for ${loading}, which it imports and which is Loading`);
    return result;
  });
  return { name, plan: both, outcome };
}

/** The refusals while `name` is Loading; returns what was tried, and what settles later. */
function probeLoading(world: World, name: string, kind: FaultKind, plan: LoadPlan) {
  const { random } = world;
  const tried: string[] = [];
  const refused = (what: string, error: Error | null, expected: string) => {
    if (error?.message !== expected) throw new Violation('lifecycle', `${what} while ${name} is Loading: ${error ? `"${error.message}"` : 'it was let'}, expected "${expected}"`);
    tried.push(`${what} refused`);
  };
  if (random.chance(0.5)) refused(`rmmod ${name}`, attempt(() => unloadModule(name)), `Module ${stillLoading(name)}`);
  if (random.chance(0.5)) refused(`request ${name}`, attempt(() => requestModule(name)), notReady(name));
  const swapped = random.chance(0.3) ? swap(name) : null;
  const again = random.chance(0.3) ? loadModule(name) : undefined;
  if (again !== undefined && !(again instanceof Promise)) throw new Violation('lifecycle', `loading ${name} again while it is Loading did not wait for its init`);
  const dependent = random.chance(0.3) ? loadDependent(world, name, plan) : null;
  const later = async (): Promise<string[]> => {
    if (swapped) {
      const report = await swapped;
      if (report.outcome !== 'refused' || report.reason !== stillLoading(name)) throw new Violation('lifecycle', `swap ${name} while it is Loading: ${report.summary}`);
      tried.push(`swap ${name} refused`);
    }
    if (again) {
      const outcome = await settled(`load ${name} again`, again);
      const rejected = kind === 'async-init' ? `${name}: init failed: ${FAULT_MESSAGES['async-init']}` : null;
      if (outcome.ok ? rejected !== null : outcome.error.message !== rejected) throw new Violation('lifecycle', `load ${name} again while it was Loading: ${outcome.ok ? 'loaded' : outcome.error.message}, expected ${rejected ?? 'loaded'}`);
      tried.push(`load ${name} again waited`);
    }
    return tried;
  };
  return { dependent, later };
}

export async function asyncInitOperation(world: World): Promise<string> {
  const { random, kernel } = world;
  // Most fixtures are loaded most of the time: make room for a load now and then, often for a chain of them.
  const cleared = FAULTY.every((name) => world.loaded(name)) || random.chance(0.3) ? unloadUnused(world, FAULTY, random.chance(0.6)) : [];
  const absent = FAULTY.filter((name) => !world.loaded(name));
  if (absent.length === 0) return `async init: every fixture is loaded and in use`;
  const name = random.pick(absent);
  const version = random.chance(0.3) ? random.pick(kernel.findRecords(name)).version : undefined;
  const plain = additionsFor(world, kernel.findRecord(name, version));
  const module = random.pick([...plain.keys()].filter((candidate) => FAULTY.includes(candidate)));
  const kind = random.pick<FaultKind>(['async-init', 'slow-init']);
  const faults: Fault[] = faultsIn(module, [kind], random.pick(WAITS));
  if (random.chance(0.3)) faults.push(...faultsIn(module, [random.pick<FaultKind>(['self-unload', 'self-request'])]));
  const additions = faults.some((fault) => fault.kind === 'self-request') ? withHelper(world, plain) : plain;
  const byRequest = version === undefined && random.chance(0.3);
  const label = `${cleared.length > 0 ? `rmmod ${cleared.join(' ')}, then ` : ''}${byRequest ? 'request' : 'load'} ${name}${version ? ` ${version}` : ''} (${faults.map((fault) => `${fault.kind} of ${fault.module}`).join(', ')})`;
  const plan = planLoad(world, label, additions, kind === 'async-init' ? { module, reason: FAULT_MESSAGES['async-init']! } : undefined);
  armAll(faults);
  const first = attemptLoad(label, () => (byRequest ? world.acquire(name) : loadModule(name, version)));
  const hit = struck(faults);
  checkAnswers(label, answersFor(hit, (loading) => `Module ${stillLoading(loading)}`));
  for (const line of reports(hit)) world.log.expect(line);
  if (!hit.some((fault) => fault.kind === kind)) {
    // Its init never ran (out of memory, or a missing import, before it): a load that settled at once.
    if (first.ok) throw new Violation('load', `${label} succeeded without running the init of ${module}`);
    judgeLoad(world, plan, first);
    return `${label}: failed before the init of ${module} ran (${first.error.message})`;
  }
  if (world.loaded(module)?.state !== 'Loading') throw new Violation('lifecycle', `${label}: ${module} is ${world.loaded(module)?.state ?? 'not loaded'} while its init runs, not Loading`);
  if (byRequest ? first.ok || first.error.message !== notReady(name) : !first.ok || !(first.value instanceof Promise)) {
    throw new Violation('load', `${label}: ${first.ok ? 'returned at once' : first.error.message}, expected ${byRequest ? `"${notReady(name)}"` : 'to wait for the init'}`);
  }
  const { dependent, later } = probeLoading(world, module, kind, plan);
  const outcome = await (byRequest ? loadSettled(label, () => loadModule(name)) : settled(label, (first as { value: Promise<unknown> }).value));
  const tried = await later();
  const depending = dependent && (await dependent.outcome);
  if (depending?.ok) {
    if (!outcome.ok) throw new Violation('load', `load ${dependent!.name} succeeded, though ${module}, which it imports, failed to load`);
    judgeLoad(world, dependent!.plan, outcome);
  } else {
    if (depending && outcome.ok && !(depending.error.message.includes('out of memory') && world.tight())) {
      throw new Violation('load', `load ${dependent!.name}, which waited for ${module}, failed though ${label} succeeded: ${depending.error.message}`);
    }
    judgeLoad(world, plan, outcome);
  }
  if (outcome.ok) keepHelperHolds(world, hit);
  if (dependent) tried.push(`load ${dependent.name} waited: ${depending!.ok ? 'loaded' : 'failed'}`);
  return `${label}: ${outcome.ok ? 'loaded' : 'failed'}${tried.length > 0 ? `; meanwhile ${tried.join(', ')}` : ''}`;
}
