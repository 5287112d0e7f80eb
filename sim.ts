/*
 * npm run sim -- --seed N [--steps K] [--seeds M] [--jobs J]: deterministic simulation testing.
 *
 * Boots keel on a virtual clock with sim-driver (sim/modules/sim-driver) as init, which drives
 * K random steps from seed N — loads, unloads, swaps, calls, callbacks and injected faults —
 * and checks the kernel's invariants after every one. --seeds M runs seeds N..N+M-1, each on a
 * fresh machine in a thread of its own, J at a time (default: one per core); results print in
 * seed order. A failure prints the seed, the step and the command that replays it (--verbose
 * adds the last steps before it); the exit status is 1 if any seed failed. --break KIND@STEP
 * breaks an invariant on purpose (frames, refcount, ledger), to see the checker catch it.
 */
import { exitWithUsageError, readArguments } from './scripts/arguments.ts';
import { buildSimulation } from './sim/build-simulation.ts';
import { SIM_SPEC, simOptions, type SimArguments } from './sim/options.ts';
import { failureLine, seedLine, summary } from './sim/report.ts';
import { runSeedInThread, type SeedResult } from './sim/run-seed.ts';

const parsed = simOptions(readArguments<SimArguments>(SIM_SPEC).values);
if ('error' in parsed) exitWithUsageError(SIM_SPEC, parsed.error);
const { first, steps, seeds, jobs, verbose, break: breakAt } = parsed;

const image = await buildSimulation();
const started = performance.now();
const results: SeedResult[] = [];
const lines: string[] = [];
let next = 0;
let printed = 0;

/** Runs seeds one after another until none is left; prints every line that is next in order. */
async function lane(): Promise<void> {
  for (let index = next++; index < seeds; index = next++) {
    const options = { seed: first + index, steps, break: breakAt };
    const seedStarted = performance.now();
    const result = await runSeedInThread(image, options);
    results[index] = result;
    const recent = !result.ok && verbose ? result.recent.map((line) => `\n  step ${line}`).join('') : '';
    lines[index] = (result.ok ? seedLine(result, performance.now() - seedStarted) : failureLine(result, options)) + recent;
    while (lines[printed] !== undefined) console.log(lines[printed++]);
  }
}

await Promise.all(Array.from({ length: Math.min(jobs, seeds) }, lane));
console.log(summary(results, steps, performance.now() - started));
process.exit(results.every((result) => result.ok) ? 0 : 1);
