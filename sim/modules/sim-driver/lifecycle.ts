/*
 * Operations on the module table: load (with an injected init failure now and then), unload
 * (refused while in use, as rmmod), swap (to every version and back, with injected init,
 * exportState, importState and time-limit failures), and the hog that takes almost every free
 * frame so that loads and swaps run out of memory. Each says what must happen, checks that it
 * did, and returns one line for the trace.
 */
import { loadModule, unloadModule, type LoadedModule, type ModuleRecord } from 'keel:kernel';
import { arm, type FaultKind } from 'keel:sim-control';
import type * as Hog from 'keel:sim-hog';
import type * as Store from 'keel:sim-store';
import { swap } from 'keel:swap';
import { hold } from './calls.ts';
import { expectedUsers } from './invariants.ts';
import { startSlowCall } from './call-operations.ts';
import { additionsFor, checkedLoad, expectChange, framesNeeded, missingImport } from './transitions.ts';
import { FIXTURES, STATEFUL, Violation, type World } from './world.ts';

const BASE_MODULES = ['sim-driver', 'sim-control', 'swap', 'sysinfo', 'no-such-module', 'kernel'];
/** Faults sim-control can arm, by module: sim-hog trips none. */
const FAULTS: Record<string, FaultKind[]> = { 'sim-store': ['init', 'export', 'import'], 'sim-relay': ['init', 'export', 'import'], 'sim-client': ['init', 'export', 'import'], 'sim-audit': ['init'] };
/** The state formats each sim-store version reads; every version hands over the format of its major. */
const STORE_READS: Record<string, number[]> = { '1.0.0': [1, 2], '2.0.0': [1, 2, 3], '3.0.0': [2, 3] };

function attempt(action: () => void): Error | null {
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
  const additions = additionsFor(world, kernel.findRecord(name, version));
  const faulty = [...additions.keys()].filter((candidate) => FAULTS[candidate]);
  const fault = faulty.length > 0 && random.chance(0.15) ? random.pick(faulty) : undefined;
  if (fault) arm('init', fault);
  const result = checkedLoad(world, label, additions, fault, () => loadModule(name, version));
  return `${label}: ${result.ok ? `loaded ${[...additions.keys()].join(' ')}` : `failed${fault ? ' (init fault)' : ''}`}`;
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
  const error = attempt(() => unloadModule(name));
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
  return `${label}: unloaded, ${owned} frames freed`;
}

/** Why a swap of `module` to `target` must be refused before anything changes, or null. */
function refusal(world: World, name: string, module: LoadedModule | undefined, target: ModuleRecord): string | null {
  if (!module) return 'is not loaded';
  if (module.record.version === target.version) return 'is already at';
  for (const user of world.kernel.loader.modules.values()) {
    if (!user.record.depends.includes(name)) continue;
    if ((user.record.imports[name] ?? []).some((symbol) => symbol !== '*' && !target.exports.includes(symbol))) return `drops`;
  }
  return missingImport(world, target) ? 'does not export' : null;
}

/** Why a swap that is not refused must roll back, as the swap's reason says it; null if it must succeed. */
function rollbackCause(name: string, module: LoadedModule, target: ModuleRecord, fault: FaultKind | 'time-limit' | undefined): string | null {
  if (fault === 'init') return 'injected init failure';
  if (fault === 'time-limit') return 'not quiescent after 1 ms';
  if (fault === 'export') return 'injected exportState failure';
  if (fault === 'import') return 'injected importState failure';
  if (name === 'sim-store' && !STORE_READS[target.version]!.includes(Number(module.record.version[0]))) return 'refused the state';
  return null;
}

/** What a swap picks: the modules with several versions far more often than the others. */
const SWAPPED = ['sim-store', 'sim-store', 'sim-store', 'sim-relay', 'sim-relay', 'sim-relay', 'sim-client', 'sim-client', 'sim-client', 'sim-audit', 'sim-hog'];

export async function swapOperation(world: World): Promise<string> {
  const { random, kernel } = world;
  const name = random.pick(SWAPPED);
  const module = world.loaded(name);
  const records = kernel.findRecords(name);
  const others = records.filter((record) => record.version !== module?.record.version);
  // Mostly to another version; now and then to the newest (no version given) or to the same one.
  const roll = random.next();
  const version = roll < 0.1 ? undefined : roll < 0.2 || others.length === 0 ? random.pick(records).version : random.pick(others).version;
  const target = version ? kernel.findRecord(name, version) : records[records.length - 1]!;
  const faults: Array<FaultKind | 'time-limit'> = [...(FAULTS[name] ?? []), ...(STATEFUL.includes(name) ? ['time-limit' as const] : [])];
  const fault = module && faults.length > 0 && random.chance(0.3) ? random.pick(faults) : undefined;
  const label = `swap ${name} ${target.version}${fault ? ` (${fault} fault)` : ''}`;
  const refused = refusal(world, name, module, target);
  const additions = module ? additionsFor(world, target) : new Map<string, string>();
  const free = kernel.frames.free;
  // Short of memory, the swap must roll back, for memory or for whichever fault strikes first.
  const outOfMemory = free < framesNeeded(world, new Map([...additions, [name, target.version]]));
  const cause = refused || !module ? null : rollbackCause(name, module, target, fault);
  if (fault && fault !== 'time-limit') arm(fault, name);
  const slow = fault === 'time-limit' && !refused ? startSlowCall(world, name) : null;
  const before = world.snapshot();
  const report = await swap(name, version, fault === 'time-limit' ? { timeLimitMs: 1 } : {});
  const got = `${report.outcome}${report.reason ? `: ${report.reason}` : ''}`;
  const forMemory = report.outcome === 'rolled back' && report.reason!.includes('out of memory');
  if (refused) {
    if (report.outcome !== 'refused' || !report.reason?.includes(refused)) throw new Violation('swap', `${label}: ${got}; expected refused (${refused})`);
  } else if (forMemory) {
    if (!world.tight()) throw new Violation('swap', `${label}: ${got}, with ${free} frames free`);
    world.trace.fault('out-of-memory');
  } else if (cause || outOfMemory) {
    if (report.outcome !== 'rolled back' || !cause || !report.reason?.includes(cause)) throw new Violation('swap', `${label}: ${got}; expected rolled back (${cause ?? 'out of memory'})`);
  } else if (report.outcome !== 'swapped') {
    throw new Violation('swap', `${label}: ${got}; expected swapped`);
  }
  if (report.outcome === 'swapped') expectChange(world, label, before, { replaced: [name, target.version], added: additions });
  else if (report.outcome === 'refused') expectChange(world, label, before, {});
  // A rollback gives back what staging loaded for the new version: table and frames as they were.
  else expectChange(world, label, before, {});
  if (report.outcome !== 'swapped' && kernel.frames.free !== free) throw new Violation('frames', `${label} was ${report.outcome} but ${free - kernel.frames.free} frames stayed allocated`);
  if (report.outcome === 'rolled back' && fault === 'time-limit') world.trace.fault('time-limit');
  world.observe();
  if (name === 'sim-store' && report.outcome !== 'refused') checkStoreSize(world, label);
  return `${label}: ${report.outcome}${slow ? `, ${slow}` : ''}`;
}

/** After a swap of the store, swapped or rolled back, it holds what the driver put in it. */
function checkStoreSize(world: World, label: string): void {
  const store = world.acquire<typeof Store>('sim-store');
  const size = store.size();
  world.release('sim-store');
  if (size !== world.store.size) throw new Violation('state', `after ${label}, sim-store holds ${size} keys, the driver put ${world.store.size}`);
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
