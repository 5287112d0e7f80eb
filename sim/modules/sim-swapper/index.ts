/*
 * sim-swapper — a module that starts swaps itself, as a module author's code may: from a timer
 * of its own, `milliseconds` after it is asked, of another module or of the kernel, while the
 * driver starts others (sim-driver/concurrent-swaps-operation.ts). The promise swapLater returns
 * settles with the swap's report once that swap has ended; the swap itself is started by the
 * timer, with no call into this module on the stack.
 */
import { setTimer } from 'keel:kernel';
import { swap, type SwapReport } from 'keel:swap';

export function swapLater(name: string, version: string, milliseconds: number): Promise<SwapReport> {
  return new Promise((resolve) => {
    setTimer(() => {
      void swap(name, version).then(resolve);
    }, milliseconds);
  });
}

export function exit(): void {}
