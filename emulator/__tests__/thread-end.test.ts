/*
 * The pieces that end a machine thread in one line: the heap size option (--heap), the panic
 * reason for a thread that died under its machine, and the routing of unhandled rejections
 * (a machine's to its kernel, any other to the thread's fallback, one listener either way).
 */
import { describe, expect, it } from 'vitest';
import { parseHeapSize } from '../memory-size.ts';
import { threadFailure } from '../thread-failure.ts';
import { watchOtherRejections, watchRejections } from '../unhandled-rejections.ts';

describe('--heap', () => {
  it.each([
    ['512M', 512],
    ['32M', 32],
    ['1G', 1024],
    ['64G', 65_536],
    [String(64 * 1024 ** 2), 64],
  ])('reads %s as %i MiB', (text, megabytes) => {
    expect(parseHeapSize(text)).toBe(megabytes);
  });

  it.each(['16M', '1K', '1536K', 'lots', '', '65G', '-1M'])('refuses %j in one line', (text) => {
    expect(() => parseHeapSize(text)).toThrow(`--heap ${text}: expected a whole number of megabytes from 32M to 64G, such as 512M`);
  });
});

describe('the panic reason of a thread that died', () => {
  it('out of memory, naming the module the running word held, or none', () => {
    const error = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' });
    expect(threadFailure(error, 'module probe-heap', 64)).toBe("out of memory: the machine's heap reached its limit of 64 MiB (--heap) in module probe-heap");
    expect(threadFailure(error, null, 512)).toBe("out of memory: the machine's heap reached its limit of 512 MiB (--heap)");
  });

  it('anything else: its message, the first line of it only', () => {
    expect(threadFailure(new TypeError('no such device\n    at stack (x.ts:1:1)'), null, 64)).toBe("the machine's thread failed: no such device");
    expect(threadFailure('a string', 'module kv', 64)).toBe("the machine's thread failed in module kv: a string");
  });
});

describe('unhandled rejections', () => {
  it("go to the machine that owns the promise, and any other to the fallback; one listener for both", async () => {
    const before = process.listenerCount('unhandledRejection');
    const owned: unknown[] = [];
    const other: unknown[] = [];
    const mine = Promise.reject(new Error('the machine\'s'));
    const stopMachine = watchRejections({ owns: (promise) => promise === mine, report: (reason) => owned.push(reason) });
    const stopFallback = watchOtherRejections((reason) => other.push(reason));
    expect(process.listenerCount('unhandledRejection')).toBe(before + 1);
    void Promise.reject(42);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(owned.map((reason) => (reason as Error).message)).toEqual(["the machine's"]);
    expect(other).toEqual([42]);
    stopMachine();
    stopFallback();
    expect(process.listenerCount('unhandledRejection')).toBe(before);
  });
});
