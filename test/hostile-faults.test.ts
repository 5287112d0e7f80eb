/*
 * Faults a module makes in async code, values that fight back, and what a module does to
 * itself during its own load, swap or unload (test/fixtures/hostile-modules). Each is an oops
 * or one clear line; the module is unloaded or kept by the rule a synchronous fault follows;
 * the kernel runs on, with frames and lsmod exact.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { bootKernel, frameCounts, runUntil, type TestKernel } from './harness.ts';

const HOSTILE_MODULES = path.join(PROJECT_ROOT, 'test/fixtures/hostile-modules');
const boot = (cmdline?: string) => bootKernel({ modules: [HOSTILE_MODULES], cmdline });
/** The swap's one line, for a swap that rolls back (the harness's kernel.swap throws then). */
const swapLine = async (kernel: TestKernel, name: string, version: string) => (await kernel.run(`swap ${name} ${version}`)).trimEnd();
const names = async (kernel: TestKernel) => (await kernel.run('lsmod')).split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);

describe('faults in async code are oopses, never a panic', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await boot();
    await kernel.run('modprobe hostile');
  });
  afterAll(() => kernel.halt());

  it('an async timer callback that rejects: an oops naming the module and the timer, on the console', async () => {
    await kernel.run('call hostile timerRejects');
    await runUntil(kernel, 'dmesg', /keel: oops in hostile\.timer: rejected in an async timer/);
    expect(kernel.console).toMatch(/keel: oops in hostile\.timer: rejected in an async timer/);
    expect(await kernel.run('echo on')).toBe('on\n');
  });

  it('a rejection nobody handles: an oops naming the module its error came from', async () => {
    expect(await kernel.run('call hostile bareReject')).toBe('"rejected"\n');
    await runUntil(kernel, 'dmesg', /keel: oops in hostile: unhandled promise rejection: nobody handles this rejection/);
  });

  it('a bare Promise.reject() with no reason at all: an oops all the same', async () => {
    expect(await kernel.run('call hostile bareRejectNothing')).toBe('"rejected"\n');
    await runUntil(kernel, 'dmesg', /keel: oops: unhandled promise rejection: undefined/);
    expect(await kernel.run('echo on')).toBe('on\n');
  });

  it.each([
    ['throwUntouchable', 'call: Error: hostile.throwUntouchable threw a value that cannot be read', 'a value that cannot be read'],
    ['throwWithBadMessage', 'call: Error: hostile.throwWithBadMessage threw a value that cannot be read', 'a value that cannot be read'],
    ['returnUntouchable', 'call: Error: hostile.returnUntouchable returned a value that cannot be read', 'hostile.returnUntouchable returned a value that cannot be read'],
    ['rejectUntouchable', 'call: Error: hostile.rejectUntouchable threw a value that cannot be read', 'a value that cannot be read'],
  ])('%s: one line for the caller, the oops logged, the shell running', async (symbol, line, oops) => {
    expect(await kernel.run(`call hostile ${symbol}`)).toBe(`${line}\n`);
    expect(await kernel.run('dmesg')).toContain(`keel: oops in hostile.${symbol}: ${oops}`);
    expect(await kernel.run('echo on')).toBe('on\n');
  });

  it("a promise whose own `then` throws is still answered, and leaves no call counted in flight", async () => {
    expect(await kernel.run('call hostile promiseWithBadThen')).toBe('"answered anyway"\n');
    expect(await kernel.run('call hostile subclassWithBadThen')).toBe('call: Error: rude then\n');
    const other = await boot();
    try {
      await other.run('call hostile promiseWithBadThen; call hostile subclassWithBadThen');
      expect(await other.run('rmmod hostile')).toBe('');
    } finally {
      await other.halt();
    }
  });
});

describe('an async init or exit', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await boot();
  });
  afterAll(() => kernel.halt());

  it('an init that rejects after its first await fails the load like a throw: one line, an oops, nothing kept', async () => {
    const [lsmod, frames] = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await kernel.run('modprobe async-init-fails')).toBe("modprobe: ERROR: could not insert 'async-init-fails': async-init-fails: init failed: failed after an await\n");
    expect(await kernel.run('dmesg')).toMatch(/keel: oops in async-init-fails\.init: failed after an await/);
    expect([await kernel.run('lsmod'), await frameCounts(kernel)]).toEqual([lsmod, frames]);
  });

  it('a module whose async init has not finished is Loading: modprobe waits for it, rmmod, swap and calls are refused meanwhile', async () => {
    const output = await kernel.run('call async-init-slow isReady; rmmod async-init-slow; swap async-init-slow');
    expect(output).toBe(
      [
        'call: async-init-slow is not ready: its init has not finished',
        'rmmod: ERROR: Module async-init-slow is still loading: its init has not finished',
        'swap: async-init-slow: refused, nothing changed: async-init-slow is still loading: its init has not finished',
        '',
      ].join('\n'),
    );
    expect(await kernel.run('modprobe async-init-slow; call async-init-slow isReady')).toBe('true\n');
    expect(await kernel.unloadGivesMemoryBack('async-init-slow')).toBe(true);
  });

  it('an exit that rejects: said once, and the module is unloaded anyway', async () => {
    const frames = await frameCounts(kernel);
    await kernel.run('modprobe async-exit-fails');
    expect(await kernel.run('rmmod async-exit-fails')).toMatch(/^(\[\s*[\d.]+\] keel: async-exit-fails: exit failed \(exit failed after an await\), unloaded anyway\n)?$/);
    await runUntil(kernel, 'dmesg', /keel: async-exit-fails: exit failed \(exit failed after an await\), unloaded anyway/);
    expect((await kernel.run('dmesg')).match(/exit failed after an await/g)).toHaveLength(1);
    expect(await names(kernel)).not.toContain('async-exit-fails');
    expect(await frameCounts(kernel)).toEqual(frames);
  });
});

describe('what a module does to itself while it loads', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await boot();
  });
  afterAll(() => kernel.halt());

  it('unloading itself from its own init is refused; it then loads, owns what it allocates, and unloads cleanly', async () => {
    await kernel.run('modprobe self-unloader');
    expect(await kernel.run('call self-unloader whatItWasTold')).toBe('"ModuleError: Module self-unloader is still loading: its init has not finished"\n');
    expect(await kernel.run('call self-unloader allocate')).toBe('4096\n');
    expect(await kernel.run('lsmod')).toMatch(/^self-unloader\s+8192  0$/m);
    expect(await kernel.unloadGivesMemoryBack('self-unloader')).toBe(true);
  });

  it('a failed init gives back what it requested (hello was loaded for it) and what it allocated', async () => {
    const [lsmod, frames] = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await kernel.run('modprobe greedy-init')).toBe("modprobe: ERROR: could not insert 'greedy-init': greedy-init: init failed: greedy init gives up\n");
    expect([await kernel.run('lsmod'), await frameCounts(kernel)]).toEqual([lsmod, frames]);
    expect(await kernel.run('dmesg')).toMatch(/keel: unloaded hello 1\.0\.0: it was loaded for greedy-init 1\.0\.0, which failed to load/);
  });

  it('init, exit and the state hooks are the kernel\'s to call, through no namespace', async () => {
    await kernel.run('modprobe kv; call kv set colour blue');
    expect(await kernel.run('call kv exit; call kv init; call kv exportState; call kv importState; call rootfs init')).toBe(
      ['call: kv has no function exit', 'call: kv has no function init', 'call: kv has no function exportState', 'call: kv has no function importState', 'call: rootfs has no function init', ''].join('\n'),
    );
    expect(await kernel.run('call kv get colour')).toBe('"blue"\n');
  });
});

describe('what a new version does during its own swap', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await boot();
    await kernel.run('modprobe swap-faults; call swap-faults bump; call swap-faults bump; modprobe swap');
  });
  afterAll(() => kernel.halt());

  it('an async importState rolls the swap back; the old version serves on with its state', async () => {
    expect(await swapLine(kernel, 'swap-faults', '2.0.0')).toBe(
      'swap: swap-faults 1.0.0 -> 2.0.0: rolled back, swap-faults stays at 1.0.0: 2.0.0 refused the state of 1.0.0 (format 1): 2.0.0 importState returned a promise: state hooks must be synchronous (the switch is one synchronous step)',
    );
    expect(await kernel.run('call swap-faults version; call swap-faults value')).toBe('"1.0.0"\n2\n');
  });

  it('requesting its own module from its init is refused, so it never becomes its own user', async () => {
    expect(await kernel.swap('swap-faults', '5.0.0')).toMatch(/^swap: swap-faults 1\.0\.0 -> 5\.0\.0: quiescent/);
    expect(await kernel.run('call swap-faults whatInitWasTold')).toBe('"ModuleError: swap-faults cannot request itself"\n');
    expect(await kernel.run('lsmod')).toMatch(/^swap-faults\s+4096  0$/m);
  });

  it('unloading the module it is to replace is refused while the swap is under way', async () => {
    expect(await kernel.swap('swap-faults', '6.0.0')).toMatch(/^swap: swap-faults 5\.0\.0 -> 6\.0\.0: quiescent/);
    expect(await kernel.run('call swap-faults whatInitWasTold; call swap-faults value')).toBe('"ModuleError: Module swap-faults is in use: it is being swapped"\n2\n');
  });

  it('a rolled-back swap gives back what the new version\'s init took: hello, which it requested, and its frame', async () => {
    const [lsmod, frames] = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await swapLine(kernel, 'swap-faults', '7.0.0')).toBe('swap: swap-faults 6.0.0 -> 7.0.0: rolled back, swap-faults stays at 6.0.0: the new version failed to load: swap-faults: init failed: 7.0.0 gives up in its init');
    expect([await kernel.run('lsmod'), await frameCounts(kernel)]).toEqual([lsmod, frames]);
    expect(await kernel.run('dmesg')).toMatch(/keel: unloaded hello 1\.0\.0: it was loaded for swap-faults 7\.0\.0, which failed to load/);
  });

  it('an async exportState rolls back every swap away from that version', async () => {
    expect(await kernel.swap('swap-faults', '4.0.0')).toMatch(/^swap: swap-faults 6\.0\.0 -> 4\.0\.0: quiescent/);
    expect(await swapLine(kernel, 'swap-faults', '1.0.0')).toBe(
      'swap: swap-faults 4.0.0 -> 1.0.0: rolled back, swap-faults stays at 4.0.0: 4.0.0 exportState returned a promise: state hooks must be synchronous (the switch is one synchronous step)',
    );
    expect(await kernel.run('call swap-faults value')).toBe('2\n');
    expect(await kernel.unloadGivesMemoryBack('swap-faults')).toBe(true);
  });
});

describe('a module given back while its async init runs (found by npm run sim)', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await boot();
    await kernel.run('modprobe swap-faults; call swap-faults bump; modprobe swap');
  });
  afterAll(() => kernel.halt());

  /** Lets async-init-late's init and the work it leaves behind run out, then reads what they did. */
  const afterTheInit = async () => {
    await kernel.run('echo settled');
    return [await kernel.run('lsmod'), await frameCounts(kernel), await kernel.run('dmesg')] as const;
  };

  it('staging cannot wait for a new dependency\'s async init: the swap rolls back, and the dependency stays gone once its init finishes', async () => {
    const [lsmod, frames] = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await swapLine(kernel, 'swap-faults', '8.0.0')).toBe(
      'swap: swap-faults 1.0.0 -> 8.0.0: rolled back, swap-faults stays at 1.0.0: the new version failed to load: async-init-late is not ready: its init has not finished',
    );
    const [lsmodAfter, framesAfter, dmesg] = await afterTheInit();
    // It was marked Live when its init finished, out of every table: its later kalloc took a frame nobody owns.
    expect([lsmodAfter, framesAfter]).toEqual([lsmod, frames]);
    expect(dmesg).toContain('keel: async-init-late: given back before its init finished');
    expect(dmesg).not.toContain('keel: loaded async-init-late');
    expect(await kernel.run('call swap-faults value')).toBe('1\n');
  });

  it('an init that fails while a module it requested is still loading gives that module back for good', async () => {
    const [lsmod, frames] = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await kernel.run('modprobe impatient-init')).toBe(
      "modprobe: ERROR: could not insert 'impatient-init': impatient-init: init failed: async-init-late is not ready: its init has not finished\n",
    );
    const [lsmodAfter, framesAfter, dmesg] = await afterTheInit();
    expect([lsmodAfter, framesAfter]).toEqual([lsmod, frames]);
    expect(dmesg.match(/keel: async-init-late: given back before its init finished/g)).toHaveLength(2);
    expect(dmesg).not.toContain('keel: loaded async-init-late');
  });

  it('loaded on its own, the same module finishes its init and keeps what its later work took', async () => {
    await kernel.run('modprobe async-init-late');
    const [lsmod] = await afterTheInit();
    expect(lsmod).toMatch(/^async-init-late\s+8192  0$/m);
    expect(await kernel.unloadGivesMemoryBack('async-init-late')).toBe(true);
  });
});

describe('values that cross a boundary without a stub today', () => {
  it('a thrown function, kept by the catcher, is a stub: after its module is unloaded it refuses to run', async () => {
    const kernel = await boot();
    try {
      expect(await kernel.run('call hostile-keeper catchFunction')).toBe('"function"\n');
      expect(await kernel.run('rmmod hostile')).toBe('');
      expect(await kernel.run('call hostile-keeper callKeptFunction')).toBe('call: ModuleUnloadedError: hostile.thrownByHostile: module hostile was unloaded\n');
      await runUntil(kernel, 'dmesg', /keel: hostile 1\.0\.0: code reclaimed by the host/);
    } finally {
      await kernel.halt();
    }
  });

  it('`this` of a call crosses as a handle: kept past its module\'s unload, it runs nothing of that module', async () => {
    const kernel = await boot();
    try {
      expect(await kernel.run('call hostile-keeper giveThis')).toBe('"object"\n');
      expect(await kernel.run('call hostile pokeThis')).toBe('"hostile-keeper code ran"\n');
      expect(await kernel.run('rmmod hostile-keeper')).toBe('');
      expect(await kernel.run('call hostile pokeThis')).toBe('call: ModuleUnloadedError: hostile-keeper.Described.describe: module hostile-keeper was unloaded\n');
    } finally {
      await kernel.halt();
    }
  });
});

describe('a module that holds user data', () => {
  it('rootfs with files in /tmp is in use: autoclean passes over it and rmmod says why, so no file is lost', async () => {
    const kernel = await boot('init=shell quiet autoclean=1');
    try {
      await kernel.run('echo keep me > /tmp/note; call hello greet marker');
      expect(await kernel.run('rmmod rootfs')).toBe('rmmod: ERROR: Module rootfs is in use: /tmp holds files that would be lost\n');
      expect(await kernel.run('lsmod')).toMatch(/^rootfs\s+\d+  1$/m);
      // hello, idle as long as rootfs, going shows that autoclean has looked at both.
      await runUntil(kernel, 'dmesg', /kerneld: autoclean unloaded hello/);
      expect(await names(kernel)).toContain('rootfs');
      expect(await kernel.run('cat /tmp/note')).toBe('keep me\n');
    } finally {
      await kernel.halt();
    }
  });
});
