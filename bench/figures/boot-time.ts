/*
 * Figure 2 — boot time against the size of the ramdisk, with 10, 100, 1,000 and 10,000
 * generated modules beside the project's own, as ratios to the 10-module boot:
 *
 *   - the kernel's boot: from its first log line to the shell prompt. Boot reads the index's
 *     first line, etc/modules and the bundles it loads, finding each by binary search and an
 *     offset hint, so this is what must stay flat;
 *   - powerOn to the prompt: the kernel's boot plus the firmware's share before it, placing the
 *     ramdisk in memory (a copy into fresh pages, which grows with the ramdisk's bytes);
 *   - the same 10,000-module ramdisk unpacked and repacked with GNU cpio (sorted, "." and
 *     directories in it): the hints no longer fit, and the kernel walks every header once;
 *   - looking up and loading one module (bench-loader, timed with the kernel clock) from the
 *     10,000-module ramdisk against the 10-module one, each run a module not looked up before.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build, PROJECT_ROOT } from '../../build.ts';
import { TestKernel } from '../../test/harness.ts';
import { compare, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { temporaryDirectory, tinyModules, writeModules } from '../lib/generate-modules.ts';
import { collectGarbage } from '../lib/host.ts';
import { BENCH_FIXTURES, callJson } from '../lib/kernel-session.ts';
import { median, repeat } from '../lib/statistics.ts';

interface BootSample {
  /** powerOn to the prompt. */
  total: number;
  /** The kernel's first log line to the prompt. */
  kernel: number;
}

async function timeBoot(image: Uint8Array, initrd: Uint8Array): Promise<BootSample> {
  collectGarbage();
  const kernel = new TestKernel(image, initrd, {});
  const clockAtPowerOn = kernel.machine.timer.now();
  const start = performance.now();
  kernel.machine.powerOn();
  await kernel.ready();
  const total = performance.now() - start;
  const firstLine = /^\[\s*([\d.]+)\] keel: command line/m.exec(await kernel.run('dmesg'))!;
  await kernel.halt();
  return { total, kernel: total - (Number(firstLine[1]) * 1000 - clockAtPowerOn) };
}

/** Boots `runs` times after a warm-up boot (the host's emulator code is cold at first). */
async function bootSamples(image: Uint8Array, initrd: Uint8Array, runs: number): Promise<{ total: number; kernel: number }> {
  await timeBoot(image, initrd);
  const samples = await repeat(runs, () => timeBoot(image, initrd));
  return { total: median(samples.map((sample) => sample.total)), kernel: median(samples.map((sample) => sample.kernel)) };
}

/** Milliseconds to look up and load `runs` generated modules in turn, each for the first time (median). */
async function loadSamples(image: Uint8Array, initrd: Uint8Array, count: number, runs: number): Promise<number> {
  const kernel = new TestKernel(image, initrd, {});
  kernel.machine.powerOn();
  await kernel.ready();
  await callJson(kernel, 'bench-loader time hello'); // loads the loader itself, and warms the path
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    collectGarbage();
    times.push((await callJson<{ load: number }>(kernel, `bench-loader time generated-${Math.floor(((run + 1) * count) / (runs + 1))}`)).load);
  }
  await kernel.halt();
  return median(times);
}

/** The ramdisk unpacked with GNU cpio and packed again as a user would: sorted, with "." and the directories. */
function repackedWithCpio(initrd: Uint8Array, root: string): Uint8Array {
  const tree = path.join(root, 'unpacked');
  mkdirSync(tree);
  const shell = (command: string, input?: Uint8Array) => {
    const run = spawnSync('sh', ['-c', command], { cwd: tree, input, maxBuffer: 1 << 30 });
    if (run.status !== 0) throw new Error(`${command}: ${run.stderr.toString()}`);
    return new Uint8Array(run.stdout);
  };
  shell('cpio -idm --quiet', initrd);
  return shell('find . | LC_ALL=C sort | cpio -o -H newc --quiet');
}

interface Measured {
  count: number;
  ramdiskBytes: number;
  boot: { total: number; kernel: number };
  load: number;
  repacked?: { total: number; kernel: number };
}

async function measure(count: number, runs: number, repack: boolean): Promise<Measured> {
  const root = temporaryDirectory(`boot-${count}`);
  try {
    const outDir = path.join(root, 'dist');
    await build({ moduleDirs: [path.join(PROJECT_ROOT, 'modules'), BENCH_FIXTURES, ...writeModules(root, tinyModules(count))], outDir, quiet: true });
    const image = readFileSync(path.join(outDir, 'boot.img'));
    const initrd = readFileSync(path.join(outDir, 'initrd.cpio'));
    const measured: Measured = { count, ramdiskBytes: initrd.length, boot: await bootSamples(image, initrd, runs), load: await loadSamples(image, initrd, count, runs) };
    if (repack) measured.repacked = await bootSamples(image, repackedWithCpio(initrd, root), runs);
    return measured;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function bootTime({ quick }: FigureOptions): Promise<Figure> {
  const counts = quick ? [10, 100] : [10, 100, 1_000, 10_000];
  const runs = quick ? 3 : 7;
  const measured: Measured[] = [];
  for (const count of counts) measured.push(await measure(count, runs, count === counts.at(-1)));
  const [base, largest] = [measured[0]!, measured.at(-1)!];
  const modules = (count: number) => `${count.toLocaleString('en-US')} generated modules`;
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
  const rows: Row[] = [
    ...measured.map(({ count, boot, ramdiskBytes }) =>
      compare(`kernel boot (first line to prompt), ${modules(count)}`, boot.kernel, base.boot.kernel, 'ms', runs, `ramdisk ${mib(ramdiskBytes)}`)),
    ...measured.map(({ count, boot, ramdiskBytes }) =>
      compare(`powerOn to prompt, ${modules(count)}`, boot.total, base.boot.total, 'ms', runs, `firmware's share (placing ${mib(ramdiskBytes)}, compiling the kernel) ${(boot.total - boot.kernel).toFixed(1)} ms`)),
    compare(`kernel boot after a GNU cpio repack, ${modules(largest.count)} (one walk)`, largest.repacked!.kernel, base.boot.kernel, 'ms', runs, 'baseline: the 10-module archive as the build wrote it; target ≤ 3×'),
    compare(`powerOn to prompt after a GNU cpio repack, ${modules(largest.count)}`, largest.repacked!.total, base.boot.total, 'ms', runs, 'baseline: the 10-module archive as the build wrote it'),
    compare(`look up and load one module, ${modules(largest.count)}`, largest.load, base.load, 'ms', runs, `baseline: the same from ${modules(base.count)}; a module not looked up before each run`),
  ];
  return {
    number: 2,
    id: 'boot-time',
    title: 'Boot time by ramdisk size, and after a repack',
    baseline: 'the same with 10 generated modules',
    rows,
  };
}
