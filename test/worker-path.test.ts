/*
 * Hostile modules and bad input on the path users run: the machine in a worker thread, booted
 * by `npm run boot -- --exec` (test/both-paths.ts). Each case of docs/bad-input.md that
 * concerns a running machine is run here through that path and in-process, in one boot per
 * path, and must print the same on both; the cases whose line comes from the host — unhandled
 * rejections, above all, which the worker's own listener once turned into a kernel panic —
 * are checked for their line as well. The session ends at its last command with the shell
 * answering: no case panicked the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { runOnBothPaths, type BothPaths, type PathCase } from './both-paths.ts';

const BUILD = { moduleDirs: ['modules', 'test/fixtures/modules', 'test/fixtures/hostile-modules'].map((folder) => path.join(PROJECT_ROOT, folder)) };

const MISUSES = [
  'kalloc-string', 'kalloc-valueof', 'kalloc-negative', 'kalloc-fraction', 'kalloc-nan', 'kalloc-huge', 'kfree-foreign', 'kfree-twice', 'kfree-subarray',
  'consoleWrite-number', 'printk-object', 'printk-level', 'halt-256', 'halt-fraction', 'halt-string', 'setTimer-overflow', 'setTimer-text', 'setTimer-negative',
  'setTimer-nan', 'clearTimer-text', 'param-number', 'numberParam-fallback', 'loadModule-number', 'unloadModule-object', 'requestModule-null',
  'releaseModule-number', 'keepLoaded-number', 'device-console', 'device-halt', 'device-halt-fraction', 'device-timer', 'device-timer-text', 'device-sha256',
  'device-watchdog', 'device-unmap-memory', 'device-unmap-other',
];

/** Unhandled rejections of every shape, and the oops line each must be (the same on both paths). */
const REJECTIONS: Array<[name: string, commands: string, oops: string]> = [
  ['bare rejection', 'call probe-async bareRejection', 'keel: oops in probe-async: unhandled promise rejection: nobody handles this'],
  ['rejection in a timer', 'call probe-async timerRejection', 'keel: oops in probe-async: unhandled promise rejection: rejected in a timer'],
  ['rejection in a then callback', 'call probe-async thenRejection', 'keel: oops in probe-async: unhandled promise rejection: thrown in a then callback'],
  ['async function nobody awaits', 'call probe-async asyncFunctionRejection', 'keel: oops in probe-async: unhandled promise rejection: an async function nobody awaits'],
  ['a number as the reason', 'call probe-async numberRejection', 'keel: oops: unhandled promise rejection: 42'],
  ['an object as the reason', 'call probe-async objectRejection', 'keel: oops: unhandled promise rejection: {"code":"EPROBE"}'],
  ['a rejection of the kernel', 'call probe-async kernelRejection', 'keel: oops in probe-async: unhandled promise rejection: module nosuch not found in the ramdisk'],
  ['a rejection after the unload', 'call probe-async armAfterUnload; rmmod probe-async; lsmod | grep -c probe-async', 'keel: oops in probe-async: unhandled promise rejection: rejected after its module was unloaded'],
  ['hostile bare rejection', 'call hostile bareReject', 'keel: oops in hostile: unhandled promise rejection: nobody handles this rejection'],
  ['no reason at all', 'call hostile bareRejectNothing', 'keel: oops: unhandled promise rejection: undefined'],
  ['an async timer callback', 'call hostile timerRejects', 'keel: oops in hostile.timer: rejected in an async timer'],
];

const CASES: PathCase[] = [
  ...REJECTIONS.map(([name, commands]) => ({ name, commands, settle: true })),
  ...MISUSES.map((which) => ({ name: `misuse ${which}`, commands: `call hostile misuse ${which}` })),
  { name: 'kalloc reach', commands: 'call hostile blockReach; call hostile afterFree' },
  ...['throwUntouchable', 'throwWithBadMessage', 'returnUntouchable', 'rejectUntouchable', 'promiseWithBadThen', 'subclassWithBadThen'].map((symbol) => ({
    name: `values that fight back: ${symbol}`,
    commands: `call hostile ${symbol}; dmesg | grep -c "oops in hostile.${symbol}"`,
  })),
  { name: 'a thrown function kept', commands: 'call hostile-keeper catchFunction; rmmod hostile; call hostile-keeper callKeptFunction' },
  { name: 'oops in a call', commands: 'call crasher crash; call crasher crashLater; dmesg | grep -c "oops in crasher"' },
  { name: 'oops in a timer', commands: 'call crasher crashInTimer', settle: true },
  { name: 'async init that rejects', commands: 'modprobe async-init-fails; lsmod | grep -c async-init-fails' },
  { name: 'async init not finished', commands: 'call async-init-slow isReady; rmmod async-init-slow; swap async-init-slow; modprobe async-init-slow; call async-init-slow isReady; rmmod async-init-slow' },
  { name: 'async exit that rejects', commands: 'modprobe async-exit-fails; rmmod async-exit-fails', settle: true },
  { name: 'init that unloads itself', commands: 'modprobe self-unloader; call self-unloader whatItWasTold; call self-unloader allocate; rmmod self-unloader' },
  { name: 'init that gives up', commands: 'modprobe greedy-init; lsmod | grep -c hello' },
  { name: "the kernel's hooks", commands: 'call kv exit; call kv init; call kv exportState; call kv importState; call rootfs init' },
  {
    name: 'what a new version does during its swap',
    commands: 'modprobe swap-faults; call swap-faults bump; modprobe swap; swap swap-faults 2.0.0; swap swap-faults 5.0.0; call swap-faults whatInitWasTold; swap swap-faults 6.0.0; call swap-faults whatInitWasTold; swap swap-faults 7.0.0; swap swap-faults 4.0.0; swap swap-faults 1.0.0; call swap-faults value',
  },
  { name: 'staging cannot wait', commands: 'swap swap-faults 8.0.0; modprobe impatient-init', settle: true },
  { name: 'stale references', commands: 'modprobe consumer; call consumer subscribe; call provider invokeRegistered; rmmod provider; rmmod consumer; call provider invokeRegistered; call prober grab; rmmod provider; call prober useStub; call prober useObject' },
  { name: 'rmmod refusals', commands: 'rmmod hello; rmmod nosuch; rmmod kernel; modprobe -r kernel; rmmod shell; modprobe chain-top; modprobe -r chain-middle' },
  {
    name: 'swap failures',
    commands: 'modprobe swappy-user; call swappy-user bumpTwice; swap swappy 3.0.0; swap swappy 4.0.0; swap swappy 6.0.0; swap swappy 5.0.0; call swappy swapMyself; swap kv 9.9.9; swap nosuch; modprobe kv; swap kv 1.0.0; call swappy version',
  },
  { name: 'objects a new version cannot take', commands: 'modprobe tallies; call tallies open; call tallies addToAll; call tallies open; swap tallies 2.0.0; swap tallies 3.0.0; call tallies addToAll' },
  { name: 'kernel swap refusals', commands: 'swap kernel 9.9.9; swap kernel 1.0.0; rmmod kernel' },
  { name: 'sandbox escapes', commands: 'call escaper attempts; call escaper importAttempt' },
  { name: 'escape sequences in the log', commands: 'call evil-text logEscape; call evil-text writeEvilFile; cat /tmp/evil' },
  { name: 'results that cannot be printed', commands: 'call printables loop; call printables big; call kv nosuch; call nosuch x' },
  { name: 'a result too large to print', commands: 'call probe-heap bigResult 20 | wc -c' },
  { name: 'shell refusals', commands: 'frobnicate; modprobe nosuch; rmmod -f kv; modinfo -F; ls -l /; grep -q x; lsmod extra; modinfo; head -n x /etc/modules' },
  { name: 'files', commands: 'echo x > /etc/modules; echo x > /tmp/../etc/modules; echo x > /tmp/; cat /nonexistent; cat /proc; cat /etc/modules/x; ls /nonexistent; cat /nosuch | wc -l' },
  { name: 'module names and versions', commands: 'modprobe hello 9.9.9; modprobe hello kv; modinfo kv 9.9.9; insmod /lib/modules/nosuch/1.0.0.js; insmod /lib/modules/consumer/1.0.0.js; insmod' },
];

const dist = mkdtempSync(path.join(os.tmpdir(), 'keel-worker-path-'));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('every running-machine case, in a worker thread as in-process', () => {
  let paths: BothPaths;
  beforeAll(async () => {
    paths = await runOnBothPaths(CASES, { boot: { build: BUILD }, dist });
  });

  it('runs every case to its end on both paths: no panic, nothing on stderr, the shell answers after the last', () => {
    expect([...paths.worker.keys()]).toEqual([...CASES.map((entry) => entry.name), 'end']);
    expect([...paths.inProcess.keys()]).toEqual([...paths.worker.keys()]);
    expect(paths.run.stdout).not.toContain('Kernel panic');
    expect(paths.run.stderr).toBe('');
    // Some cases fail on purpose: a failed command, not a panic (2).
    expect(paths.run.status).toBe(1);
  });

  it.each(CASES.map((entry) => [entry.name]))('%s: the same lines on both paths', (name) => {
    expect(paths.worker.get(name)).toBeDefined();
    expect(paths.worker.get(name)).toEqual(paths.inProcess.get(name));
  });

  it.each(REJECTIONS)('an unhandled rejection (%s) is one oops line through the worker, not a panic', (name, _commands, oops) => {
    expect(paths.worker.get(name)).toContain(`[time] ${oops}`);
    expect(paths.worker.get(name)!.filter((line) => line.includes('oops'))).toHaveLength(1);
  });
});
