/*
 * Figure 3 — module load and unload latency for modules of about 1 KB, 100 KB and 1 MB of
 * code (many distinct functions, each run once by init). keel: the bench-loader fixture times
 * loadModule and unloadModule inside the kernel (frames, copy, sha256, compile, link, init;
 * then exit, revoke, free). Baseline: import() of the same bundle, init run too, in a plain
 * node process, in turns with keel's loads. Every load is of a distinct copy, on both sides, so
 * that no compilation cache helps either. import() has no unload, so the unload rows have no
 * baseline.
 *
 * Floor: the work no loader of signed code can skip, on the same copies in this process —
 * vm.compileFunction of the bundle in a vm context (as keel's sandbox compiles), its sha256 and
 * the Ed25519 check of its record's signature, the key parsed once (bench/lib/load-floor.ts).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build, PROJECT_ROOT } from '../../build.ts';
import type { TestKernel } from '../../test/harness.ts';
import { compare, keelOnly, withFloor, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { codeModule, temporaryDirectory, writeModules } from '../lib/generate-modules.ts';
import { collectGarbage } from '../lib/host.ts';
import { measureImports, serveImports, writeBundleModule } from '../lib/import-bundle.ts';
import { BENCH_FIXTURES, bootFiles, callJson } from '../lib/kernel-session.ts';
import { loadFloorMilliseconds } from '../lib/load-floor.ts';
import { median } from '../lib/statistics.ts';

/**
 * Copies loaded of each size in a full run (3 in quick mode). A 1 KB load takes about a
 * millisecond, so the median of 5 moved with the load of a shared machine by more than keel
 * and import() differ: 25 cost both sides a few tens of milliseconds more.
 */
const SIZES = [
  { label: '1 KB', bytes: 1024, copies: 25 },
  { label: '100 KB', bytes: 100 * 1024, copies: 5 },
  { label: '1 MB', bytes: 1024 * 1024, copies: 5 },
];

const moduleName = (size: number, copy: number) => `code-${size}-${copy}`;
const WARM_UP = 'code-warm-up';

/**
 * Each copy loaded by keel and imported by node in turn, each after a full GC, the side that
 * goes first changing from copy to copy: measured one side after the other, the two medians
 * were seconds apart, and the load of a shared machine, which comes and goes, moved their ratio
 * from run to run by more than keel and import() differ.
 */
async function measureInTurns(kernel: TestKernel, root: string, bundles: Map<string, string>, size: number, copies: number) {
  const directory = path.join(root, `imports-${size}`);
  mkdirSync(directory);
  writeBundleModule(directory, bundles.get(WARM_UP)!, 'warm-up');
  for (let copy = 0; copy < copies; copy++) writeBundleModule(directory, bundles.get(moduleName(size, copy))!, `measured-${copy}`);
  const imports = serveImports(directory);
  const load: number[] = [];
  const unload: number[] = [];
  const imported: number[] = [];
  try {
    for (let copy = 0; copy < copies; copy++) {
      const keel = async () => {
        collectGarbage();
        const times = await callJson<{ load: number; unload: number }>(kernel, `bench-loader time ${moduleName(size, copy)}`);
        load.push(times.load);
        unload.push(times.unload);
      };
      const node = async () => void imported.push(await imports.time(`measured-${copy}`));
      for (const side of copy % 2 === 0 ? [keel, node] : [node, keel]) await side();
    }
  } finally {
    imports.close();
  }
  const backToBack = median(measureImports(directory, true).milliseconds);
  return { load: median(load), unload: median(unload), imported: median(imported), backToBack };
}

export async function loadLatency({ quick }: FigureOptions): Promise<Figure> {
  const sizes = (quick ? SIZES.slice(0, 2) : SIZES).map((size) => ({ ...size, copies: quick ? 3 : size.copies }));
  const root = temporaryDirectory('load');
  const rows: Row[] = [];
  try {
    // No two copies of one size are the same text (the seeds of the first five are those of the
    // runs before 1 KB had 25, so the bundles, and their sizes in the rows, are those runs' too).
    const generated = sizes.flatMap(({ bytes, copies }, size) => Array.from({ length: copies }, (_, copy) => codeModule(moduleName(size, copy), bytes, size * 5 + copy)));
    generated.push(codeModule(WARM_UP, 1024, 1000));
    const outDir = path.join(root, 'dist');
    const built = await build({ moduleDirs: [path.join(PROJECT_ROOT, 'modules'), BENCH_FIXTURES, ...writeModules(root, generated)], outDir, quiet: true });
    const bundles = new Map(built.modules.map(({ record, code }) => [record.name, new TextDecoder().decode(code)]));
    const signed = new Map(built.modules.map((module) => [module.record.name, module]));
    const kernel = await bootFiles(readFileSync(path.join(outDir, 'boot.img')), readFileSync(path.join(outDir, 'initrd.cpio')));
    // The first load warms up the loader's and the shell's code, as the probe's warm-up import does Node's.
    await callJson(kernel, `bench-loader time ${WARM_UP}`);
    for (const [size, { label, copies }] of sizes.entries()) {
      const bytes = bundles.get(moduleName(size, 0))!.length;
      const keel = await measureInTurns(kernel, root, bundles, size, copies);
      const floor = loadFloorMilliseconds(Array.from({ length: copies }, (_, copy) => signed.get(moduleName(size, copy))!));
      rows.push(
        withFloor(compare(`load ${label} (${bytes.toLocaleString('en-US')} B)`, keel.load, keel.imported, 'ms', copies,
          `import() in turns with keel's loads; the same copies imported back to back in a fresh process, each after a full GC (as this figure measured before 2026-12-04): ${keel.backToBack.toFixed(2)} ms`), floor),
        keelOnly(`unload ${label}`, keel.unload, 'ms', copies, 'import() cannot unload (nodejs/node#49442)'),
      );
    }
    await kernel.halt();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    number: 3,
    id: 'load-latency',
    title: 'Module load and unload latency',
    baseline: 'import() of the same bundle (plain node process)',
    floor: 'vm.compileFunction of the same bytes in a vm context + their sha256 + the Ed25519 check of the record (this process)',
    rows,
  };
}
