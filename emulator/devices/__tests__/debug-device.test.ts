/*
 * The debug device's doorbell on its own (emulator/devices/debug-device.ts): a ring is counted
 * at once, in shared memory, but the reader waiting on it is woken once the machine's turn is
 * over, once for every ring of that turn — not while the machine works on (its thread would
 * take a core from the machine). The table and the names are test/debug-device.test.ts's.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DebugPort, type DebugListener } from '../debug-device.ts';

const shared = (words: number) => new Int32Array(new SharedArrayBuffer(words * 4));
const turnOver = () => new Promise<void>((resolve) => setImmediate(resolve));
const debuggerAttached: DebugListener = { nameOwner: () => {}, forgetOwner: () => {}, moduleEvent: () => {} };

afterEach(() => vi.restoreAllMocks());

describe('the doorbell', () => {
  it('counts each ring at once and wakes its reader once, when the turn is over', async () => {
    const port = new DebugPort(shared(4), shared(1), debuggerAttached);
    const notify = vi.spyOn(Atomics, 'notify');
    const device = port.device();
    device.ring();
    device.ring();
    expect(Atomics.load(port.doorbell, 0)).toBe(2);
    await Promise.resolve();
    expect(notify).not.toHaveBeenCalled();
    await turnOver();
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith(port.doorbell, 0);
    device.ring();
    await turnOver();
    expect(Atomics.load(port.doorbell, 0)).toBe(3);
    expect(notify).toHaveBeenCalledTimes(2);
  });

  it('wakes a reader waiting on it, which then reads every ring of the turn', async () => {
    const port = new DebugPort(shared(4), shared(1), debuggerAttached);
    const waited = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { value: Promise<string> } }).waitAsync(port.doorbell, 0, 0);
    port.device().ring();
    port.device().ring();
    expect(await waited.value).toBe('ok');
    expect(Atomics.load(port.doorbell, 0)).toBe(2);
  });

  it('with no debugger attached, only counts: no other thread waits on it', async () => {
    const port = new DebugPort(shared(4), shared(1), undefined);
    const notify = vi.spyOn(Atomics, 'notify');
    port.device().ring();
    await turnOver();
    expect(Atomics.load(port.doorbell, 0)).toBe(1);
    expect(notify).not.toHaveBeenCalled();
  });
});
