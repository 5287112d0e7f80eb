/*
 * Figure 2 — boot time against the size of the ramdisk: Machine powerOn to the shell prompt
 * with 10, 100, 1,000 and 10,000 generated modules beside the project's own, as a ratio to
 * the 10-module boot. Boot reads only the index and etc/modules, so what grows with the
 * module count is copying the ramdisk into memory and decoding and parsing the index (JSON,
 * O(n)); the note gives the ramdisk size and when, after powerOn, the index was parsed (dmesg).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build, PROJECT_ROOT } from '../../build.ts';
import { TestKernel } from '../../test/harness.ts';
import { compare, type Figure, type FigureOptions } from '../lib/figure.ts';
import { temporaryDirectory, tinyModules, writeModules } from '../lib/generate-modules.ts';
import { collectGarbage } from '../lib/host.ts';
import { median, repeat } from '../lib/statistics.ts';

interface BootSample {
  milliseconds: number;
  indexReadyMilliseconds: number;
}

async function timeBoot(image: Uint8Array, initrd: Uint8Array): Promise<BootSample> {
  collectGarbage();
  const kernel = new TestKernel(image, initrd, {});
  const kernelClockAtPowerOn = kernel.machine.timer.now();
  const start = performance.now();
  kernel.machine.powerOn();
  await kernel.ready();
  const milliseconds = performance.now() - start;
  const indexLine = /^\[\s*([\d.]+)\] ramdisk: .* modules in the index$/m.exec(await kernel.run('dmesg'));
  await kernel.halt();
  return { milliseconds, indexReadyMilliseconds: Number(indexLine![1]) * 1000 - kernelClockAtPowerOn };
}

/** Builds a ramdisk with `count` generated modules and boots it `runs` times after a warm-up boot. */
async function bootWithModules(count: number, runs: number): Promise<{ samples: BootSample[]; ramdiskBytes: number }> {
  const root = temporaryDirectory(`boot-${count}`);
  try {
    const buckets = writeModules(root, tinyModules(count));
    const outDir = path.join(root, 'dist');
    await build({ moduleDirs: [path.join(PROJECT_ROOT, 'modules'), ...buckets], outDir, quiet: true });
    const image = readFileSync(path.join(outDir, 'boot.img'));
    const initrd = readFileSync(path.join(outDir, 'initrd.cpio'));
    await timeBoot(image, initrd); // a warm-up boot, not counted: the host's emulator code is cold at first
    return { samples: await repeat(runs, () => timeBoot(image, initrd)), ramdiskBytes: initrd.length };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function bootTime({ quick }: FigureOptions): Promise<Figure> {
  const counts = quick ? [10, 100] : [10, 100, 1_000, 10_000];
  const runs = quick ? 3 : 7;
  const measured = [];
  for (const count of counts) measured.push({ count, ...(await bootWithModules(count, runs)) });
  const baseline = median(measured[0]!.samples.map((sample) => sample.milliseconds));
  return {
    number: 2,
    id: 'boot-time',
    title: 'Boot time (powerOn to shell prompt) by ramdisk size',
    baseline: 'the same boot with 10 generated modules',
    rows: measured.map(({ count, samples, ramdiskBytes }) => {
      const indexReady = median(samples.map((sample) => sample.indexReadyMilliseconds));
      const note = `ramdisk ${(ramdiskBytes / 1024 ** 2).toFixed(2)} MiB; index parsed ${indexReady.toFixed(1)} ms after powerOn`;
      return compare(`${count.toLocaleString('en-US')} generated modules`, median(samples.map((sample) => sample.milliseconds)), baseline, 'ms', runs, note);
    }),
  };
}
