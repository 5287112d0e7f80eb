/*
 * Figure 5 — hot swap of kv between its two versions while a caller keeps calling it, for
 * state of 10, 10,000 and 1,000,000 entries. Swap time against a restart (unload and load
 * again: what you do without hot swap, and the state is lost); the longest gap the caller
 * sees against the longest gap over as many calls with no swap. Then code memory after N
 * swaps against importing each new version with import(), which never frees the old one.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bootKernel, buildInMemory, type TestKernel } from '../../test/harness.ts';
import type { SwapTimes } from '../fixtures/modules/bench-swapper/index.ts';
import { compare, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { temporaryDirectory } from '../lib/generate-modules.ts';
import { settledHeap } from '../lib/host.ts';
import { measureImports, writeBundleModule } from '../lib/import-bundle.ts';
import { callJson, WITH_BENCH_FIXTURES } from '../lib/kernel-session.ts';
import { median } from '../lib/statistics.ts';

/** kv's bundles with the two kernel calls they make answered by Node, for import(). */
const forImport = (bundle: string) => `const require = () => ({ numberParam: (name, range) => range.fallback, setTimer: (callback, milliseconds) => setTimeout(callback, milliseconds) });\n${bundle}`;

async function swapRows(kernel: TestKernel, entries: number, swaps: number): Promise<Row[]> {
  const times = await callJson<SwapTimes>(kernel, `bench-swapper measure ${entries} ${swaps}`);
  if (times.failures.length > 0) throw new Error(`swaps failed: ${times.failures[0]}`);
  const label = `${entries.toLocaleString('en-US')} entries`;
  return [
    compare(`swap time, ${label}`, median(times.swapMs), median(times.restartMs), 'ms', swaps,
      `vs restart (unload + load, state lost); quiescence median ${median(times.quiescenceMs).toFixed(2)} ms`),
    compare(`longest caller pause, ${label}`, times.longestPauseMs, times.normalLongestGapMs, 'ms', swaps,
      `over ${swaps} swaps, vs the longest gap over 50 calls without a swap`),
  ];
}

async function memoryRow(kernel: TestKernel, swaps: number, bundles: string[]): Promise<Row> {
  const before = await settledHeap();
  const times = await callJson<SwapTimes>(kernel, `bench-swapper measure 10 ${swaps}`);
  if (times.failures.length > 0) throw new Error(`swaps failed: ${times.failures[0]}`);
  const after = await settledHeap();
  const directory = temporaryDirectory('swap-imports');
  mkdirSync(path.join(directory, 'copies'));
  try {
    for (let update = 0; update < swaps; update++) {
      writeBundleModule(path.join(directory, 'copies'), forImport(bundles[update % 2]!), `measured-${String(update).padStart(6, '0')}`);
    }
    const imported = measureImports(path.join(directory, 'copies'), false);
    const keelBytes = after.codeBytes - before.codeBytes;
    return compare(`host code kept per swap, N = ${swaps.toLocaleString('en-US')}`, keelBytes / swaps, imported.codeBytes / swaps, 'B', 1,
      `bytecode + machine code after GC: keel ${keelBytes} B, import() of each new version ${imported.codeBytes} B in all`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function swap({ quick }: FigureOptions): Promise<Figure> {
  const sizes = quick ? [10, 10_000] : [10, 10_000, 1_000_000];
  const swaps = quick ? 5 : 21;
  const updates = quick ? 200 : 10_000;
  const { result } = await buildInMemory(WITH_BENCH_FIXTURES);
  const bundles = ['1.0.0', '2.0.0'].map((version) => new TextDecoder().decode(result.modules.find(({ record }) => record.name === 'kv' && record.version === version)!.code));
  const rows: Row[] = [];
  for (const entries of sizes) {
    const kernel = await bootKernel({ build: WITH_BENCH_FIXTURES, cmdline: 'init=shell quiet kv.capacity=2000000 swap.timeout=60000' });
    try {
      await kernel.run('modprobe kv; modprobe swap');
      rows.push(...(await swapRows(kernel, entries, swaps)));
      if (entries === sizes[0]) rows.push(await memoryRow(kernel, updates, bundles));
    } finally {
      await kernel.halt();
    }
  }
  return { number: 5, id: 'swap', title: 'Hot swap under a continuous caller', baseline: 'restart, no-swap caller gaps, import() of each version', rows };
}
