/*
 * End-to-end tests of `swap kernel`: the kernel core replaced by another version of itself
 * while modules run (modules/swap/kernel-swap.ts, modules/kernel/kernel-entry.ts's takeOver).
 * Through the shell: swaps there and back under the workload, what keeps working after one
 * (calls, callbacks, handles, timers, requestModule holds, calls in flight, swaps and unloads
 * of ordinary modules), every way a swap is refused or rolled back with the old core serving on
 * (a core that refuses the tables, whose takeOver throws, that cannot be staged, a core that
 * does not become quiescent), and 100 swaps with every old core collected by the host.
 * Test kernels are the build's 1.1.0 with its text changed, added to the ramdisk as 1.2.0.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { getHeapCodeStatistics } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { signRecord } from '../build/module-signing.ts';
import { writeCpio } from '../ramdisk/cpio-writer.ts';
import { INDEX_LINES_PATH, writeIndexLines } from '../ramdisk/index-lines.ts';
import { modulePath, type ModuleRecord } from '../ramdisk/module-index.ts';
import { bootKernel, buildInMemory, frameCounts, runUntil, WITH_FIXTURES, type TestKernel } from './harness.ts';
import { recordOf, rewriteRamdisk, type RamdiskContents } from './ramdisk-rewrite.ts';

let kernel: TestKernel;

/** The recipe of docs/design.md: a turn, full GCs, a turn, a few times; then the host's bytecode. */
async function settledBytecode(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return getHeapCodeStatistics().bytecode_and_metadata_size;
}
afterEach(() => kernel?.halt());

const SWAPPED = /^swap: kernel (\S+) -> (\S+): quiescent in [\d.]+ ms, 9 tables transferred, (\d+) text frames? freed, switch [\d.]+ ms, [\d.]+ ms in all$/;

interface WorkloadReport {
  syncCalls: number;
  asyncAnswered: number;
  wrongAnswers: number;
  errors: number;
}

const report = async () => (await kernel.call('workload', 'report')) as WorkloadReport;

/** What must not change when a swap rolls back: the module table, the frames, the kernel's version. */
const observed = async () => [await kernel.run('lsmod'), await frameCounts(kernel), await kernel.run('modinfo kernel')];

/** Kernel 1.2.0: the build's 1.1.0 with its text changed by `change`, signed with the build's key (unless `sign` is false). */
const testKernel = (change: (code: string) => string, { sign = true, edit = (_record: Record<string, unknown>) => {} } = {}) => (contents: RamdiskContents) => {
  const base = recordOf(contents, 'kernel', '1.1.0');
  const file = contents.files.find((candidate) => candidate.name === base.path)!;
  const code = change(Buffer.from(file.data).toString('utf8'));
  const data = new Uint8Array(Buffer.from(code));
  const record = { ...base, version: '1.2.0', path: modulePath('kernel', '1.2.0'), size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  edit(record);
  record.signature = sign ? signRecord(record) : undefined;
  contents.files.push({ ...file, name: record.path, data });
  contents.records.push(record);
};

/** A text edit that must find what it changes. */
const replacing = (from: string, to: string) => (code: string) => {
  if (!code.includes(from)) throw new Error(`the kernel bundle has no ${from}`);
  return code.replace(from, to);
};

describe('swap kernel', () => {
  it('swaps to the newest version and back while the workload runs: no wrong answers, frames exact, the new policy visible, every old core reclaimed', async () => {
    kernel = await bootKernel();
    await kernel.run('modprobe workload');
    await kernel.call('workload', 'start');
    // Loads the swap module and rootfs: the frames to compare with are those with them loaded.
    expect(await kernel.run('swap kernel 1.0.0')).toBe('swap: kernel: refused, nothing changed: kernel is already at 1.0.0\n');
    expect(await kernel.run('cat /proc/meminfo')).toMatch(/^FramePolicy:\s+first-fit$/m);
    const lsmod = await kernel.run('lsmod');
    const frames = await frameCounts(kernel);

    const there = SWAPPED.exec((await kernel.swap('kernel')).trimEnd())!;
    expect(there.slice(1, 3)).toEqual(['1.0.0', '1.1.0']);
    // The old core's text frames, as lsmod gave its size, are the ones freed; the new core's take their place.
    const kernelFrames = (listing: string) => Number(/^kernel +(\d+)/m.exec(listing)![1]) / 4096;
    expect(Number(there[3])).toBe(kernelFrames(lsmod));
    expect((await frameCounts(kernel)).moduleText).toBe(frames.moduleText - kernelFrames(lsmod) + kernelFrames(await kernel.run('lsmod')));
    expect(await kernel.run('modinfo kernel')).toMatch(/^version:\s+1\.1\.0$/m);
    expect(await kernel.run('cat /proc/meminfo')).toMatch(/^FramePolicy:\s+next-fit$/m);
    expect((await kernel.run('lsmod')).replace(/^kernel +\d+/m, '')).toBe(lsmod.replace(/^kernel +\d+/m, ''));
    const during = await report();
    await runUntil(kernel, 'call workload report', new RegExp(`"syncCalls":(?!${during.syncCalls}\\b)`));

    const back = SWAPPED.exec((await kernel.swap('kernel', '1.0.0')).trimEnd())!;
    expect(back.slice(1, 3)).toEqual(['1.1.0', '1.0.0']);
    expect(await kernel.run('cat /proc/meminfo')).toMatch(/^FramePolicy:\s+first-fit$/m);
    expect(await kernel.run('lsmod')).toBe(lsmod);
    const after = await report();
    await runUntil(kernel, 'call workload report', new RegExp(`"syncCalls":(?!${after.syncCalls}\\b)`));
    await kernel.call('workload', 'stop');
    const final = await report();
    expect(final).toMatchObject({ wrongAnswers: 0, errors: 0 });
    expect(final.asyncAnswered).toBeGreaterThan(during.asyncAnswered);
    expect(await frameCounts(kernel)).toEqual(frames);

    const log = await runUntil(kernel, 'dmesg', { test: (output: string) => /kernel 1\.0\.0: code reclaimed by the host/.test(output) && /kernel 1\.1\.0: code reclaimed by the host/.test(output) } as RegExp);
    expect(log).not.toMatch(/zombie|oops/);
  });

  it('keeps every module working after a swap: calls, callbacks, handles, timers and their ids, requestModule holds, calls in flight, swaps and unloads', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    await kernel.run('modprobe consumer');
    await kernel.call('consumer', 'subscribe');
    expect(await kernel.call('prober', 'grab')).toBe(2);
    expect(await kernel.call('holder', 'hold')).toBe('holding hello');
    expect(await kernel.run('call deferred-caller start')).toBe('"started"\n');
    await kernel.run('modprobe workload');
    await kernel.call('workload', 'start');

    await kernel.swap('kernel');
    // A call through a namespace, a callback handed over before the swap, a handle on an object and a stub kept from requestModule.
    expect(await kernel.call('swappy-user', 'bumpTwice')).toBe(2);
    expect(await kernel.call('provider', 'invokeRegistered')).toBe('consumer answered');
    expect(await kernel.call('prober', 'useObject')).toBe(3);
    expect(await kernel.call('prober', 'useStub')).toBe('provider greets prober');
    expect(await kernel.call('holder', 'greet')).toMatch(/holder/);
    expect(await kernel.run('rmmod hello')).toBe('rmmod: ERROR: Module hello is in use by: holder\n');
    // The call in flight since before the swap settles, and its counts with it.
    expect(await kernel.run('rmmod deferred')).toBe('rmmod: ERROR: Module deferred is in use\n');
    expect(await kernel.run('call deferred finish')).toBe('1\n');
    expect(await kernel.unloadGivesMemoryBack('deferred')).toBe(true);
    expect(await kernel.unloadGivesMemoryBack('deferred-caller')).toBe(true);
    // The workload's timers fire after the swap; one set before it is cleared after it by the id it was given then.
    await runUntil(kernel, 'call workload report', /"syncCalls":(?!30\b)/);
    await kernel.call('workload', 'stop');
    const stopped = (await report()).syncCalls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await report()).syncCalls).toBe(stopped);
    // An ordinary swap, a swap back, and unloads, after the kernel's.
    expect(await kernel.swap('swappy', '2.0.0')).toMatch(/^swap: swappy 1\.0\.0 -> 2\.0\.0: quiescent in /m);
    expect(await kernel.call('swappy-user', 'bumpTwice')).toBe(4);
    await kernel.call('holder', 'release');
    expect(await kernel.unloadGivesMemoryBack('holder')).toBe(true);
    expect(await kernel.unloadGivesMemoryBack('hello')).toBe(true);
    await kernel.run('modprobe hello');
    expect(await kernel.unloadGivesMemoryBack('hello')).toBe(true);
    await kernel.swap('kernel', '1.0.0');
    expect(await kernel.call('provider', 'invokeRegistered')).toBe('consumer answered');
    expect(await kernel.unloadGivesMemoryBack('consumer')).toBe(true);
    expect(await kernel.run('dmesg')).not.toMatch(/oops|zombie/);
  });

  it('swaps on a ramdisk the kernel had to walk (an archive appended, with an index of its own): the new core walks it again, silently, and reads the same index', async () => {
    const { initrd, result } = await buildInMemory();
    const records = result.modules.map(({ record }) => ({ ...record }));
    const hello = records.find((record) => record.name === 'hello')!;
    const newer: ModuleRecord = { ...hello, version: '9.0.0', path: modulePath('hello', '9.0.0') };
    hello.default = false;
    for (const record of [hello, newer]) record.signature = signRecord(record);
    const appended = writeCpio([
      { name: INDEX_LINES_PATH, data: new TextEncoder().encode(writeIndexLines([...records, newer], {})) },
      { name: newer.path, data: result.modules.find(({ record }) => record.name === 'hello')!.code },
    ]);
    kernel = await bootKernel({ tamper: (files) => void (files.initrd = new Uint8Array(Buffer.concat([initrd, new Uint8Array(512), appended]))) });
    const walked = /ramdisk: the index's offsets do not fit this archive/g;
    expect((await kernel.run('dmesg')).match(walked)).toHaveLength(1);
    await kernel.swap('kernel');
    // Only the appended index has hello 9.0.0, as the default: the new core found it by walking.
    expect(await kernel.run('modprobe hello; lsmod')).toMatch(/^hello +\d+/m);
    expect(await kernel.run('modinfo hello')).toMatch(/^version:\s+9\.0\.0$/m);
    expect((await kernel.run('dmesg')).match(walked)).toHaveLength(1);
  });

  it('refuses, changing nothing, a version the ramdisk does not have and the version running', async () => {
    kernel = await bootKernel();
    expect(await kernel.run('swap kernel 9.9.9')).toBe('swap: kernel: refused, nothing changed: version 9.9.9 of module kernel not found in the ramdisk\n');
    const before = await observed();
    expect(await kernel.run('swap kernel 1.0.0')).toBe('swap: kernel: refused, nothing changed: kernel is already at 1.0.0\n');
    expect(await observed()).toEqual(before);
  });

  it.each([
    ['a core that refuses the tables (another format version)', testKernel(replacing('TABLES_VERSION=1,', 'TABLES_VERSION=2,')), '',
      'kernel 1.2.0 could not take over from 1.0.0: kernel 1.2.0 reads tables of format keel-kernel-tables 2, not keel-kernel-tables 1'],
    ['a core whose takeOver throws', testKernel((code) => `${code}\nmodule.exports = { ...module.exports, takeOver() { throw new TypeError("no frame table"); } };`), '',
      'kernel 1.2.0 could not take over from 1.0.0: no frame table'],
    ['a core that cannot take over at all', testKernel((code) => `${code}\nmodule.exports = { start: module.exports.start };`), '',
      'kernel 1.2.0 has no takeOver: it cannot take over a running kernel'],
    ['a core whose top-level code throws', testKernel((code) => `${code}\nthrow new Error("broken at load");`), '',
      'the new version failed to load: kernel: broken at load'],
    ['a core whose bytes do not match its record', testKernel((code) => code, { edit: (record) => void (record.sha256 = '0'.repeat(64)) }), '',
      'the new version failed to load: lib/modules/kernel/1.2.0.js: sha256 does not match the index'],
    ['an unsigned core, under module.sig_enforce=1', testKernel((code) => code, { sign: false }), ' module.sig_enforce=1',
      'the new version failed to load: module verification failed: signature and/or required key missing'],
  ])('rolls back %s: the old core serves on with every table as it was', async (_case, change, cmdline, reason) => {
    kernel = await bootKernel({ cmdline: `init=shell quiet${cmdline}`, tamper: (files) => void (files.initrd = rewriteRamdisk(files.initrd, change)) });
    await kernel.run('modprobe workload');
    expect(await kernel.run('swap kernel 1.0.0')).toMatch(/already at 1\.0\.0/);
    const before = await observed();
    expect(await kernel.run('swap kernel 1.2.0')).toBe(`swap: kernel 1.0.0 -> 1.2.0: rolled back, kernel stays at 1.0.0: ${reason}\n`);
    expect(await observed()).toEqual(before);
    await kernel.call('workload', 'start');
    await kernel.call('workload', 'stop');
    expect(await kernel.call('workload', 'report')).toMatchObject({ wrongAnswers: 0, errors: 0 });
    // The old core is whole: it swaps to a good version as ever.
    expect(await kernel.swap('kernel', '1.1.0')).toMatch(SWAPPED);
    expect(await kernel.run('dmesg')).not.toMatch(/zombie/);
  });

  it('rolls back when the core does not become quiescent in swap.timeout: an async init still running', async () => {
    kernel = await bootKernel({ modules: [path.join(PROJECT_ROOT, 'test/fixtures/hostile-modules')], cmdline: 'init=shell quiet swap.timeout=20' });
    expect(await kernel.run('call async-init-stalled isReady')).toBe('call: async-init-stalled is not ready: its init has not finished\n');
    expect(await kernel.run('swap kernel 1.0.0')).toMatch(/already at 1\.0\.0/);
    const before = await observed();
    expect(await kernel.run('swap kernel')).toBe('swap: kernel 1.0.0 -> 1.1.0: rolled back, kernel stays at 1.0.0: the kernel is not quiescent after 20 ms: the init of async-init-stalled is still running\n');
    expect(await observed()).toEqual(before);
    expect(await kernel.run('modprobe hello; call hello greet \'"again"\'')).toMatch(/again/);
  });

  it('swaps 200 times under the workload: no wrong answers, frames exact, every old core reclaimed, no zombie, host bytecode bounded', async () => {
    kernel = await bootKernel();
    await kernel.run('modprobe workload');
    await kernel.call('workload', 'start');
    expect(await kernel.run('swap kernel 1.0.0')).toMatch(/already at 1\.0\.0/);
    const frames = await frameCounts(kernel);
    // The least one more core costs in host bytecode: its bundle compiled afresh and run, here on the host, kept while measured.
    const { result } = await buildInMemory();
    const bundle = Buffer.from(result.modules.find(({ record }) => record.name === 'kernel' && record.version === '1.1.0')!.code).toString('utf8');
    const beforeCopy = await settledBytecode();
    const copy = { exports: {} };
    new Function('require', 'module', 'exports', `${bundle}\n// a copy of its own`)(undefined, copy, copy.exports);
    const oneCore = getHeapCodeStatistics().bytecode_and_metadata_size - beforeCopy;
    expect(Object.keys(copy.exports)).toEqual(['start', 'takeOver']);
    for (let swap = 0; swap < 100; swap++) await kernel.swap('kernel', swap % 2 === 0 ? '1.1.0' : '1.0.0');
    // 100 more, measured: the first hundred warmed V8 up (the functions of both versions compiled
    // once as they first run, which goes on a while); a core kept per swap would add 100 cores' worth.
    const baseline = await settledBytecode();
    for (let swap = 0; swap < 100; swap++) await kernel.swap('kernel', swap % 2 === 0 ? '1.1.0' : '1.0.0');
    const growth = (await settledBytecode()) - baseline;
    console.log(`one more kernel core: at least ${oneCore} B of bytecode; over kernel swaps 101 to 200 the host grew ${growth} B`);
    expect(oneCore).toBeGreaterThan(5000);
    expect(growth).toBeLessThan(20 * oneCore);
    await kernel.call('workload', 'stop');
    expect(await kernel.call('workload', 'report')).toMatchObject({ wrongAnswers: 0, errors: 0 });
    expect(await frameCounts(kernel)).toEqual(frames);
    const reclaimed = (log: string) => (log.match(/keel: kernel 1\.[01]\.0: code reclaimed by the host/g) ?? []).length;
    const log = await runUntil(kernel, 'dmesg', { test: (output: string) => reclaimed(output) >= 200 } as RegExp);
    expect(reclaimed(log)).toBe(200);
    expect(log).not.toMatch(/zombie|oops/);
  });
});
