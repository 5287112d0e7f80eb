/*
 * Tests the host port's reading of the CPU wait (devices/host-device.ts): on Linux, the
 * calling thread's time ready to run but waiting for a CPU, from its schedstat — a count that
 * only grows, and grows when the thread must share a CPU with work that keeps it busy.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { hostDevice } from '../host-device.ts';

/** Threads that spin for `milliseconds`, more of them than there are CPUs to run them and this one. */
function busyThreads(count: number, milliseconds: number): Promise<void[]> {
  const spin = `const end = Date.now() + ${milliseconds}; while (Date.now() < end);`;
  return Promise.all(Array.from({ length: count }, () => new Promise<void>((resolve) => new Worker(spin, { eval: true }).on('exit', () => resolve()))));
}

describe.runIf(process.platform === 'linux')('the CPU wait on Linux', () => {
  it('is a count of milliseconds that never goes back', () => {
    const first = hostDevice.cpuWaitMs();
    const second = hostDevice.cpuWaitMs();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThanOrEqual(first!);
  });

  it('grows while the thread shares the CPUs with more busy threads than there are CPUs', async () => {
    const before = hostDevice.cpuWaitMs()!;
    const others = busyThreads(3 * availableParallelism(), 400);
    // This thread keeps asking for a CPU too, in short turns, while the others spin.
    const end = Date.now() + 300;
    while (Date.now() < end) await new Promise((resolve) => setImmediate(resolve));
    await others;
    expect(hostDevice.cpuWaitMs()! - before).toBeGreaterThan(0);
  });
});
