/*
 * Bringing a module to a quiescent state: no activation of it in flight.
 *
 * The stubs count every module's activations — on the stack, and async ones until their
 * promise settles. While a swap holds the module (`module.holding` set), new calls to its
 * async functions wait for the swap to finish instead of starting, so a continuous load
 * cannot starve the swap; calls to synchronous functions run to completion before the swap
 * can take its next step anyway. The wait ends when the count reaches zero, or at the limit.
 */
import { clearTimer, now, setTimer, type LoadedModule } from 'keel:kernel';

export interface Hold {
  /** Lets the held calls go: they run on whichever version is current by then. */
  release(): void;
}

export function holdCalls(module: LoadedModule): Hold {
  let release!: () => void;
  module.holding = new Promise<void>((resolve) => (release = resolve));
  return {
    release() {
      module.holding = null;
      release();
    },
  };
}

export const isQuiescent = (module: LoadedModule) => module.active === 0 && module.pending === 0;

/** Resolves with the milliseconds it took, or rejects once `limitMs` has passed. */
export function waitForQuiescence(module: LoadedModule, limitMs: number): Promise<number> {
  const start = now();
  if (isQuiescent(module)) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const deadline = setTimer(() => {
      clearTimer(poll);
      reject(new Error(`not quiescent after ${limitMs} ms (${module.pending} async calls still in flight)`));
    }, limitMs);
    let poll = 0;
    const check = () => {
      if (!isQuiescent(module)) {
        poll = setTimer(check, 1);
        return;
      }
      clearTimer(deadline);
      resolve(now() - start);
    };
    check();
  });
}
