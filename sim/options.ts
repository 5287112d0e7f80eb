/*
 * npm run sim's command line: its options (for --help) and the checks on their values, kept
 * apart from sim.ts so that they can be tested without starting a run.
 *
 *   const options = simOptions(readArguments(SIM_SPEC).values);   // or { error } for a usage error
 */
import { availableParallelism } from 'node:os';
import { wholeNumberProblem, type ScriptSpec } from '../scripts/arguments.ts';

export const SIM_SPEC: ScriptSpec = {
  name: 'npm run sim',
  summary: "Deterministic simulation: boots keel on a virtual clock and runs seeded random loads, unloads, swaps, calls and faults, checking the kernel's invariants after every step.",
  options: {
    seed: { type: 'string', value: 'N', default: '1', description: 'the first seed' },
    steps: { type: 'string', value: 'K', default: '10000', description: 'steps per seed, at least 1' },
    seeds: { type: 'string', value: 'M', default: '1', description: 'how many seeds, from N on' },
    jobs: { type: 'string', value: 'J', default: String(availableParallelism()), description: 'seeds run at once, each in a thread' },
    break: { type: 'string', value: 'KIND@STEP', description: 'break an invariant on purpose after a step: frames, refcount or ledger' },
    verbose: { type: 'boolean', description: 'print the steps before a failure' },
  },
  examples: ['npm run sim -- --seed 1 --steps 10000 --seeds 100', 'npm run sim -- --seed 7 --steps 400 --break frames@150'],
};

export interface SimArguments {
  seed: string;
  steps: string;
  seeds: string;
  jobs: string;
  break?: string;
  verbose?: boolean;
}

export interface SimOptions {
  first: number;
  steps: number;
  seeds: number;
  jobs: number;
  break?: string;
  verbose: boolean;
}

class OptionError extends Error {}

/** A whole number of at least `least`, or an error naming the option. */
function wholeNumber(option: string, text: string, least: number): number {
  const problem = wholeNumberProblem(option, text, least);
  if (problem) throw new OptionError(problem);
  return Number(text);
}

/** The run the arguments ask for, or the one line that says why it cannot be run. */
export function simOptions(values: SimArguments): SimOptions | { error: string } {
  try {
    const steps = wholeNumber('steps', values.steps, 1);
    const options = { first: wholeNumber('seed', values.seed, 0), steps, seeds: wholeNumber('seeds', values.seeds, 1), jobs: wholeNumber('jobs', values.jobs, 1), verbose: values.verbose === true };
    if (values.break === undefined) return options;
    const [, kind, step] = /^(frames|refcount|ledger)@(\d+)$/.exec(values.break) ?? [];
    if (!kind) throw new OptionError(`--break ${values.break}: expected KIND@STEP, KIND one of frames, refcount, ledger`);
    if (Number(step) >= steps) throw new OptionError(`--break ${values.break}: step ${step} is past the run's end (its steps are 0 to ${steps - 1})`);
    return { ...options, break: values.break };
  } catch (error) {
    if (error instanceof OptionError) return { error: error.message };
    throw error;
  }
}
