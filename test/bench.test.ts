/*
 * The benchmark's quick mode end to end: `npm run bench -- --quick` in a child process, its
 * results written to a temporary file, and every figure present with finite numbers. No timing thresholds: this checks that the benchmark
 * runs and reports, not how fast keel is.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import type { BenchResults } from '../bench/lib/report.ts';

const directory = mkdtempSync(path.join(os.tmpdir(), 'keel-bench-test-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('runs every figure in quick mode and writes finite numbers to the results file', () => {
  const resultsPath = path.join(directory, 'results.json');
  const run = spawnSync(process.execPath, ['--expose-gc', '--experimental-vm-modules', '--import', 'tsx', 'bench/run.ts', '--quick', '--results', resultsPath], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    // A guard against a hung figure, not a speed check: eleven figures boot dozens of machines and a browser.
    timeout: 290_000,
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^machine: node v\d+/m);

  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as BenchResults;
  expect(results.mode).toBe('quick');
  expect(results.machine.cores).toBeGreaterThan(0);
  expect(results.figures.map((figure) => figure.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  for (const figure of results.figures) {
    expect(figure.rows.length, figure.id).toBeGreaterThan(0);
    for (const row of figure.rows) {
      expect(row.pending, `${figure.id}: ${row.case}`).toBeUndefined();
      expect(Number.isFinite(row.keel), `${figure.id}: ${row.case}`).toBe(true);
      if (row.baseline === null) expect(row.ratio, `${figure.id}: ${row.case} has no baseline, so no ratio`).toBeNull();
      else expect([row.baseline, row.ratio].every(Number.isFinite), `${figure.id}: ${row.case}`).toBe(true);
      if (row.floor !== undefined) {
        expect(figure.floor, `${figure.id} has floors and says what they are`).toBeTruthy();
        expect(row.floor, `${figure.id}: ${row.case}`).toBeGreaterThan(0);
        expect(row.floorRatio, `${figure.id}: ${row.case}`).toBeCloseTo(row.keel! / row.floor, 6);
      }
    }
  }
  // On Linux the machine's thread reads its wait for a CPU (the host device's cpuWaitMs): figure 8 takes it off each load.
  if (process.platform === 'linux') {
    const ownLoads = results.figures.find((figure) => figure.id === 'web-page')!.rows.filter((row) => row.case.includes('less the machine thread’s wait for a CPU') && row.case.startsWith('load 1'));
    expect(ownLoads.map((row) => row.case.replace(/ \d+ KB/, ''))).toEqual(['load, the page watching, less the machine thread’s wait for a CPU', 'load, the page watching, less the machine thread’s wait for a CPU', 'load, typed into the page, less the machine thread’s wait for a CPU', 'load, typed into the page, less the machine thread’s wait for a CPU']);
  }
  const leaked = results.figures.find((figure) => figure.id === 'update-memory')!.rows.filter((row) => row.unit === 'frames');
  expect(leaked.map((row) => row.keel)).toEqual(leaked.map(() => 0));
}, 300_000);
