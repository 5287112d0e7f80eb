/*
 * The benchmark: keel against a baseline measured in the same run, one figure per file in
 * bench/figures/, explained in bench/README.md.
 *
 *   npm run bench                          # full run, about a minute here; writes bench/results.json
 *   npm run bench -- --quick               # every figure at small sizes, in seconds
 *   npm run bench -- --results FILE        # write the results somewhere else
 *
 * Each figure runs in a fresh node process (bench/run-figure.ts), one after another.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../build.ts';
import { readArguments } from '../scripts/arguments.ts';
import { FIGURES } from './figures/index.ts';
import type { Figure } from './lib/figure.ts';
import { describeMachine } from './lib/host.ts';
import { formatReport, type BenchResults } from './lib/report.ts';

const { values } = readArguments<{ quick?: boolean; results: string }>({
  name: 'npm run bench',
  summary: 'Measures keel against a baseline measured in the same run, one figure at a time (bench/README.md), and writes the results as JSON.',
  options: {
    quick: { type: 'boolean', description: 'every figure at small sizes, in seconds' },
    results: { type: 'string', value: 'FILE', default: 'bench/results.json', description: 'where the results go' },
  },
});
values.results = path.resolve(PROJECT_ROOT, values.results);

function runFigure(id: string): Figure {
  const args = ['--expose-gc', '--experimental-vm-modules', '--import', 'tsx', path.join(PROJECT_ROOT, 'bench/run-figure.ts'), id, ...(values.quick ? ['--quick'] : [])];
  const run = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 ** 2 });
  if (run.status !== 0) throw new Error(`figure ${id} failed (exit status ${run.status})`);
  return JSON.parse(run.stdout) as Figure;
}

const started = performance.now();
const figures = Object.keys(FIGURES).map((id) => {
  const figureStarted = performance.now();
  const figure = runFigure(id);
  console.error(`bench: ${figure.number}. ${figure.title} (${((performance.now() - figureStarted) / 1000).toFixed(1)} s)`);
  return figure;
});
const results: BenchResults = {
  mode: values.quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  durationSeconds: (performance.now() - started) / 1000,
  machine: describeMachine(),
  figures,
};
console.log(formatReport(results));
writeFileSync(values.results, `${JSON.stringify(results, null, 2)}\n`);
const relative = path.relative(process.cwd(), values.results);
console.log(`\nresults written to ${relative.startsWith('..') ? values.results : relative}`);
