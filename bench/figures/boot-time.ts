/*
 * Figure 2 — boot time against the size of the ramdisk, with 10, 100, 1,000 and 10,000
 * generated modules beside the project's own, as ratios to the 10-module boot:
 *
 *   - the kernel's boot: from its first log line to the shell prompt. Boot reads the index's
 *     first line, etc/modules and the bundles it loads, finding each by binary search and an
 *     offset hint, so this is what must stay flat;
 *   - the bootstrap before it: from its first instruction to the kernel's first line (the
 *     kernel module found at the index's hints, checked, copied and compiled), which that line
 *     gives; flat as well, but after a repack, where it walks the headers;
 *   - the firmware before it: from powerOn to the bootstrap's first instruction (what the two
 *     above leave of the total): the boot image placed, and the ramdisk mapped above RAM where
 *     the host holds it. The ramdisks are given to the machine in shared memory, as `npm run
 *     boot` gives it (emulator/built-files.ts), so the firmware copies none of their bytes;
 *   - powerOn to the prompt: all three;
 *   - the same 10,000-module ramdisk unpacked and repacked with GNU cpio (sorted, "." and
 *     directories in it): the hints no longer fit, and the kernel walks every header once;
 *   - looking up and loading one module (bench-loader, timed with the kernel clock) from the
 *     10,000-module ramdisk against the 10-module one, each run a module not looked up before;
 *   - the build's archive gzip-compressed (gzip -6, as `gzip` does), the smallest and the
 *     largest, powerOn to prompt against the same archive uncompressed: the firmware inflates
 *     it as it places it (emulator/initrd-inflate.ts); and the firmware's walk of the largest
 *     plain archive, which it makes to find gzip data after it.
 *
 * Floors (bench/lib/boot-floors.ts), timed beside every boot: for the firmware and powerOn, a
 * plain copy of the ramdisk's bytes into fresh memory as large as the machine's — the least a
 * firmware that places the ramdisk in RAM must do, as keel's did until it mapped it; for the
 * bootstrap, the kernel module's sha256, signature check and compile. The kernel's boot has
 * none: nothing simpler does its work. And the page faults of each boot and of the copy: counts,
 * which the load of shared cores does not move.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { build, PROJECT_ROOT } from '../../build.ts';
import { sharedBytes } from '../../emulator/built-files.ts';
import { inflateInitrd } from '../../emulator/initrd-inflate.ts';
import { TestKernel } from '../../test/harness.ts';
import { requireToolsOf } from '../../test/tools.ts';
import { bootFloors, memoryBacking, type BootFloors } from '../lib/boot-floors.ts';
import { compare, keelOnly, withFloor, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { temporaryDirectory, tinyModules, writeModules } from '../lib/generate-modules.ts';
import { collectGarbage } from '../lib/host.ts';
import { BENCH_FIXTURES, callJson } from '../lib/kernel-session.ts';
import { median } from '../lib/statistics.ts';

interface BootSample {
  /** powerOn to the prompt. */
  total: number;
  /** The kernel's first log line to the prompt. */
  kernel: number;
  /** The bootstrap's first instruction to the kernel's first log line, as that line says. */
  bootstrap: number;
  /** powerOn to the bootstrap's first instruction: what the rest leaves. */
  firmware: number;
  /** Floors, timed beside the boot (bench/lib/boot-floors.ts): the ramdisk copied into fresh memory, the kernel module checked and compiled. */
  placing: number;
  bootstrapFloor: number;
  /** Page faults (minor: memory touched for the first time) from powerOn to the prompt, and in the placing floor. */
  faults: number;
  placingFaults: number;
}

const pageFaults = () => process.resourceUsage().minorPageFault;

/**
 * One boot, and its floors: before the boot in one round, after it in the next (`floorsFirst`).
 * The kernel hands out the pages freed last first, and those cost the least to touch again, so
 * whichever touches its memory first after the collection gets the cheaper pages.
 */
async function timeBoot({ image, initrd, floors }: Ramdisk, floorsFirst: boolean): Promise<BootSample> {
  collectGarbage();
  const timeFloors = () => {
    const before = pageFaults();
    const placing = floors.placing();
    return [placing, pageFaults() - before, floors.bootstrap()] as const;
  };
  const before = floorsFirst ? timeFloors() : null;
  const kernel = new TestKernel(image, initrd, {});
  const clockAtPowerOn = kernel.machine.timer.now();
  const [start, faultsBefore] = [performance.now(), pageFaults()];
  kernel.machine.powerOn();
  await kernel.ready();
  const [total, faults] = [performance.now() - start, pageFaults() - faultsBefore];
  const firstLine = /^\[\s*([\d.]+)\] bootstrap: .* in ([\d.]+) ms$/m.exec(await kernel.run('dmesg'))!;
  await kernel.halt();
  const [placing, placingFaults, bootstrapFloor] = before ?? timeFloors();
  const [kernelBoot, bootstrap] = [total - (Number(firstLine[1]) * 1000 - clockAtPowerOn), Number(firstLine[2])];
  return { total, kernel: kernelBoot, bootstrap, firmware: total - kernelBoot - bootstrap, placing, bootstrapFloor, faults, placingFaults };
}

/** The ramdisk unpacked with GNU cpio and packed again as a user would: sorted, with "." and the directories. */
function repackedWithCpio(initrd: Uint8Array, root: string): Uint8Array {
  const tree = path.join(root, 'unpacked');
  mkdirSync(tree);
  const shell = (command: string, input?: Uint8Array) => {
    requireToolsOf(command);
    const run = spawnSync('sh', ['-c', command], { cwd: tree, input, maxBuffer: 1 << 30 });
    if (run.status !== 0) throw new Error(`${command}: ${run.stderr.toString()}`);
    return new Uint8Array(run.stdout);
  };
  shell('cpio -idm --quiet', initrd);
  return shell('find . | LC_ALL=C sort | cpio -o -H newc --quiet');
}

interface Ramdisk {
  count: number;
  image: Uint8Array;
  initrd: Uint8Array;
  /** The floors of its boot; those of the archive it was made from, for a repacked or compressed one. */
  floors: BootFloors;
}

async function buildWith(count: number, root: string): Promise<Ramdisk> {
  const outDir = path.join(root, `dist-${count}`);
  await build({ moduleDirs: [path.join(PROJECT_ROOT, 'modules'), BENCH_FIXTURES, ...writeModules(path.join(root, `modules-${count}`), tinyModules(count))], outDir, quiet: true });
  const initrd = sharedBytes(readFileSync(path.join(outDir, 'initrd.cpio')));
  return { count, image: readFileSync(path.join(outDir, 'boot.img')), initrd, floors: bootFloors(initrd) };
}

/**
 * Boots every ramdisk `runs` times, taking them in turn in each round, every other round
 * backwards (after one warm-up boot each: the host's emulator code is cold at first), so that
 * a shared machine's load, which comes and goes, weighs on every case alike. Returns the
 * medians, in the ramdisks' order.
 */
async function bootSamples(ramdisks: Ramdisk[], runs: number): Promise<BootSample[]> {
  for (const ramdisk of ramdisks) await timeBoot(ramdisk, true);
  const samples: BootSample[][] = ramdisks.map(() => []);
  for (let run = 0; run < runs; run++) {
    // Every other round runs backwards, so that no case always follows the same one.
    const order = [...ramdisks.keys()];
    for (const position of run % 2 ? order.reverse() : order) samples[position]!.push(await timeBoot(ramdisks[position]!, run % 2 === 0));
  }
  const keys = ['total', 'kernel', 'bootstrap', 'firmware', 'placing', 'bootstrapFloor', 'faults', 'placingFaults'] as const;
  return samples.map((each) => Object.fromEntries(keys.map((key) => [key, median(each.map((sample) => sample[key]))])) as unknown as BootSample);
}

/**
 * Milliseconds to look up and load a generated module, each run one not looked up before
 * (median), from each ramdisk, one booted machine per ramdisk, taken in turn.
 */
async function loadSamples(ramdisks: Ramdisk[], runs: number): Promise<number[]> {
  const kernels: TestKernel[] = [];
  for (const { image, initrd } of ramdisks) {
    const kernel = new TestKernel(image, initrd, {});
    kernel.machine.powerOn();
    await kernel.ready();
    await callJson(kernel, 'bench-loader time hello'); // loads the loader itself, and warms the path
    kernels.push(kernel);
  }
  const times: number[][] = ramdisks.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [position, kernel] of kernels.entries()) {
      collectGarbage();
      const name = `generated-${Math.floor(((run + 1) * ramdisks[position]!.count) / (runs + 1))}`;
      times[position]!.push((await callJson<{ load: number }>(kernel, `bench-loader time ${name}`)).load);
    }
  }
  for (const kernel of kernels) await kernel.halt();
  return times.map(median);
}

export async function bootTime({ quick }: FigureOptions): Promise<Figure> {
  const counts = quick ? [10, 100] : [10, 100, 1_000, 10_000];
  const runs = quick ? 3 : 25;
  const root = temporaryDirectory('boot');
  try {
    const ramdisks: Ramdisk[] = [];
    for (const count of counts) ramdisks.push(await buildWith(count, root));
    const [base, largest] = [ramdisks[0]!, ramdisks.at(-1)!];
    const repacked = { ...largest, initrd: sharedBytes(repackedWithCpio(largest.initrd, root)) };
    const compressed = [base, largest].map((ramdisk) => ({ ...ramdisk, initrd: new Uint8Array(gzipSync(ramdisk.initrd)) }));
    const boots = await bootSamples([...ramdisks, repacked, ...compressed], runs);
    const [baseBoot, repackedBoot] = [boots[0]!, boots[ramdisks.length]!];
    const [baseGzipBoot, largestGzipBoot] = boots.slice(-2) as [BootSample, BootSample];
    const walks = Array.from({ length: runs }, () => {
      const start = performance.now();
      inflateInitrd(largest.initrd, 1024 ** 3);
      return performance.now() - start;
    });
    const [baseLoad, largestLoad] = await loadSamples([base, largest], runs);
    const modules = (count: number) => `${count.toLocaleString('en-US')} generated modules`;
    const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
    const backing = memoryBacking();
    const rows: Row[] = [
      ...ramdisks.map(({ count, initrd }, position) =>
        compare(`kernel boot (first line to prompt), ${modules(count)}`, boots[position]!.kernel, baseBoot.kernel, 'ms', runs, `ramdisk ${mib(initrd.length)}`)),
      ...ramdisks.map(({ count }, position) =>
        withFloor(compare(`bootstrap (its start to the kernel's first line), ${modules(count)}`, boots[position]!.bootstrap, baseBoot.bootstrap, 'ms', runs, 'the kernel module found at the hints, checked, copied and compiled'), boots[position]!.bootstrapFloor)),
      ...ramdisks.map(({ count, initrd }, position) =>
        withFloor(compare(`firmware (powerOn to the bootstrap's start), ${modules(count)}`, boots[position]!.firmware, baseBoot.firmware, 'ms', runs, `the image placed, the ramdisk's ${mib(initrd.length)} walked for gzip data and mapped (shared, not copied), the bootstrap compiled; memory: ${backing}`), boots[position]!.placing)),
      ...ramdisks.map(({ count, initrd }, position) =>
        withFloor(compare(`powerOn to prompt, ${modules(count)}`, boots[position]!.total, baseBoot.total, 'ms', runs, `before the kernel's first line (the firmware mapping ${mib(initrd.length)} and compiling the bootstrap, then the bootstrap) ${(boots[position]!.total - boots[position]!.kernel).toFixed(1)} ms`), boots[position]!.placing)),
      // Counts, which the machine's load does not move: where a run's times are noisy, these say what placing cost.
      ...ramdisks.map(({ count }, position) => {
        const row = compare(`page faults, powerOn to prompt, ${modules(count)}`, boots[position]!.faults, baseBoot.faults, 'faults', runs, 'memory touched for the first time (minor faults, the whole process); floor: those of the placing floor');
        return boots[position]!.placingFaults > 0 ? withFloor(row, boots[position]!.placingFaults) : row;
      }),
      compare(`kernel boot after a GNU cpio repack, ${modules(largest.count)} (one walk)`, repackedBoot.kernel, baseBoot.kernel, 'ms', runs, 'baseline: the 10-module archive as the build wrote it; target ≤ 3×'),
      compare(`bootstrap after a GNU cpio repack, ${modules(largest.count)} (one walk)`, repackedBoot.bootstrap, baseBoot.bootstrap, 'ms', runs, 'baseline: the 10-module archive as the build wrote it: the bootstrap walks the headers too'),
      withFloor(compare(`powerOn to prompt after a GNU cpio repack, ${modules(largest.count)}`, repackedBoot.total, baseBoot.total, 'ms', runs, 'baseline: the 10-module archive as the build wrote it; floor: the archive as built copied'), repackedBoot.placing),
      compare(`look up and load one module, ${modules(largest.count)}`, largestLoad!, baseLoad!, 'ms', runs, `baseline: the same from ${modules(base.count)}; a module not looked up before each run`),
      ...([[base, compressed[0]!, baseGzipBoot, baseBoot], [largest, compressed[1]!, largestGzipBoot, boots[ramdisks.length - 1]!]] as const).map(([plain, gzipped, gzipBoot, plainBoot]) =>
        compare(`powerOn to prompt, the build's archive gzip-compressed, ${modules(plain.count)}`, gzipBoot.total, plainBoot.total, 'ms', runs, `baseline: the same archive uncompressed; ${mib(gzipped.initrd.length)} inflated to ${mib(plain.initrd.length)} by the firmware`)),
      keelOnly(`the firmware's walk of a plain archive for gzip data, ${modules(largest.count)}`, median(walks), 'ms', runs, `${mib(largest.initrd.length)}, every header read; none found, the archive placed as it is`),
    ];
    return {
      number: 2, id: 'boot-time', title: 'Boot time by ramdisk size, and after a repack', baseline: 'the same with 10 generated modules',
      floor: "firmware and powerOn rows: a plain copy of the ramdisk's bytes into fresh memory as large as the machine's, the least a firmware that places the ramdisk in RAM does (keel's maps it instead: below 1×); bootstrap rows: the kernel module's sha256, its record's signature checked, its text compiled (vm.compileFunction); each timed beside every boot",
      rows,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
