/*
 * Figure 5 — hot swap. kv swapped between its two versions while a caller keeps calling it,
 * for state of 10, 10,000 and 1,000,000 entries: swap time against a restart (unload and load
 * again: what you do without hot swap, and the state is lost) and against its floor (unload,
 * load the other version: what no swap can do without), both paced, in rounds with the swaps,
 * and with as many entries in the heap (bench-swapper says why), and the pause callers see,
 * measured inside the kernel and by the caller, against what a restart costs them and against
 * the caller's own delays with no swap. Then host memory over many swaps: kv's code against
 * importing each new version with import(), which never frees the old one; and the scheduler
 * with 100 live tasks held by another module, against the migration keel used to have
 * (prototype switching, which keeps every version that made a live task) and import().
 */
import { bootKernel, buildInMemory, type TestKernel } from '../../test/harness.ts';
import type { ChurnReport } from '../../test/fixtures/modules/task-holder/index.ts';
import type { SwapTimes } from '../fixtures/modules/bench-swapper/index.ts';
import { compare, withFloor, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { settledHeap, type HeapSize } from '../lib/host.ts';
import { importEach } from '../lib/import-bundle.ts';
import { callJson, WITH_BENCH_FIXTURES } from '../lib/kernel-session.ts';
import { median } from '../lib/statistics.ts';

const CMDLINE = 'init=shell quiet kv.capacity=2000000 swap.timeout=60000';
/** Between the swaps whose pauses are measured: past the next load and the reclaim monitor's collection. */
const SWAP_INTERVAL_MS = 100;
/** The goal for the pause: at most 1 ms with 10,000 entries, 5 ms with 1,000,000. */
const PAUSE_GOAL_MS: Record<number, number> = { 10_000: 1, 1_000_000: 5 };
/** kv's bundles with the two kernel calls they make answered by Node, for import(). */
const forImport = (bundle: string) => `const require = () => ({ numberParam: (name, range) => range.fallback, setTimer: (callback, milliseconds) => setTimeout(callback, milliseconds) });\n${bundle}`;
const max = (values: number[]) => Math.max(...values);

function goal(entries: number, what: string, milliseconds: number): string {
  const limit = PAUSE_GOAL_MS[entries];
  return limit === undefined ? '' : `; goal ≤ ${limit} ms (${what}): ${milliseconds <= limit ? 'met' : 'NOT met'}`;
}

async function swapRows(kernel: TestKernel, entries: number, swaps: number): Promise<Row[]> {
  const times = await callJson<SwapTimes>(kernel, `bench-swapper measure ${entries} ${swaps} ${SWAP_INTERVAL_MS} 1`);
  if (times.failures.length > 0) throw new Error(`swaps failed: ${times.failures[0]}`);
  const label = `${entries.toLocaleString('en-US')} entries`;
  const restart = median(times.restartMs);
  const pause = median(times.pauseMs);
  const held = median(times.heldCallMs);
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  return [
    withFloor(compare(`swap time, ${label}`, median(times.swapMs), restart, 'ms', swaps,
      `vs restart (unload + load, state lost; ${times.restartMs.length} restarts, each in a round with a floor and a swap, paced as the swaps: each step ${SWAP_INTERVAL_MS} ms after the one before and once the reclaim monitor has no check to come; median; back to back, as V8 has just compiled the same source: ${ms(median(times.backToBackRestartMs))}); quiescence median ${ms(median(times.quiescenceMs))}`), median(times.floorMs)),
    compare(`callers paused, kernel side, ${label}`, pause, restart, 'ms', swaps,
      `first call held → held calls answered by the new version; longest ${ms(max(times.pauseMs))}; synchronous step median ${ms(median(times.switchMs))}; vs a restart, which callers wait for too${goal(entries, 'longest', max(times.pauseMs))}`),
    compare(`caller's call held by the swap, ${label}`, held, times.usualCallMs, 'ms', swaps,
      `an async read made during the swap vs one with no swap (median); extra: median ${ms(held - times.usualCallMs)}, slowest ${ms(max(times.heldCallMs) - times.usualCallMs)} (200 calls with no swap: slowest ${ms(times.quietSlowestCallMs - times.usualCallMs)}, the machine's own noise); a call in flight across the whole swap, its load included: median extra ${ms(median(times.inFlightCallMs) - times.usualCallMs)}${goal(entries, 'median extra', held - times.usualCallMs)}`),
  ];
}

async function kvMemoryRow(kernel: TestKernel, swaps: number, bundles: string[]): Promise<Row> {
  const before = await settledHeap();
  const churned = await callJson<{ failed: number; failures: string[] }>(kernel, `bench-swapper churn ${swaps}`);
  if (churned.failed > 0) throw new Error(`${churned.failed} swaps failed: ${churned.failures[0]}`);
  const after = await settledHeap();
  const imported = importEach(bundles.map(forImport), swaps, 'swap-imports');
  const keelBytes = after.codeBytes - before.codeBytes;
  return compare(`host code kept per swap, kv, N = ${swaps.toLocaleString('en-US')}`, keelBytes / swaps, imported.codeBytes / swaps, 'B', 1,
    `bytecode + machine code after GC: keel ${keelBytes} B, import() of each new version ${imported.codeBytes} B in all`);
}

interface Churned {
  growth: HeapSize;
  zombies: number;
}

/** `swaps` scheduler swaps with 100 live tasks that task-holder holds, on a fresh machine, after a warm-up. */
async function churnScheduler(swaps: number, warmUp: number, migration: 'copy' | 'prototype-switch'): Promise<Churned> {
  // Prototype switching leaves a zombie per swap: the heap snapshots that would name their holders are not what is measured.
  const kernel = await bootKernel({ build: WITH_BENCH_FIXTURES, cmdline: `${CMDLINE} reclaim.explain=0` });
  try {
    await kernel.run('modprobe scheduler; modprobe swap; modprobe task-holder');
    const churn = async (count: number) => {
      const report = await callJson<ChurnReport>(kernel, `task-holder churn ${count} 100 ${migration}`);
      if (report.failures.length + report.wrong.length > 0) throw new Error(`scheduler swaps failed: ${[...report.failures, ...report.wrong][0]}`);
      // The reclaim monitor's last verdicts: every version it watches collected, or called a zombie.
      for (;;) {
        const watch = await callJson<{ waiting: number; zombies: number }>(kernel, 'task-holder reclaimWatch');
        if (watch.waiting === 0) return watch.zombies;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const zombiesBefore = await churn(warmUp);
    const before = await settledHeap();
    const zombies = (await churn(swaps)) - zombiesBefore;
    const after = await settledHeap();
    return { growth: { codeBytes: after.codeBytes - before.codeBytes, heapBytes: after.heapBytes - before.heapBytes }, zombies };
  } finally {
    await kernel.halt();
  }
}

async function schedulerMemoryRows(swaps: number, bundles: string[]): Promise<Row[]> {
  const warmUp = Math.min(200, swaps);
  const keel = await churnScheduler(swaps, warmUp, 'copy');
  const prototype = await churnScheduler(swaps, warmUp, 'prototype-switch');
  const imported = importEach(bundles, swaps, 'swap-imports');
  const n = `N = ${swaps.toLocaleString('en-US')}`;
  return [
    compare(`host heap kept per swap, scheduler + 100 held tasks, ${n}`, keel.growth.heapBytes / swaps, prototype.growth.heapBytes / swaps, 'B', 1,
      `vs the prototype-switching migration; used heap after GC: keel ${keel.growth.heapBytes} B, ${keel.zombies} zombies; prototype switching ${prototype.growth.heapBytes} B, ${prototype.zombies} zombies (code: ${keel.growth.codeBytes} B vs ${prototype.growth.codeBytes} B — V8 flushes the bytecode of zombie functions that no longer run)`),
    compare(`host code kept per swap, scheduler + 100 held tasks, ${n}`, keel.growth.codeBytes / swaps, imported.codeBytes / swaps, 'B', 1,
      `bytecode + machine code after GC: keel ${keel.growth.codeBytes} B, import() of each new version ${imported.codeBytes} B in all`),
  ];
}

export async function swap({ quick }: FigureOptions): Promise<Figure> {
  const sizes = quick ? [10, 10_000] : [10, 10_000, 1_000_000];
  const swaps = quick ? 5 : 21;
  const kvUpdates = quick ? 200 : 10_000;
  const schedulerUpdates = quick ? 100 : 1_000;
  const { result } = await buildInMemory(WITH_BENCH_FIXTURES);
  const bundlesOf = (name: string) => ['1.0.0', '2.0.0'].map((version) => new TextDecoder().decode(result.modules.find(({ record }) => record.name === name && record.version === version)!.code));
  const rows: Row[] = [];
  for (const entries of sizes) {
    const kernel = await bootKernel({ build: WITH_BENCH_FIXTURES, cmdline: CMDLINE });
    try {
      await kernel.run('modprobe kv; modprobe swap');
      rows.push(...(await swapRows(kernel, entries, swaps)));
      if (entries === sizes[0]) rows.push(await kvMemoryRow(kernel, kvUpdates, bundlesOf('kv')));
    } finally {
      await kernel.halt();
    }
  }
  rows.push(...(await schedulerMemoryRows(schedulerUpdates, bundlesOf('scheduler'))));
  return { number: 5, id: 'swap', title: 'Hot swap under a continuous caller', baseline: 'restart, no-swap caller delays, import() of each version, prototype-switching migration',
    floor: 'swap time: unload of the old version + load of the new, paced as the swaps', rows };
}
