/*
 * Every zombie explained: each way docs/architecture.md lists of keeping replaced or unloaded
 * code alive, made on purpose by the z* fixtures, and the holder the kernel names for it — in
 * dmesg when the zombie is found, with the shell's `zombies` and the harness's zombieHolders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostDevice } from '../emulator/devices/host-device.ts';
import { runCli } from './cli-process.ts';
import { bootKernel, runUntil, WITH_FIXTURES, writeBuild, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const boot = async () => (kernel = await bootKernel({ build: WITH_FIXTURES }));
const zombieLine = (name: string) => runUntil(kernel!, 'dmesg', new RegExp(`keel: ${name} \\S+ is a zombie: .*`)).then((log) => new RegExp(`keel: ${name} \\S+ is a zombie: .*`).exec(log)![0]);

describe('the holder of a zombie, named in module terms', () => {
  it('a plain object with a function inside, kept by another module: dmesg, zombies and the harness name the module and the path', async () => {
    await boot();
    await kernel!.run('modprobe zholder 1.0.0');
    expect(await kernel!.call('zholder', 'keep', 'zvictim')).toBe(1);
    expect(await kernel!.run('rmmod zvictim')).toBe('');
    expect(await zombieLine('zvictim')).toBe('keel: zvictim 1.0.0 is a zombie: held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)');
    expect(await kernel!.run('lsmod')).toMatch(/^zvictim\s+0  - \[Zombie\]$/m);
    expect(await kernel!.zombieHolders('zvictim')).toEqual(['held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)']);
    // Asking takes a snapshot of the host's heap: the machine's frames are not touched.
    const frames = await kernel!.frames();
    const verbose = (await kernel!.run('zombies -v zvictim')).split('\n');
    expect(await kernel!.frames()).toEqual(frames);
    expect(verbose[0]).toBe('zvictim 1.0.0: held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)');
    // The whole path: from a root of the host's collector, through the kernel's table of zholder, to zholder's variable.
    expect(verbose.slice(1).join('\n')).toMatch(/^ {4}element \d+ -> synthetic \(GC roots\)\n[^]*\[the kernel, in its table of zholder 1\.0\.0\]\n[^]*context kept -> object Array\n {4}element 0 -> object Object\n {4}property callback -> function .* of zvictim 1\.0\.0 \(unloaded\)/);
  });

  it('a Map entry of the holder\'s state: named by its key', async () => {
    await boot();
    await kernel!.run('modprobe zholder');
    expect(await kernel!.call('zholder', 'file', 'zvictim', 'mine')).toBe(1);
    expect(await kernel!.run('rmmod zvictim')).toBe('');
    expect(await kernel!.zombieHolders('zvictim')).toEqual(['held by zholder 2.0.0: filed.get("mine").callback (a function of zvictim 1.0.0)']);
  });

  it('an old object kept raw after a swap (it came inside a plain object): the old version is held by the module that kept it', async () => {
    await boot();
    await kernel!.run('modprobe zstore 1.0.0; modprobe zholder');
    await kernel!.call('zholder', 'keep', 'zstore');
    await kernel!.swap('zstore', '2.0.0');
    expect(await zombieLine('zstore')).toBe('keel: zstore 1.0.0 is a zombie: held by zholder 2.0.0: kept[0].entry (an object of class Entry of zstore 1.0.0)');
    expect(await kernel!.zombieHolders('zstore')).toEqual(['held by zholder 2.0.0: kept[0].entry (an object of class Entry of zstore 1.0.0)']);
  });

  it.each([
    ['weakmap', /^held by zstate 2\.0\.0: state\.(key → \(its value in a WeakMap\)|byKey.*) \(an object of class Item of zstate 1\.0\.0\)$/],
    ['closure', /^held by zstate 2\.0\.0: state\.read \(a function of zstate 1\.0\.0\)$/],
  ])('an old object in a %s of the state the new version took over: held by the new version, through that place', async (place, holder) => {
    await boot();
    await kernel!.run('modprobe zstate 1.0.0');
    expect(await kernel!.call('zstate', 'hide', place)).toBe(place);
    await kernel!.swap('zstate', '2.0.0');
    expect(await zombieLine('zstate')).toMatch(/^keel: zstate 1\.0\.0 is a zombie: held by zstate 2\.0\.0: state/);
    expect(await kernel!.zombieHolders('zstate')).toEqual([expect.stringMatching(holder)]);
  });

  it('kernelInternals() kept across a kernel swap: the old core is held by the module that kept it', async () => {
    await boot();
    await kernel!.run('modprobe zinternals');
    await kernel!.call('zinternals', 'keep');
    expect(await kernel!.run('swap kernel')).toMatch(/^swap: kernel 1\.0\.0 -> 1\.1\.0/);
    expect(await zombieLine('kernel')).toBe('keel: kernel 1.0.0 is a zombie: held by zinternals 1.0.0: internals (an object of class Kernel of kernel 1.0.0)');
    await kernel!.call('zinternals', 'drop');
    expect(await kernel!.zombieHolders()).toEqual([]);
    await runUntil(kernel!, 'dmesg', /keel: kernel 1\.0\.0: zombie code reclaimed by the host/);
  });

  it('a stub handed on to a third module keeps only the PLT that made it: the module it came through leaves no zombie', async () => {
    await boot();
    await kernel!.run('modprobe zholder');
    await kernel!.call('zholder', 'keep', 'zrelay');
    expect(await kernel!.run('rmmod zrelay')).toBe('');
    expect(await kernel!.zombieHolders('zrelay')).toEqual([]);
    expect(await kernel!.run('dmesg')).toMatch(/keel: zrelay 1\.0\.0: code reclaimed by the host/);
  });
});

describe('when the snapshot is taken', () => {
  it('never on the normal path: unloads and swaps whose code is collected take none, nor does asking with no zombie; a zombie found takes one', async () => {
    const snapshots = vi.spyOn(hostDevice, 'heapRetainers');
    try {
      await boot();
      await kernel!.run('modprobe kv; modprobe zstore 1.0.0');
      await kernel!.swap('kv');
      await kernel!.swap('zstore', '2.0.0');
      expect(await kernel!.run('rmmod kv; rmmod zstore')).toBe('');
      // Asked with no zombie, the kernel has nothing to look for either.
      expect(await kernel!.zombieHolders()).toEqual([]);
      const log = await kernel!.run('dmesg');
      expect(log).toMatch(/keel: zstore 1\.0\.0: code reclaimed by the host/);
      expect(log).toMatch(/keel: zstore 2\.0\.0: code reclaimed by the host/);
      expect(snapshots).not.toHaveBeenCalled();
      await kernel!.run('modprobe zholder');
      await kernel!.call('zholder', 'keep', 'zvictim');
      await kernel!.run('rmmod zvictim');
      await zombieLine('zvictim');
      expect(snapshots).toHaveBeenCalledTimes(1);
    } finally {
      snapshots.mockRestore();
    }
  });

  it('reclaim.explain=0: a zombie found takes no snapshot and says so; the zombies command still names its holder', async () => {
    const snapshots = vi.spyOn(hostDevice, 'heapRetainers');
    try {
      kernel = await bootKernel({ build: WITH_FIXTURES, cmdline: 'init=shell quiet reclaim.explain=0' });
      expect(await kernel.run('dmesg')).not.toMatch(/Unknown kernel command line parameters/);
      await kernel.run('modprobe zholder 1.0.0');
      await kernel.call('zholder', 'keep', 'zvictim');
      await kernel.run('rmmod zvictim');
      expect(await zombieLine('zvictim')).toBe('keel: zvictim 1.0.0 is a zombie: holder not looked for (reclaim.explain=0: the zombies command names it)');
      expect(await kernel.run('lsmod')).toMatch(/^zvictim\s+0  - \[Zombie\]$/m);
      expect(snapshots).not.toHaveBeenCalled();
      expect(await kernel.zombieHolders('zvictim')).toEqual(['held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)']);
      expect(snapshots).toHaveBeenCalledTimes(1);
    } finally {
      snapshots.mockRestore();
    }
  });
});

describe('holders that are no module', () => {
  it.each([
    // The kernel's code that arms the module's timer on the machine closes over it.
    ['inKernelTimer', /^held by the kernel 1\.0\.0: timer\.callback \(a function of zvictim 1\.0\.0\)$/],
    ['inKernelTables', /^held by the kernel 1\.0\.0 \(its core\): badParams \(a Set entry\) \(a function of zvictim 1\.0\.0\)$/],
    ['inDevice', /^held by the host \(device-checks\.ts\): callback \(a function of zvictim 1\.0\.0\)$/],
  ])('%s: the kernel, or the host, is named, and what of it', async (place, holder) => {
    await boot();
    await kernel!.call('zdevice', place, 'zvictim');
    expect(await kernel!.run('rmmod zvictim')).toBe('');
    expect(await kernel!.zombieHolders('zvictim')).toEqual([expect.stringMatching(holder)]);
  });
});

describe('the zombies command', () => {
  it('prints nothing without a zombie, and refuses what it does not take in one line', async () => {
    await boot();
    expect(await kernel!.run('zombies -w; zombies kv')).toBe('');
    expect(await kernel!.run('zombies -x')).toBe("zombies: invalid option -- 'x'\n");
    expect(await kernel!.run('zombies kv hello')).toMatch(/^zombies: .*usage: zombies \[-vw\] \[NAME\]/);
  });
});

describe('holders that change', () => {
  it('a chain through two modules: the module that keeps the first one\'s function holds both, the path through the first', async () => {
    await boot();
    await kernel!.run('modprobe zholder');
    await kernel!.call('zholder', 'keep', 'zmiddle');
    expect(await kernel!.run('rmmod zmiddle; rmmod zvictim')).toBe('');
    expect(await kernel!.zombieHolders()).toEqual([
      'held by zholder 2.0.0: kept[0].run (a function of zmiddle 1.0.0)',
      'held by zholder 2.0.0: kept[0].run (a function of zmiddle 1.0.0 (unloaded)) → inner.callback (a function of zvictim 1.0.0)',
    ]);
  });

  it('a holder swapped later: the new version, which took the kept list over, is named', async () => {
    await boot();
    await kernel!.run('modprobe zholder 1.0.0');
    await kernel!.call('zholder', 'keep', 'zvictim');
    await kernel!.run('rmmod zvictim');
    expect(await zombieLine('zvictim')).toMatch(/held by zholder 1\.0\.0: kept\[0\]\.callback/);
    await kernel!.swap('zholder', '2.0.0');
    expect(await kernel!.zombieHolders('zvictim')).toEqual(['held by zholder 2.0.0: kept[0].callback (a function of zvictim 1.0.0)']);
    // zholder 1.0.0's own code is not held by what it kept: it is collected.
    expect(await kernel!.zombieHolders('zholder')).toEqual([]);
  });

  it('a burst of zombies (swaps back and forth, each old version kept): every one named, each by the element that keeps it', async () => {
    await boot();
    await kernel!.run('modprobe zstore 1.0.0; modprobe zholder');
    for (const version of ['2.0.0', '1.0.0', '2.0.0', '1.0.0']) {
      await kernel!.call('zholder', 'keep', 'zstore');
      await kernel!.swap('zstore', version);
    }
    const holders = await kernel!.zombieHolders('zstore');
    expect(holders.sort()).toEqual([0, 1, 2, 3].map((index) => `held by zholder 2.0.0: kept[${index}].entry (an object of class Entry of zstore ${index % 2 === 0 ? '1.0.0' : '2.0.0'})`));
    expect((await kernel!.run('dmesg')).match(/keel: zstore \S+ is a zombie: held by zholder 2\.0\.0: kept\[\d\]\.entry/g)).toHaveLength(4);
  });

  it('a holder that lets go: the code is collected, dmesg says so and lsmod no longer lists it', async () => {
    await boot();
    await kernel!.run('modprobe zholder');
    await kernel!.call('zholder', 'keep', 'zvictim');
    await kernel!.run('rmmod zvictim');
    await zombieLine('zvictim');
    await kernel!.call('zholder', 'drop');
    // Asking again takes a snapshot, which collects: the zombie's finalizers run after it.
    await kernel!.zombieHolders();
    await runUntil(kernel!, 'dmesg', /keel: zvictim 1\.0\.0: zombie code reclaimed by the host/);
    expect(await kernel!.run('lsmod')).not.toMatch(/zvictim/);
    expect(await kernel!.zombieHolders()).toEqual([]);
  });
});

describe('in the machine thread (npm run boot)', () => {
  it('the snapshot is the worker\'s own: dmesg names the holder, zombies -v shows the whole path', async () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), 'keel-zombie-holders-'));
    await writeBuild(dist, WITH_FIXTURES);
    const run = runCli(['--dist', dist, '--exec', `modprobe zholder 1.0.0; call zholder keep '"zvictim"'; rmmod zvictim; zombies -w -v; dmesg | grep zombie`]);
    rmSync(dist, { recursive: true, force: true });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^zvictim 1\.0\.0: held by zholder 1\.0\.0: kept\[0\]\.callback \(a function of zvictim 1\.0\.0\)\n {4}element \d+ -> synthetic \(GC roots\)\n/m);
    expect(run.stdout).toMatch(/^\[ *[\d.]+\] keel: zvictim 1\.0\.0 is a zombie: held by zholder 1\.0\.0: kept\[0\]\.callback \(a function of zvictim 1\.0\.0\)$/m);
    expect(run.status).toBe(0);
  });
});
