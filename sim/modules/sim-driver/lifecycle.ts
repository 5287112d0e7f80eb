/*
 * Operations on the module table: load (now and then with a fault injected in an init it runs:
 * one that throws, one that tries to unload or to request its own module — refused — and then
 * requests INIT_HELPER and keeps it), unload (refused while in use, as rmmod; now and then with
 * an exit that throws or rejects: logged, and the unload goes on), and the hog that takes almost
 * every free frame so that loads and swaps run out of memory. Swaps are swap-operation.ts, loads
 * whose init is async async-init-operation.ts. Each says what must happen, checks that it did,
 * and returns one line for the trace.
 */
import { loadModule, unloadModule } from 'keel:kernel';
import type { FaultKind } from 'keel:sim-control';
import type * as Hog from 'keel:sim-hog';
import { hold } from './calls.ts';
import { answersFor, armAll, checkAnswers, FAULT_MESSAGES, FAULTY, faultsIn, keepHelperHolds, reports, struck, type Fault } from './injected-faults.ts';
import { expectedUsers } from './invariants.ts';
import type { Random } from './prng.ts';
import { additionsFor, checkedLoad, expectChange, withHelper } from './transitions.ts';
import { Violation } from './violation.ts';
import { FIXTURES, type World } from './world.ts';

const BASE_MODULES = ['sim-driver', 'sim-control', 'swap', 'sysinfo', 'no-such-module', 'kernel'];
/** The faults a load injects in one init, drawn as a set (an init failure most often). */
const LOAD_FAULTS: FaultKind[][] = [['init'], ['init'], ['init'], ['self-unload'], ['self-request'], ['self-request', 'init'], ['self-unload', 'init']];

/**
 * The one line unloadModule must refuse a loaded fixture with, or null: its users first, then
 * calls in flight or a swap's hold on its calls, then a swap under way. Users are listed sorted.
 */
export function fixtureUnloadRefusal(world: World, name: string, { holding = false, swapping = false } = {}): string | null {
  const users = expectedUsers(world, name);
  if (users.length > 0) return `Module ${name} is in use by: ${users.join(' ')}`;
  if ((world.pending.get(name) ?? 0) > 0 || holding) return `Module ${name} is in use`;
  if (swapping) return `Module ${name} is in use: it is being swapped`;
  return null;
}

/**
 * Unloads (checked as unloads) a fixture of `names` that nothing uses, holds or keeps busy —
 * with `all`, each next one too, as long as there is one — so that a load or a swap must load
 * them again. Returns those it unloaded.
 */
export function unloadUnused(world: World, names: string[], all: boolean): string[] {
  const unloaded: string[] = [];
  for (let name = names.find((candidate) => unused(world, candidate)); name; name = names.find((candidate) => unused(world, candidate))) {
    const before = world.snapshot();
    const free = world.kernel.frames.free;
    const owned = world.framesOf(world.loaded(name)!);
    const error = attempt(() => unloadModule(name));
    if (error) throw new Violation('unload', `rmmod ${name}: ${error.message}, though nothing uses it`);
    expectChange(world, `rmmod ${name}`, before, { removed: name });
    if (world.kernel.frames.free !== free + owned) throw new Violation('frames', `rmmod ${name} gave back ${world.kernel.frames.free - free} frames of the ${owned} it owned`);
    world.observe();
    unloaded.push(name);
    if (!all) break;
  }
  return unloaded;
}

const unused = (world: World, name: string) => FAULTY.includes(name) && world.loaded(name) !== undefined && fixtureUnloadRefusal(world, name) === null;

function pickLoadFaults(random: Random, additions: Map<string, string>): Fault[] {
  const faulty = [...additions.keys()].filter((candidate) => FAULTY.includes(candidate));
  return faulty.length > 0 && random.chance(0.2) ? faultsIn(random.pick(faulty), random.pick(LOAD_FAULTS)) : [];
}

export function attempt(action: () => void): Error | null {
  try {
    action();
    return null;
  } catch (error) {
    return error as Error;
  }
}

export function loadOperation(world: World): string {
  const { random, kernel } = world;
  const absent = FIXTURES.filter((candidate) => !world.loaded(candidate));
  const name = absent.length > 0 && random.chance(0.8) ? random.pick(absent) : random.pick(FIXTURES);
  const version = random.chance(0.3) ? random.pick(kernel.findRecords(name)).version : undefined;
  const label = `load ${name}${version ? ` ${version}` : ''}`;
  const loaded = world.loaded(name);
  if (loaded) {
    const before = world.snapshot();
    const clash = version !== undefined && version !== loaded.record.version;
    const error = attempt(() => loadModule(name, version));
    if (clash !== (error !== null)) throw new Violation('load', `${label} ${error ? `failed (${error.message})` : 'succeeded'} with ${loaded.record.version} loaded`);
    expectChange(world, label, before, {});
    return `${label}: ${clash ? 'refused, another version is loaded' : 'already loaded'}`;
  }
  const plain = additionsFor(world, kernel.findRecord(name, version));
  const faults = pickLoadFaults(random, plain);
  const additions = faults.some((fault) => fault.kind === 'self-request') ? withHelper(world, plain) : plain;
  const failing = faults.find((fault) => fault.kind === 'init');
  armAll(faults);
  const result = checkedLoad(world, label, additions, failing && { module: failing.module, reason: FAULT_MESSAGES.init! }, () => loadModule(name, version));
  const hit = struck(faults);
  checkAnswers(label, answersFor(hit, (module) => `Module ${module} is still loading: its init has not finished`));
  for (const line of reports(hit)) world.log.expect(line);
  if (result.ok) keepHelperHolds(world, hit);
  const injected = faults.length > 0 ? ` (${faults.map((fault) => `${fault.kind} of ${fault.module}`).join(', ')})` : '';
  return `${label}${injected}: ${result.ok ? `loaded ${[...additions.keys()].join(' ')}` : 'failed'}`;
}

export function unloadOperation(world: World): string {
  const { random, kernel } = world;
  const name = random.chance(0.85) ? random.pick(FIXTURES) : random.pick(BASE_MODULES);
  const label = `rmmod ${name}`;
  const module = world.loaded(name);
  const users = expectedUsers(world, name);
  const before = world.snapshot();
  const free = kernel.frames.free;
  const owned = module ? world.framesOf(module) : 0;
  const busy = world.busy.has(name) ? 'in use by a call in flight' : null;
  const refusal = !module ? 'not loaded' : users.length > 0 ? `in use by ${users.join(' ')}` : busy ?? (module.permanent ? 'permanent' : null);
  const faults = FAULTY.includes(name) && random.chance(0.4) ? faultsIn(name, [random.pick<FaultKind>(['exit', 'async-exit'])]) : [];
  armAll(faults);
  const error = attempt(() => unloadModule(name));
  const hit = struck(faults);
  // An exit runs only for an unload that goes on, and its failure never stops it.
  if (hit.length > 0 && refusal) throw new Violation('unload', `${label}: the exit of ${name} ran, though the unload was refused`);
  for (const line of reports(hit)) world.log.expect(line);
  if (refusal) {
    if (!error) throw new Violation('unload', `${label} succeeded although it is ${refusal}`);
    const named = /in use by: (.*)$/.exec(error.message)?.[1]?.split(' ').sort().join(' ');
    if (users.length > 0 && named !== users.join(' ')) throw new Violation('unload', `${label} refused with "${error.message}", expected users ${users.join(' ')}`);
    if (users.length === 0 && busy && error.message !== `Module ${name} is in use`) throw new Violation('unload', `${label} refused with "${error.message}", expected in use by a call in flight`);
    expectChange(world, label, before, {});
    if (kernel.frames.free !== free) throw new Violation('frames', `${label} was refused but freed ${kernel.frames.free - free} frames`);
    if (busy && users.length === 0) world.trace.fault('unload-in-flight');
    return `${label}: refused, ${refusal}`;
  }
  if (error) throw new Violation('unload', `${label} refused (${error.message}), yet nothing uses it`);
  expectChange(world, label, before, { removed: name });
  if (kernel.frames.free !== free + owned) throw new Violation('frames', `${label} gave back ${kernel.frames.free - free} frames of the ${owned} it owned`);
  world.observe();
  return `${label}${faults.length > 0 ? ` (${faults[0]!.kind} fault)` : ''}: unloaded, ${owned} frames freed`;
}

export function hogOperation(world: World): string {
  const leave = world.random.pick([0, 0, 1, 2, 3, 5, 8, 13]);
  const hog = hold<typeof Hog>(world, 'sim-hog');
  if (!hog) return `hog: sim-hog could not be loaded`;
  const free = world.kernel.frames.free;
  const taken = hog.hog(leave);
  world.release('sim-hog');
  const expected = Math.max(0, free - leave);
  if (taken !== expected || world.kernel.frames.free !== free - taken) throw new Violation('frames', `hog ${leave} took ${taken} frames of ${free} free, leaving ${world.kernel.frames.free}`);
  return `hog: ${taken} frames taken, ${leave} left`;
}

export function unhogOperation(world: World): string {
  if (!world.loaded('sim-hog')) return 'unhog: no hog';
  const hog = world.acquire<typeof Hog>('sim-hog');
  const free = world.kernel.frames.free;
  const freed = hog.unhog();
  world.release('sim-hog');
  if (world.kernel.frames.free !== free + freed || world.loaded('sim-hog')!.dataOwner.frames !== 0) throw new Violation('frames', `unhog freed ${freed} frames but ${world.kernel.frames.free - free} came back`);
  return `unhog: ${freed} frames back`;
}
