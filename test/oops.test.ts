/*
 * Contained faults: an exception that leaves a module's function is an oops — logged with the
 * module and symbol, handed to the caller as an error — and the kernel keeps running with its
 * memory accounting unchanged. (The watchdog, for code that never returns, is in watchdog.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootKernel, runUntil, WITH_FIXTURES, type TestKernel } from './harness.ts';

describe('an exception in a module call', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    await kernel.run('modprobe crasher-caller');
  });
  afterAll(() => kernel.halt());

  it('reaches the caller as an error and is logged as an oops naming module and symbol', async () => {
    const frames = await kernel.frames();
    expect(await kernel.run('call crasher crash')).toMatch(/^call: TypeError: Cannot read properties of undefined \(reading 'field'\)\n$/);
    expect(await kernel.run('dmesg')).toMatch(/keel: oops in crasher\.crash: Cannot read properties of undefined/);
    expect(await kernel.frames()).toEqual(frames);
    expect(await kernel.run('call hello greet keel')).toContain('keel');
  });

  it('is an oops when an async function rejects', async () => {
    expect(await kernel.run('call crasher crashLater')).toBe('call: RangeError: crashed after an await\n');
    expect(await kernel.run('dmesg')).toMatch(/keel: oops in crasher\.crashLater: crashed after an await/);
  });

  it('is reported once, where it left its module, however many modules it crosses', async () => {
    const before = (await kernel.run('dmesg')).split('\n').filter((line) => line.includes('oops')).length;
    expect(await kernel.run('call crasher-caller callCrash')).toMatch(/^call: TypeError/);
    const oopses = (await kernel.run('dmesg')).split('\n').filter((line) => line.includes('oops')).slice(before);
    expect(oopses).toHaveLength(1);
    expect(oopses[0]).toMatch(/oops in crasher\.crash:/);
  });

  it('in a timer, where there is no caller, goes to the console', async () => {
    await kernel.run('call crasher crashInTimer');
    await runUntil(kernel, 'dmesg', /oops in crasher\.timer/);
    expect(kernel.console).toMatch(/keel: oops in crasher\.timer: crashed in a timer/);
    expect(await kernel.run('lsmod')).toMatch(/^crasher /m);
  });
});
