/*
 * What `npm run sim` prints: one line per seed (a failure says how to replay it) and a short
 * summary of the whole run — steps, operations, injected faults, the frame baseline.
 */
import type { SeedOptions, SeedResult } from './run-seed.ts';

/** The one line of a failed seed: what broke, where, and the command that replays it. */
export function failureLine(result: SeedResult, options: SeedOptions): string {
  const step = result.step ?? 0;
  const replaySteps = step < options.steps ? step + 1 : options.steps;
  const replay = `npm run sim -- --seed ${result.seed} --steps ${replaySteps}${options.break ? ` --break ${options.break}` : ''}`;
  const where = step < options.steps ? `step ${step}` : `the final unload (after step ${step - 1})`;
  return `sim: seed ${result.seed} failed at ${where}: ${result.invariant}: ${result.details} — replay: ${replay}`;
}

export function seedLine(result: SeedResult, milliseconds: number): string {
  return `sim: seed ${result.seed}: ${result.steps} step${result.steps === 1 ? '' : 's'} passed, trace ${result.trace}, ${(milliseconds / 1000).toFixed(1)} s`;
}

const sum = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
};
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');

export function summary(results: SeedResult[], steps: number, milliseconds: number): string {
  const operations: Record<string, number> = {};
  const faults: Record<string, number> = {};
  for (const result of results) (sum(operations, result.operations), sum(faults, result.faults));
  const passed = results.filter((result) => result.ok).length;
  const total = results.length * steps;
  const first = results[0]!;
  return [
    `sim: ${passed} of ${results.length} seed${results.length === 1 ? '' : 's'} × ${steps} step${steps === 1 ? '' : 's'} passed in ${(milliseconds / 1000).toFixed(1)} s (${Math.round(total / (milliseconds / 1000))} steps/s)`,
    `  operations: ${list(operations)}`,
    `  faults injected: ${list(faults)}`,
    `  frames: ${first.baselineFrames} of ${first.totalFrames} in use at each start (kernel and base modules), the same after unloading everything`,
  ].join('\n');
}
