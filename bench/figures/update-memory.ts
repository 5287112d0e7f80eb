/*
 * Figure 6 — memory over N updates of one module: N load/unload cycles of the churn fixture
 * through the kernel (the cycler fixture), against the same code loaded N times with import()
 * in a plain node process, which never frees it. Per update: emulated text frames leaked
 * (must be exactly 0), host bytecode plus machine code kept after garbage collection, and the
 * whole host heap kept (module records, functions, source: what import() keeps even once V8
 * has flushed the bytecode of functions that no longer run).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bootKernel, buildInMemory, frameCounts, WITH_FIXTURES, type TestKernel } from '../../test/harness.ts';
import { compare, keelOnly, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { temporaryDirectory } from '../lib/generate-modules.ts';
import { settledHeap } from '../lib/host.ts';
import { measureImports, writeBundleModule } from '../lib/import-bundle.ts';
import { callJson } from '../lib/kernel-session.ts';

/** Enough cycles to fill the kernel log's ring of 1,000 lines, so that its growth is not counted. */
const KEEL_WARM_UP_CYCLES = 600;
const IMPORT_WARM_UP = 20;

async function keelGrowth(kernel: TestKernel, count: number) {
  const frames = await frameCounts(kernel);
  const heap = await settledHeap();
  await callJson(kernel, `cycler cycle churn ${count}`);
  const heapAfter = await settledHeap();
  const framesAfter = await frameCounts(kernel);
  const zombies = (await kernel.run('dmesg')).split('\n').filter((line) => / is a zombie: /.test(line)).length;
  return {
    zombies,
    textFrames: framesAfter.moduleText - frames.moduleText,
    usedFrames: `${frames.used} → ${framesAfter.used}`,
    codeBytes: heapAfter.codeBytes - heap.codeBytes,
    heapBytes: heapAfter.heapBytes - heap.heapBytes,
  };
}

function importGrowth(root: string, bundle: string, count: number) {
  const directory = path.join(root, `n-${count}`);
  mkdirSync(directory);
  for (let update = 0; update < IMPORT_WARM_UP; update++) writeBundleModule(directory, bundle, `warm-up-${update}`);
  for (let update = 0; update < count; update++) writeBundleModule(directory, bundle, `measured-${String(update).padStart(6, '0')}`);
  return measureImports(directory, false);
}

export async function updateMemory({ quick }: FigureOptions): Promise<Figure> {
  const counts = quick ? [200] : [1_000, 10_000];
  const { result } = await buildInMemory(WITH_FIXTURES);
  const bundle = new TextDecoder().decode(result.modules.find(({ record }) => record.name === 'churn')!.code);
  const kernel = await bootKernel({ build: WITH_FIXTURES });
  await callJson(kernel, `cycler cycle churn ${KEEL_WARM_UP_CYCLES}`);
  const root = temporaryDirectory('updates');
  const rows: Row[] = [];
  try {
    for (const count of counts) {
      const keel = await keelGrowth(kernel, count);
      const imported = importGrowth(root, bundle, count);
      const n = `N = ${count.toLocaleString('en-US')}`;
      rows.push(
        keelOnly(`text frames leaked per update, ${n}`, keel.textFrames / count, 'frames', 1, `must be exactly 0; used frames ${keel.usedFrames}; zombie lines in dmesg: ${keel.zombies}; import() has no frames to count`),
        compare(`host code kept per update, ${n}`, keel.codeBytes / count, imported.codeBytes / count, 'B', 1,
          `bytecode + machine code after GC: keel ${keel.codeBytes} B, import() ${imported.codeBytes} B in all`),
        compare(`host heap kept per update, ${n}`, keel.heapBytes / count, imported.heapBytes / count, 'B', 1,
          `used heap after GC: keel ${keel.heapBytes} B, import() ${imported.heapBytes} B in all`),
      );
    }
  } finally {
    await kernel.halt();
    rmSync(root, { recursive: true, force: true });
  }
  return { number: 6, id: 'update-memory', title: 'Memory over N updates of one module', baseline: 'import() of the same bundle N times (plain node process)', rows };
}
