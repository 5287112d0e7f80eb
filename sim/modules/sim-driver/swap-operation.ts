/*
 * The swap operation: a fixture to another version and back (or to the newest, or to the same
 * one), now and then with a fault injected — in the new version's init (one that throws, one
 * that rejects after an await, a slow one, one that tries to unload or to request its own
 * module), in a state hook (one that throws, one that returns a promise), in the init of a new
 * dependency that staging loads (which cannot wait for an async one), or a 1 ms time limit with
 * a call in flight. Where the new version imports a fixture loaded for nothing else, the swap
 * now and then unloads it first, so that staging must load it again. While an async init of the new version runs, the driver tries to unload the
 * module and to swap it again (both refused) and calls the old version, which still serves.
 *
 * It says from the model whether the swap must be refused, roll back (and why) or succeed,
 * and checks the report, the table, the frames, the store's keys, what the fixtures were told
 * and what the kernel logged.
 */
import { unloadModule, type LoadedModule, type ModuleRecord } from 'keel:kernel';
import type { FaultKind } from 'keel:sim-control';
import type * as Store from 'keel:sim-store';
import { swap } from 'keel:swap';
import { startSlowCall } from './async-calls.ts';
import { callOperations } from './call-operations.ts';
import { answersFor, armAll, checkAnswers, FAULT_MESSAGES, FAULTY, faultsIn, keepHelperHolds, reports, sortedUsers, struck, type Fault } from './injected-faults.ts';
import { attempt, fixtureUnloadRefusal, unloadUnused } from './lifecycle.ts';
import type { Random } from './prng.ts';
import { additionsFor, expectChange, framesNeeded, missingImport, withHelper } from './transitions.ts';
import { Violation } from './violation.ts';
import { STATEFUL, type World } from './world.ts';

/** The state formats each sim-store version reads; every version hands over the format of its major. */
const STORE_READS: Record<string, number[]> = { '1.0.0': [1, 2], '2.0.0': [1, 2, 3], '3.0.0': [2, 3] };
/** What a swap picks: the modules with several versions far more often than the others. */
const SWAPPED = ['sim-store', 'sim-store', 'sim-store', 'sim-relay', 'sim-relay', 'sim-relay', 'sim-client', 'sim-client', 'sim-client', 'sim-audit', 'sim-hog'];
const INIT_FAULTS: FaultKind[] = ['init', 'async-init', 'slow-init', 'self-unload', 'self-request'];
const HOOK_FAULTS: FaultKind[] = ['export', 'import', 'async-export', 'async-import'];
/** A failing fault injected beside a self-request, so that the rollback must give INIT_HELPER back. */
const COMPANIONS: Record<string, FaultKind[]> = { stateful: ['init', 'async-init', 'export'], 'sim-audit': ['init', 'async-init'] };
const DEPENDENCY_FAULTS: FaultKind[] = ['init', 'async-init', 'slow-init'];
/** How long an async init waits: 0 is promise turns only, no timer. */
const WAITS = [0, 0, 1, 3];
/** The sync call that shows the old version serving while the new one's init runs. */
const OLD_VERSION_CALL: Record<string, 'get' | 'forward' | 'ping'> = { 'sim-store': 'get', 'sim-relay': 'forward', 'sim-client': 'ping' };

interface SwapFaults {
  faults: Fault[];
  timeLimit: boolean;
}

function pickFaults(random: Random, name: string, dependencies: Map<string, string>): SwapFaults {
  const none = { faults: [], timeLimit: false };
  if (!FAULTY.includes(name) || !random.chance(0.35)) return none;
  const faulty = [...dependencies.keys()].filter((dependency) => FAULTY.includes(dependency));
  if (faulty.length > 0 && random.chance(0.3)) return { faults: faultsIn(random.pick(faulty), [random.pick(DEPENDENCY_FAULTS)], random.pick(WAITS)), timeLimit: false };
  const stateful = STATEFUL.includes(name);
  const kind = random.pick<FaultKind | 'time-limit'>([...INIT_FAULTS, ...(stateful ? [...HOOK_FAULTS, 'time-limit' as const] : [])]);
  if (kind === 'time-limit') return { faults: [], timeLimit: true };
  const faults = faultsIn(name, [kind], random.pick(WAITS));
  if (kind === 'self-request' && random.chance(0.5)) faults.push(...faultsIn(name, [random.pick(COMPANIONS[stateful ? 'stateful' : name]!)], random.pick(WAITS)));
  return { faults, timeLimit: false };
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
function rollbackCause(name: string, module: LoadedModule, target: ModuleRecord, { faults, timeLimit }: SwapFaults): string | null {
  const dependency = faults.find((fault) => fault.module !== name);
  if (dependency) return dependency.kind === 'init' ? FAULT_MESSAGES.init! : `${dependency.module} is not ready: its init has not finished`;
  const kinds = new Set(faults.map((fault) => fault.kind));
  for (const kind of ['init', 'async-init'] as const) if (kinds.has(kind)) return FAULT_MESSAGES[kind]!;
  if (timeLimit) return 'not quiescent after 1 ms';
  for (const kind of ['export', 'import'] as const) if (kinds.has(kind)) return FAULT_MESSAGES[kind]!;
  if (kinds.has('async-export')) return 'exportState returned a promise: state hooks must be synchronous';
  if (kinds.has('async-import')) return 'importState returned a promise: state hooks must be synchronous';
  if (name === 'sim-store' && !STORE_READS[target.version]!.includes(Number(module.record.version[0]))) return 'refused the state';
  return null;
}

/**
 * While the new version's async init runs: the module cannot be unloaded (the swap holds its
 * calls) nor swapped again, and the old version still answers.
 */
async function probeStaging(world: World, name: string): Promise<string> {
  const expected = fixtureUnloadRefusal(world, name, { holding: true })!;
  const error = attempt(() => unloadModule(name));
  if (!error || sortedUsers(error.message) !== expected) throw new Violation('swap', `rmmod ${name} while its new version's init runs: ${error ? `"${error.message}"` : 'unloaded'}, expected "${expected}"`);
  const second = swap(name);
  const call = OLD_VERSION_CALL[name];
  const served = call ? `, ${callOperations[call](world)}` : '';
  const report = await second;
  if (report.outcome !== 'refused' || report.reason !== `a swap of ${name} is already in progress`) throw new Violation('swap', `a second swap of ${name} during the first: ${report.summary}`);
  return `rmmod and a second swap refused${served}`;
}

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
  const [first] = module && random.chance(0.5) ? unloadUnused(world, target.depends, false) : [];
  const dependencies = module ? additionsFor(world, target) : new Map<string, string>();
  const injected = module ? pickFaults(random, name, dependencies) : { faults: [], timeLimit: false };
  const { faults, timeLimit } = injected;
  const label = `swap ${name} ${target.version}${first ? ` (${first} unloaded first)` : ''}${timeLimit ? ' (time-limit fault)' : ''}${faults.map((fault) => ` (${fault.kind} fault${fault.module === name ? '' : ` in ${fault.module}`})`).join('')}`;
  const refused = refusal(world, name, module, target);
  const withRequest = faults.some((fault) => fault.kind === 'self-request') ? withHelper(world, dependencies) : dependencies;
  const free = kernel.frames.free;
  // Short of memory, the swap must roll back, for memory or for whichever fault strikes first.
  const outOfMemory = free < framesNeeded(world, new Map([...withRequest, [name, target.version]]));
  const cause = refused || !module ? null : rollbackCause(name, module, target, injected);
  const slow = timeLimit && !refused ? startSlowCall(world, name) : null;
  const selfUnload = fixtureUnloadRefusal(world, name, { swapping: true });
  const before = world.snapshot();
  armAll(faults);
  const swapping = swap(name, version, timeLimit ? { timeLimitMs: 1 } : {});
  const hit = struck(faults);
  const waiting = hit.some((fault) => fault.module === name && (fault.kind === 'async-init' || fault.kind === 'slow-init'));
  const probed = waiting ? await probeStaging(world, name) : null;
  const report = await swapping;
  const got = `${report.outcome}${report.reason ? `: ${report.reason}` : ''}`;
  const forMemory = report.outcome === 'rolled back' && report.reason!.includes('out of memory');
  if (refused) {
    if (report.outcome !== 'refused' || !report.reason?.includes(refused)) throw new Violation('swap', `${label}: ${got}; expected refused (${refused})`);
  } else if (forMemory) {
    if (!world.tight()) throw new Violation('swap', `${label}: ${got}, with ${free} frames free`);
    world.trace.fault('out-of-memory');
    world.log.allowOutOfMemory();
  } else if (cause || outOfMemory) {
    if (report.outcome !== 'rolled back' || !cause || !report.reason?.includes(cause)) throw new Violation('swap', `${label}: ${got}; expected rolled back (${cause ?? 'out of memory'})`);
  } else if (report.outcome !== 'swapped') {
    throw new Violation('swap', `${label}: ${got}; expected swapped`);
  }
  const helped = hit.some((fault) => fault.kind === 'self-request');
  if (report.outcome === 'swapped') expectChange(world, label, before, { replaced: [name, target.version], added: helped ? withRequest : dependencies });
  // A refusal changes nothing; a rollback gives back what staging and the new version's init loaded: table and frames as they were.
  else expectChange(world, label, before, {});
  if (report.outcome !== 'swapped' && kernel.frames.free !== free) throw new Violation('frames', `${label} was ${report.outcome} but ${free - kernel.frames.free} frames stayed allocated`);
  if (report.outcome === 'rolled back' && timeLimit) world.trace.fault('time-limit');
  checkAnswers(label, answersFor(hit, () => selfUnload!));
  // An async init of a dependency staging gave back rejects later only if no timer of its own (cleared with it) was to wake it.
  const logged = hit.filter((fault) => fault.module === name || fault.kind !== 'async-init' || fault.detail === 0);
  for (const line of reports(logged)) world.log.expect(line);
  if (report.outcome === 'swapped') keepHelperHolds(world, hit);
  world.observe();
  if (name === 'sim-store' && report.outcome !== 'refused') checkStoreSize(world, label);
  return `${label}: ${report.outcome}${slow ? `, ${slow}` : ''}${probed ? `; meanwhile ${probed}` : ''}`;
}

/** After a swap of the store, swapped or rolled back, it holds what the driver put in it. */
function checkStoreSize(world: World, label: string): void {
  const store = world.acquire<typeof Store>('sim-store');
  const size = store.size();
  world.release('sim-store');
  if (size !== world.store.size) throw new Violation('state', `after ${label}, sim-store holds ${size} keys, the driver put ${world.store.size}`);
}
