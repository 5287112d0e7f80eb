/*
 * Tests the virtual timer (emulator/devices/virtual-timer-device.ts): the clock moves only to
 * the deadline of the timer it fires, earliest first and ties in the order they were set,
 * promise chains settle before time moves, and cleared or stopped timers never fire.
 */
import { describe, expect, it } from 'vitest';
import { VirtualTimer } from '../virtual-timer-device.ts';

/** Resolves once the timer has nothing left to fire. */
async function drain(timer: VirtualTimer): Promise<void> {
  while (timer.pending > 0) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

describe('VirtualTimer', () => {
  it('starts at zero and moves the clock to each deadline, earliest first, ties in the order set', async () => {
    const timer = new VirtualTimer();
    const fired: string[] = [];
    const at = (label: string, milliseconds: number) => timer.setTimer(() => fired.push(`${label}@${timer.now()}`), milliseconds);
    expect(timer.now()).toBe(0);
    at('c', 30);
    at('a', 10);
    at('b1', 20);
    at('b2', 20);
    at('zero', 0);
    await drain(timer);
    expect(fired).toEqual(['zero@0', 'a@10', 'b1@20', 'b2@20', 'c@30']);
    expect(timer.now()).toBe(30);
  });

  it('lets every promise chain settle before time moves', async () => {
    const timer = new VirtualTimer();
    const seen: number[] = [];
    timer.setTimer(() => seen.push(timer.now()), 5);
    let chain = Promise.resolve();
    for (let step = 0; step < 1000; step++) chain = chain.then(() => undefined);
    await chain.then(() => seen.push(timer.now()));
    await drain(timer);
    expect(seen).toEqual([0, 5]);
  });

  it('fires a timer set from a callback after the ones already due at the same time', async () => {
    const timer = new VirtualTimer();
    const fired: string[] = [];
    timer.setTimer(() => {
      fired.push('first');
      timer.setTimer(() => fired.push('nested'), 0);
    }, 1);
    timer.setTimer(() => fired.push('second'), 1);
    await drain(timer);
    expect(fired).toEqual(['first', 'second', 'nested']);
    expect(timer.now()).toBe(1);
  });

  it('never fires cleared timers, nor any after stopAll, and never moves the clock for them', async () => {
    const timer = new VirtualTimer();
    const fired: number[] = [];
    const cleared = timer.setTimer(() => fired.push(1), 50);
    timer.setTimer(() => fired.push(2), 10);
    timer.clearTimer(cleared);
    await drain(timer);
    expect(fired).toEqual([2]);
    expect(timer.now()).toBe(10);
    timer.setTimer(() => fired.push(3), 0);
    timer.stopAll();
    await drain(timer);
    expect(fired).toEqual([2]);
    expect(timer.pending).toBe(0);
  });
});
