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
import { availableParallelism } from 'node:os';
import { exitWithUsageError, readArguments, type ScriptSpec } from './scripts/arguments.ts';
import { buildSimulation } from './sim/build-simulation.ts';
import { failureLine, seedLine, summary } from './sim/report.ts';
import { runSeedInThread, type SeedResult } from './sim/run-seed.ts';

const SPEC: ScriptSpec = {
  name: 'npm run sim',
  summary: 'Deterministic simulation: boots keel on a virtual clock and runs seeded random loads, unloads, swaps, calls and faults, checking the kernel\'s invariants after every step.',
  options: {
    seed: { type: 'string', value: 'N', default: '1', description: 'the first seed' },
    steps: { type: 'string', value: 'K', default: '10000', description: 'steps per seed (at least 1)' },
    seeds: { type: 'string', value: 'M', default: '1', description: 'how many seeds, from N on' },
    jobs: { type: 'string', value: 'J', default: String(availableParallelism()), description: 'seeds run at once, each in a thread' },
    break: { type: 'string', value: 'KIND@STEP', description: 'break an invariant on purpose after a step: frames, refcount or ledger' },
    verbose: { type: 'boolean', description: 'print the steps before a failure' },
  },
  examples: ['npm run sim -- --seed 1 --steps 10000 --seeds 100', 'npm run sim -- --seed 7 --steps 400 --break frames@150'],
};
const { values } = readArguments<{ seed: string; steps: string; seeds: string; jobs: string; break?: string; verbose?: boolean }>(SPEC);

/** A whole number of at least `least`, or a usage error naming the option. */
function wholeNumber(option: string, text: string, least: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < least) exitWithUsageError(SPEC, `--${option} ${text}: expected a whole number of at least ${least}`);
  return value;
}

const first = wholeNumber('seed', values.seed, 0);
const steps = wholeNumber('steps', values.steps, 1);
const seeds = wholeNumber('seeds', values.seeds, 1);
const jobs = wholeNumber('jobs', values.jobs, 1);
if (values.break !== undefined) {
  const [, kind, step] = /^(frames|refcount|ledger)@(\d+)$/.exec(values.break) ?? [];
  if (!kind) exitWithUsageError(SPEC, `--break ${values.break}: expected KIND@STEP, KIND one of frames, refcount, ledger`);
  if (Number(step) >= steps) exitWithUsageError(SPEC, `--break ${values.break}: step ${step} is past the run's end (its steps are 0 to ${steps - 1})`);
}

const image = await buildSimulation();
const started = performance.now();
const results: SeedResult[] = [];
const lines: string[] = [];
let next = 0;
let printed = 0;

/** Runs seeds one after another until none is left; prints every line that is next in order. */
async function lane(): Promise<void> {
  for (let index = next++; index < seeds; index = next++) {
    const options = { seed: first + index, steps, break: values.break };
    const seedStarted = performance.now();
    const result = await runSeedInThread(image, options);
    results[index] = result;
    const recent = !result.ok && values.verbose ? result.recent.map((line) => `\n  step ${line}`).join('') : '';
    lines[index] = (result.ok ? seedLine(result, performance.now() - seedStarted) : failureLine(result, options)) + recent;
    while (lines[printed] !== undefined) console.log(lines[printed++]);
  }
}

await Promise.all(Array.from({ length: Math.min(jobs, seeds) }, lane));
console.log(summary(results, steps, performance.now() - started));
process.exit(results.every((result) => result.ok) ? 0 : 1);
