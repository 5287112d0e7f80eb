/*
 * The concurrent swaps operation: two to five swaps and unloads started while the others are in
 * flight — swaps of fixtures and of the kernel, started by the driver and by a module of its
 * own (sim-swapper, from its timers), and unloads of fixtures — with no fault injected. What
 * each one does depends on the order the swaps reach their steps, which the model does not
 * predict; what it checks is what must hold in any order:
 *
 *   - each swap is swapped, refused or rolled back for a reason of concurrency or memory (a
 *     swap of that module or of the kernel under way, not quiescent, not loaded, out of
 *     memory, a state the target version does not read), never anything else;
 *   - each unload is done, or refused with ModuleError;
 *   - while they are in flight, lsmod lists every user once by name, a staged new version as
 *     `name(staged)` of a module being swapped, and counts each;
 *   - at the end each module is at the version of the last of its swaps that succeeded (the
 *     kernel too), or where it was, unless it was unloaded; frames, tables, refcounts,
 *     quiescence and lsmod are then checked by the invariants like after every step.
 */
import { kernelInternals, ModuleError, unloadModule } from 'keel:kernel';
import { swap, type SwapReport } from 'keel:swap';
import type * as Swapper from 'keel:sim-swapper';
import { modules as lsmod } from 'keel:sysinfo';
import { hold, sleep } from './calls.ts';
import { Violation } from './violation.ts';
import { FIXTURES, type World } from './world.ts';

const SWAPPED = ['sim-store', 'sim-relay', 'sim-client', 'sim-audit', 'kernel'];
const STARTS = ['driver swap', 'driver swap', 'timer swap', 'timer swap', 'unload'] as const;
/** Why a swap may be refused or rolled back when others run beside it and no fault is armed. */
const CONCURRENT_REASONS = [
  'is already in progress', 'is under way', 'not quiescent', 'is not loaded', 'is already at', 'out of memory', 'refused the state', 'is still loading',
  'is not ready: its init has not finished', 'does not export', 'drops',
];

/** lsmod while swaps are in flight: each user once by name; a staged version as `name(staged)`, of a module being swapped. */
function checkStagedUsers(world: World, label: string): void {
  const { modules } = world.kernel.loader;
  for (const row of lsmod()) {
    if (row.state === 'Zombie') continue;
    const plain = row.users.filter((user) => !user.endsWith('(staged)'));
    if (new Set(plain).size !== plain.length) throw new Violation('lsmod', `${label}: lsmod lists a user of ${row.name} twice: ${row.users.join(',')}`);
    for (const user of row.users) {
      const staged = /^(.*)\(staged\)$/.exec(user)?.[1];
      if (staged === undefined ? !modules.has(user) : !(staged === 'kernel' || modules.get(staged)?.swapping)) {
        throw new Violation('lsmod', `${label}: lsmod lists ${user} as a user of ${row.name}, which is ${staged === undefined ? 'not loaded' : 'not being swapped'}`);
      }
    }
    const module = modules.get(row.name);
    if (module && row.refcount !== row.users.length + (module.keptLoadedBy ? 1 : 0)) throw new Violation('lsmod', `${label}: lsmod counts ${row.refcount} users of ${row.name} and lists ${row.users.length}`);
  }
}

function targetOf(world: World, name: string): string {
  const versions = world.kernel.findRecords(name).map((record) => record.version);
  const others = versions.filter((version) => version !== world.version(name));
  return world.random.pick(others.length > 0 ? others : versions);
}

export async function concurrentSwapsOperation(world: World): Promise<string> {
  const { random } = world;
  const swapper = hold<typeof Swapper>(world, 'sim-swapper');
  if (!swapper) return 'concurrent swaps: sim-swapper could not be loaded';
  const versions = new Map(SWAPPED.map((name) => [name, world.version(name)]));
  const unloaded = new Set<string>();
  const finished: SwapReport[] = [];
  const running: Array<Promise<void>> = [];
  const labels: string[] = [];
  const count = random.between(2, 5);
  for (let index = 0; index < count; index++) {
    const start = random.pick(STARTS);
    if (start === 'unload') {
      const name = random.pick(FIXTURES);
      try {
        unloadModule(name);
        unloaded.add(name);
        // Taken in now: a swap beside it may load it again (staging a module that imports it), as a new life.
        world.observe();
        labels.push(`rmmod ${name}: unloaded`);
      } catch (error) {
        if (!(error instanceof ModuleError)) throw new Violation('unload', `rmmod ${name} beside swaps threw ${String(error)}`);
        labels.push(`rmmod ${name}: refused`);
      }
      continue;
    }
    const name = random.pick(SWAPPED);
    const version = targetOf(world, name);
    const delay = random.between(0, 3);
    const report = start === 'driver swap' ? swap(name, version) : swapper.swapLater(name, version, delay);
    labels.push(`${start} ${name} ${version}${start === 'timer swap' ? ` in ${delay} ms` : ''}`);
    running.push(
      report.then((ended) => {
        finished.push(ended);
        // The new core's log, tapped before anything else can log there (a timer's oops an earlier step expects).
        if (ended.module === 'kernel' && ended.ok) world.log.follow(kernelInternals());
      }),
    );
  }
  const label = `concurrent swaps: ${labels.join(', ')}`;
  // Looked at while they are in flight (staged, waiting for quiescence, or not yet started by their timers).
  await sleep(random.between(0, 2));
  checkStagedUsers(world, label);
  await Promise.all(running);
  world.release('sim-swapper');
  for (const report of finished) {
    if (report.ok) continue;
    if (!CONCURRENT_REASONS.some((reason) => report.reason?.includes(reason))) throw new Violation('swap', `${label}: ${report.summary}`);
    if (report.reason!.includes('out of memory')) world.log.allowOutOfMemory();
  }
  for (const report of finished) if (report.ok) versions.set(report.module, report.to);
  for (const [name, version] of versions) {
    // A module unloaded, or not loaded at the start, may be loaded (again) by a swap staging a module that imports it.
    if (unloaded.has(name) || version === undefined || world.version(name) === version) continue;
    throw new Violation('swap', `${label}: ${name} is at ${world.version(name) ?? 'nothing'}, the swaps that succeeded leave it at ${version ?? 'nothing'}`);
  }
  world.observe();
  const outcomes = finished.map((report) => `${report.module} ${report.outcome}`);
  return `${label}; ${outcomes.join(', ')}`;
}
