/*
 * Figure 10 — what holds a zombie: the time from "zombie found" to the kernel's report line
 * (`zombies NAME`, the same search the reclaim monitor runs when it finds one) on a machine
 * with every module of the normal build loaded, against taking the same heap snapshot alone;
 * and the peak host memory the report takes, against the snapshot alone's. Each in a fresh
 * process (bench/lib/zombie-holders-probe.ts), which makes the zombie on purpose (the zholder
 * and zvictim fixtures). Targets: at most 2 s, and at most twice the snapshot's memory.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build, PROJECT_ROOT } from '../../build.ts';
import { WITH_FIXTURES } from '../../test/harness.ts';
import { compare, type Figure, type FigureOptions } from '../lib/figure.ts';
import { temporaryDirectory } from '../lib/generate-modules.ts';
import { median, repeat } from '../lib/statistics.ts';

const PROBE = path.join(PROJECT_ROOT, 'bench/lib/zombie-holders-probe.ts');
const MIB = 1024 ** 2;

interface ProbeResult {
  milliseconds: number;
  peakExtra: number;
  snapshotBytes: number;
  answer: string;
  loaded: number;
}

function probe(dist: string, mode: 'report' | 'snapshot', modules: string[]): ProbeResult {
  const result = spawnSync(process.execPath, ['--expose-gc', '--experimental-vm-modules', '--import', 'tsx', PROBE, dist, mode, ...modules], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`zombie-holders probe (${mode}) failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as ProbeResult;
}

export async function zombieHolders({ quick }: FigureOptions): Promise<Figure> {
  const runs = quick ? 1 : 3;
  const dist = temporaryDirectory('zombie-holders');
  try {
    const built = await build({ ...WITH_FIXTURES, outDir: dist, quiet: true });
    const normal = new Set((await build({ outDir: path.join(dist, 'normal'), quiet: true })).modules.map(({ record }) => record.name));
    const names = [...new Set(built.modules.map(({ record }) => record.name))].filter((name) => normal.has(name));
    const reports = await repeat(runs, async () => probe(dist, 'report', names));
    const snapshots = await repeat(runs, async () => probe(dist, 'snapshot', names));
    const snapshotBytes = median(snapshots.map((each) => each.snapshotBytes));
    const reportMs = median(reports.map((each) => each.milliseconds));
    const answer = reports[0]!.answer;
    const reportPeak = median(reports.map((each) => each.peakExtra));
    if (!answer.includes('held by zholder')) throw new Error(`the report named no holder: ${answer}`);
    return {
      number: 10,
      id: 'zombie-holders',
      title: 'What holds a zombie: the report against the heap snapshot alone, every module loaded',
      baseline: 'the same heap snapshot taken alone (the inspector\'s chunks joined into one text)',
      rows: [
        compare('time from zombie found to report line', reportMs, median(snapshots.map((each) => each.milliseconds)), 'ms', runs,
          `target at most 2,000 ms; ${reports[0]!.loaded} modules loaded; snapshot ${(snapshotBytes / MIB).toFixed(1)} MiB; the report: ${answer}`),
        compare('peak extra host memory: the report vs the snapshot alone', reportPeak / MIB, median(snapshots.map((each) => each.peakExtra)) / MIB, 'MiB', runs,
          `target at most 2x; above the resident set before each step (VmHWM, reset before it); against the snapshot's text (${(snapshotBytes / MIB).toFixed(1)} MiB) the report's peak is ${(reportPeak / snapshotBytes).toFixed(2)}x — V8 builds the snapshot in memory of its own before it streams it`),
      ],
    };
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}
