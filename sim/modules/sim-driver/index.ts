/*
 * sim-driver — deterministic simulation testing of keel, run as the init module:
 *
 *   init=sim-driver quiet sim.seed=17 sim.steps=10000 [sim.break=frames@500]
 *
 * (`npm run sim` boots it so.) One seeded random source picks every step: loads, unloads,
 * swaps (of the kernel too: kernel-swap-operation.ts; several at once, some started by a module
 * from its timers: concurrent-swaps-operation.ts), sync and async calls, callbacks across modules, kept references, and injected faults
 * (inits that throw, reject after an await, finish late, or unload or request their own module;
 * state hooks that throw or return a promise; exits that throw or reject; async timer callbacks
 * that reject; promises whose `then` throws; swap time limits, out of memory, stale references:
 * injected-faults.ts). Each step ends once the promise turns it started have run (so that what
 * they log has been logged); then the invariants (invariants.ts) are checked; at the end
 * everything the run loaded is unloaded and the frames in use must equal the baseline taken
 * at its start. The result is one line on the console, `sim-result {json}`, read by the host,
 * and the machine halts with status 0 (passed) or 1 (an invariant broke).
 *
 * sim.break=KIND@STEP breaks an invariant on purpose after that step (frames: leak a frame to
 * an owner nobody has; refcount: count a user that is none; ledger: record a run of no call),
 * to show that the checker catches it.
 */
import { clearTimer, consoleWrite, halt, now, param, releaseModule, setTimer, unloadModule } from 'keel:kernel';
import { disarmAll, faultsTripped, ran } from 'keel:sim-control';
import { callOperations } from './call-operations.ts';
import { hold, sleep } from './calls.ts';
import { checkInvariants } from './invariants.ts';
import { concurrentSwapsOperation } from './concurrent-swaps-operation.ts';
import { asyncInitOperation } from './async-init-operation.ts';
import { hogOperation, loadOperation, unhogOperation, unloadOperation } from './lifecycle.ts';
import { Random } from './prng.ts';
import { kernelSwapOperation } from './kernel-swap-operation.ts';
import { swapOperation } from './swap-operation.ts';
import { Violation } from './violation.ts';
import { World } from './world.ts';

/** Relative weights of the operations. */
const WEIGHTS = {
  load: 12, unload: 10, swap: 12, kernelSwap: 2, concurrentSwaps: 3, asyncInit: 6, hog: 2, unhog: 3, put: 8, get: 5, forward: 5, ping: 5, listen: 3, publish: 4,
  tally: 5, callback: 5, namespace: 5, borrow: 4, async: 12, sleep: 4, hold: 3, release: 3,
};
type Operation = keyof typeof WEIGHTS;
/** Virtual time a step may take before it counts as hung (a call lost, a swap that never ends). */
const WATCHDOG_MS = 60_000;
const LONG_HOLDS = 3;

const operations: Record<Operation, (world: World) => string | Promise<string>> = {
  ...callOperations,
  load: loadOperation,
  unload: unloadOperation,
  swap: swapOperation,
  kernelSwap: (world) => kernelSwapOperation(world),
  concurrentSwaps: concurrentSwapsOperation,
  asyncInit: asyncInitOperation,
  hog: hogOperation,
  unhog: unhogOperation,
  async sleep(world) {
    const milliseconds = world.random.between(1, 8);
    await sleep(milliseconds);
    return `sleep ${milliseconds}`;
  },
  hold(world) {
    if (world.longHolds.length >= LONG_HOLDS) return 'hold: enough held';
    const name = world.random.pick(['sim-store', 'sim-relay', 'sim-client', 'sim-audit', 'sim-hog']);
    if (!hold(world, name)) return `hold ${name}: could not be loaded`;
    world.longHolds.push(name);
    return `hold ${name}: ok`;
  },
  release(world) {
    if (world.longHolds.length === 0) return 'release: nothing held';
    const [name] = world.longHolds.splice(world.random.below(world.longHolds.length), 1);
    world.release(name!);
    return `release ${name}: ok`;
  },
};

/** Fails a step that has not settled after WATCHDOG_MS of virtual time. */
function watched(work: Promise<string>, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimer(() => reject(new Violation('liveness', `${what} has not finished after ${WATCHDOG_MS} ms of virtual time`)), WATCHDOG_MS);
    work.then(
      (line) => (clearTimer(timer), resolve(line)),
      (error) => (clearTimer(timer), reject(error)),
    );
  });
}

function breakInvariant(world: World, kind: string): void {
  const { frames, loader } = world.kernel;
  if (kind === 'frames') frames.allocate(1, frames.createOwner('data', 'sim-break'));
  else if (kind === 'refcount') loader.modules.get('swap')!.users.add(loader.modules.get('sysinfo')!);
  else if (kind === 'ledger') ran(0, 'sim-break', 'sim-driver', '1.0.0', 0);
  else throw new Violation('driver', `sim.break=${kind}: no such invariant to break (frames, refcount, ledger)`);
}

/** Lets every call settle, lets go of every hold, unloads all the run loaded; frames must be back at the baseline. */
async function finish(world: World, baseline: { modules: Map<string, unknown>; free: number; kernel: string }): Promise<void> {
  await watched(Promise.all(world.inflight).then(() => 'calls in flight'), 'the calls in flight at the end');
  for (const name of world.holds.keys()) releaseModule(name);
  world.holds.clear();
  world.longHolds = [];
  for (let unloaded = true; unloaded; ) {
    unloaded = false;
    for (const [name, module] of world.kernel.loader.modules) {
      if (baseline.modules.has(name) || module.users.size > 0) continue;
      unloadModule(name);
      unloaded = true;
    }
  }
  world.observe();
  // The kernel back at the version the run began with, as a last kernel swap: the baseline's frames are that core's.
  if (world.kernel.self.record.version !== baseline.kernel) {
    const line = await watched(kernelSwapOperation(world, baseline.kernel), 'the kernel swap back');
    if (!/: swapped, /.test(line)) throw new Violation('baseline', `the kernel could not be swapped back to ${baseline.kernel}: ${line}`);
  }
  const { frames, loader } = world.kernel;
  const left = [...loader.modules].filter(([name, module]) => baseline.modules.get(name) !== module && name !== 'kernel').map(([name]) => name);
  if (left.length > 0 || loader.modules.size !== baseline.modules.size) throw new Violation('baseline', `after unloading everything, the table differs from the baseline: ${left.join(', ') || 'a module is missing'}`);
  if (frames.free !== baseline.free) throw new Violation('baseline', `${frames.total - frames.free} frames in use after unloading everything, ${frames.total - baseline.free} at the start`);
  checkInvariants(world);
}

/** The run's result: printed as `sim-result {json}`, read by the host (sim/run-seed.ts). */
export interface SeedResult {
  ok: boolean;
  seed: number;
  steps: number;
  step?: number;
  invariant?: string;
  details?: string;
  operations: Record<string, number>;
  faults: Record<string, number>;
  baselineFrames: number;
  totalFrames: number;
  virtualMs: number;
  trace: string;
  /** The last steps' lines, newest last. */
  recent: string[];
}

async function simulate(seed: number, steps: number, breakAt: { kind: string; step: number } | null): Promise<SeedResult> {
  const world = new World(new Random(seed));
  const baseline = { modules: world.snapshot() as Map<string, unknown>, free: world.kernel.frames.free, kernel: world.kernel.self.record.version };
  const total = world.kernel.frames.total;
  const result = (): SeedResult => ({
    ok: true, seed, steps, operations: world.trace.operations, faults: { ...faultsTripped(), ...world.trace.faults },
    baselineFrames: total - baseline.free, totalFrames: total, virtualMs: now(), trace: world.trace.hash, recent: world.trace.recent,
  });
  let operation = 'start';
  try {
    checkInvariants(world);
    for (world.step = 0; world.step < steps; world.step++) {
      const kind = world.random.weighted(WEIGHTS);
      operation = kind;
      world.trace.count(kind);
      const outcome = operations[kind](world);
      const line = typeof outcome === 'string' ? outcome : await watched(outcome, `step ${world.step} (${kind})`);
      disarmAll();
      await sleep(0);
      world.trace.record(`${world.step} ${line} | ${world.kernel.frames.free} free at ${now()} ms`);
      if (breakAt?.step === world.step) breakInvariant(world, breakAt.kind);
      checkInvariants(world);
    }
    operation = 'final unload';
    await finish(world, baseline);
    return result();
  } catch (error) {
    const violation = error instanceof Violation ? error : new Violation('driver', `${operation} threw ${(error as Error)?.stack ?? String(error)}`);
    return { ...result(), ok: false, step: world.step, invariant: violation.invariant, details: violation.details };
  }
}

function parseBreak(text: string | undefined): { kind: string; step: number } | null {
  if (!text) return null;
  const [kind, step] = text.split('@');
  return { kind: kind!, step: Number(step ?? 0) };
}

export function init(): void {
  const seed = Number(param('sim.seed') ?? 1);
  const steps = Number(param('sim.steps') ?? 1000);
  void Promise.resolve()
    .then(() => simulate(seed, steps, parseBreak(param('sim.break'))))
    .then((result) => {
      consoleWrite(`sim-result ${JSON.stringify(result)}\n`);
      halt(result.ok ? 0 : 1);
    });
}
