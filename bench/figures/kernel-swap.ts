/*
 * Figure 9 — the swap of the kernel itself (`swap kernel`), while the workload calls kv and the
 * scheduler: the swap's time and the pause its callers see (its synchronous switch: nothing
 * else runs meanwhile), against the one alternative a kernel without it has, a reboot (power on
 * to the shell's prompt, every module's state lost), and the swap's time against its floor:
 * what staging the new core cannot skip, done by the host on the same bytes (copy, sha256,
 * signature, compile); and the host code kept per kernel swap over many swaps, against
 * import() of each new kernel version, which never frees one.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import vm from 'node:vm';
import { publicKeyHex } from '../../build/module-signing.ts';
import { signedText, type ModuleRecord } from '../../ramdisk/module-index.ts';
import { bootKernel, buildInMemory, type TestKernel } from '../../test/harness.ts';
import { compare, withFloor, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { settledHeap } from '../lib/host.ts';
import { importEach } from '../lib/import-bundle.ts';
import { median } from '../lib/statistics.ts';

const VERSIONS = ['1.1.0', '1.0.0'];
const REPORT = /quiescent in ([\d.]+) ms, \d+ tables? transferred, \d+ text frames? freed, switch ([\d.]+) ms, ([\d.]+) ms in all/;

interface Timed {
  totalMs: number[];
  switchMs: number[];
}

/** `count` kernel swaps there and back; their reports' times. */
async function swapKernel(kernel: TestKernel, count: number, done: { swaps: number }): Promise<Timed> {
  const timed: Timed = { totalMs: [], switchMs: [] };
  for (; count > 0; count--, done.swaps++) {
    const [, , switchMs, totalMs] = REPORT.exec(await kernel.swap('kernel', VERSIONS[done.swaps % 2]))!;
    timed.totalMs.push(Number(totalMs));
    timed.switchMs.push(Number(switchMs));
  }
  return timed;
}

/**
 * The floor of staging a kernel, `count` times alternating the versions: the bundle copied into
 * fresh memory, its sha256, the record's Ed25519 signature checked (with a key parsed once),
 * and the bytes compiled (vm.compileFunction: the floor issue 25 names for any load).
 */
function stagingFloor(kernels: Array<{ record: ModuleRecord; code: Uint8Array }>, count: number): number[] {
  const key = createPublicKey({ key: Buffer.from(`302a300506032b6570032100${publicKeyHex()}`, 'hex'), format: 'der', type: 'spki' });
  const times: number[] = [];
  for (let run = 0; run < count; run++) {
    const { record, code } = kernels[run % kernels.length]!;
    const started = performance.now();
    const copy = new Uint8Array(code.length);
    copy.set(code);
    if (createHash('sha256').update(copy).digest('hex') !== record.sha256) throw new Error(`kernel ${record.version}: sha256 does not match its record`);
    if (!verify(null, Buffer.from(signedText(record)), key, Buffer.from(record.signature ?? '', 'hex'))) throw new Error(`kernel ${record.version}: signature does not verify`);
    vm.compileFunction(new TextDecoder().decode(copy), ['require', 'module', 'exports']);
    times.push(performance.now() - started);
  }
  return times;
}

/** Power on to the prompt, `count` times: the reboot a kernel that cannot swap itself needs. */
async function reboots(count: number): Promise<number[]> {
  const times: number[] = [];
  for (let boot = 0; boot < count; boot++) {
    const started = performance.now();
    const kernel = await bootKernel();
    times.push(performance.now() - started);
    await kernel.halt();
  }
  return times;
}

export async function kernelSwap({ quick }: FigureOptions): Promise<Figure> {
  const timedSwaps = quick ? 10 : 50;
  const kept = quick ? 100 : 1_000;
  const { result } = await buildInMemory();
  const kernels = VERSIONS.map((version) => result.modules.find(({ record }) => record.name === 'kernel' && record.version === version)!);
  const bundles = kernels.map(({ code }) => new TextDecoder().decode(code));
  const rebootMs = median(await reboots(quick ? 5 : 15));
  const kernel = await bootKernel();
  const rows: Row[] = [];
  try {
    await kernel.run('modprobe workload; modprobe swap');
    await kernel.run('call workload start');
    const done = { swaps: 0 };
    await swapKernel(kernel, 10, done);
    const timed = await swapKernel(kernel, timedSwaps, done);
    const floorMs = median(stagingFloor(kernels, timedSwaps));
    const before = await settledHeap();
    await swapKernel(kernel, kept, done);
    const after = await settledHeap();
    const report = await kernel.run('call workload report');
    if (!/"wrongAnswers":0,"errors":0/.test(report)) throw new Error(`the workload went wrong across kernel swaps: ${report}`);
    const zombies = (await kernel.run('dmesg')).split('\n').filter((line) => /kernel [\d.]+ is a zombie/.test(line)).length;
    const imported = importEach(bundles, kept, 'kernel-imports');
    const keelBytes = after.codeBytes - before.codeBytes;
    rows.push(
      withFloor(compare('kernel swap time, under the workload', median(timed.totalMs), rebootMs, 'ms', timedSwaps,
        `the swap's report: staging the new core (copy, sha256, signature, compile), quiescence, the switch; vs a reboot, power on to prompt (every module's state lost), median of ${quick ? 5 : 15}`), floorMs),
      compare('callers paused by a kernel swap (the switch)', median(timed.switchMs), rebootMs, 'ms', timedSwaps,
        `the synchronous step: export, takeOver, suspend, resume (GOT re-pointed, timers re-armed, the old text freed); longest ${Math.max(...timed.switchMs).toFixed(2)} ms`),
      compare(`host code kept per kernel swap, N = ${kept.toLocaleString('en-US')}`, keelBytes / kept, imported.codeBytes / kept, 'B', 1,
        `bytecode + machine code after GC: keel ${keelBytes} B, import() of each new kernel ${imported.codeBytes} B in all; zombie lines in dmesg: ${zombies}; the workload ran on with no wrong answer`),
    );
  } finally {
    await kernel.halt();
  }
  return { number: 9, id: 'kernel-swap', title: 'Swap of the kernel itself', baseline: 'a reboot; import() of each kernel version',
    floor: 'kernel swap time: copy, sha256, signature check and compile of the new core\'s bytes, by the host', rows };
}
