/*
 * Ctrl-C on a command that waits, in-process: what the abandoned call leaves behind. The shell
 * holds nothing after it (lsmod, rmmod), the calls stop counting as in flight (swap, swap kernel,
 * rmmod), the rest of the line does not run, and a result that comes later is dropped with a
 * line in dmesg — never printed, never counted twice — however many calls were abandoned.
 * The same through a real terminal: test/terminal.test.ts and test/cli.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bootKernel, runUntil, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel;
afterEach(() => kernel?.halt());

/** Types `line`, lets its command start, then Ctrl-C; resolves with what it printed before the next prompt. */
async function abandon(line: string): Promise<string> {
  const printed = kernel.run(line);
  await new Promise((resolve) => setImmediate(resolve));
  kernel.machine.console.interrupt();
  return printed;
}

/** The reclaim monitor's verdict on `name`'s unloaded code, from dmesg: reclaimed, or a zombie (with what holds it). */
async function reclaimCheck(name: string): Promise<string> {
  const verdict = new RegExp(`${name} \\S+(: code reclaimed by the host| is a zombie: .*)`);
  return verdict.exec(await runUntil(kernel, 'dmesg', verdict))![0];
}

const DROPPED = /keel: deferred\.wait returned after shell abandoned the call: result dropped/g;

describe('a call abandoned with Ctrl-C', () => {
  it('leaves the shell holding nothing: rmmod unloads the callee, gives its frames back, and its code is reclaimed', async () => {
    kernel = await bootKernel();
    expect(await abandon('call kv getLater a 600000')).toBe('');
    expect(await kernel.run('lsmod | grep ^kv')).toMatch(/^kv\s+\d+\s+0\s*$/);
    expect(await kernel.unloadGivesMemoryBack('kv')).toBe(true);
    // The promise kv never settles (its timer went with it) holds nothing of kv's for the host.
    expect(await reclaimCheck('kv')).toMatch(/kv \S+: code reclaimed by the host/);
  });

  it('does not keep the callee from being swapped', async () => {
    kernel = await bootKernel();
    await abandon('call kv getLater a 600000');
    expect(await kernel.swap('kv')).toMatch(/^swap: kv \S+ -> \S+: quiescent in /);
    expect(await kernel.call('kv', 'set', 'colour', 'blue')).toBeUndefined();
    expect(await kernel.call('kv', 'getLater', 'colour', 1)).toBe('blue');
  });

  it('does not keep the kernel from being swapped, and its late result is dropped by the new core', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    await abandon('call deferred wait');
    expect(await kernel.run('swap kernel')).toMatch(/^swap: kernel \S+ -> \S+: quiescent in /);
    expect(await kernel.run('call deferred finish')).toBe('1\n');
    expect((await kernel.run('dmesg')).match(DROPPED)).toHaveLength(1);
    expect(await kernel.unloadGivesMemoryBack('deferred')).toBe(true);
  });

  it('drops a result that comes later: not printed, one line in dmesg, and the rest of the line never runs', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    expect(await abandon('call deferred wait; echo after')).toBe('');
    expect(await kernel.run('call deferred finish')).toBe('1\n');
    expect(await kernel.run('echo next')).toBe('next\n');
    expect(kernel.console).not.toContain('"finished"');
    expect(kernel.console).not.toMatch(/^after$/m);
    expect((await kernel.run('dmesg')).match(DROPPED)).toHaveLength(1);
    // Nothing was counted twice: a call made now waits and settles as any other.
    expect(await kernel.run('call deferred-caller start')).toBe('"started"\n');
    expect(await kernel.run('rmmod deferred')).toBe('rmmod: ERROR: Module deferred is in use\n');
    expect(await kernel.run('call deferred finish')).toBe('1\n');
    expect(await kernel.unloadGivesMemoryBack('deferred')).toBe(true);
  });

  it('lets go of several abandoned calls; each late result is dropped once, and the callee unloads with them pending', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    for (let round = 0; round < 3; round++) await abandon('call deferred wait');
    expect(await kernel.run('lsmod | grep ^deferred')).toMatch(/^deferred\s+\d+\s+0\s*$/);
    expect(await kernel.run('call deferred finish')).toBe('3\n');
    expect((await kernel.run('dmesg')).match(DROPPED)).toHaveLength(3);
    for (let round = 0; round < 2; round++) await abandon('call deferred wait');
    expect(await kernel.unloadGivesMemoryBack('deferred')).toBe(true);
    expect(await reclaimCheck('deferred')).toMatch(/deferred \S+: code reclaimed by the host/);
  });

  it('reports a late failure as the callee\'s oops, and drops it', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    await abandon('call deferred wait');
    expect(await kernel.run('call deferred fail')).toBe('1\n');
    expect(kernel.console).not.toContain('the wait failed');
    expect(await kernel.run('dmesg')).toMatch(/oops in deferred\.wait: the wait failed\n.*keel: deferred\.wait failed after shell abandoned the call: error dropped/);
  });
});
