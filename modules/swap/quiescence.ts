/*
 * Bringing a module to a quiescent state: no activation of it in flight.
 *
 * The stubs count every module's activations — on the stack, and async ones until their
 * promise settles. While a swap holds the module (`module.holding` set), new calls to its
 * async functions wait for the swap to finish instead of starting, so a continuous load
 * cannot starve the swap; calls to synchronous functions run to completion before the swap
 * can take its next step anyway. The wait ends when the count reaches zero, or at the limit.
 *
 * A held call is also the moment to look again: its caller's previous call has often just
 * settled, so the swap goes on at once (in a microtask) rather than at its next poll a
 * millisecond later — that keeps a caller's wait down to the switch itself. The hold notes
 * when it caught its first call: where the pause a caller sees begins.
 */
import { clearTimer, now, setTimer, type LoadedModule } from 'keel:kernel';

export interface Hold {
  /** When the hold caught its first call (kernel clock), or null while it has caught none. */
  firstHeldAt: number | null;
  /** Called in a microtask after each call the hold catches. */
  onHeldCall: (() => void) | null;
  /** Lets the held calls go: they run on whichever version is current by then. */
  release(): void;
}

export function holdCalls(module: LoadedModule): Hold {
  let release!: () => void;
  const holding = new Promise<void>((resolve) => (release = resolve));
  const hold: Hold = {
    firstHeldAt: null,
    onHeldCall: null,
    release() {
      module.holding = null;
      release();
    },
  };
  // The stubs hold a call with `module.holding.then(...)`: this is where the hold sees one arrive.
  const then = holding.then;
  Object.defineProperty(holding, 'then', {
    value(this: Promise<void>, ...reactions: unknown[]) {
      hold.firstHeldAt ??= now();
      void Promise.resolve().then(() => hold.onHeldCall?.());
      return Reflect.apply(then, this, reactions);
    },
  });
  module.holding = holding;
  return hold;
}

export const isQuiescent = (module: LoadedModule) => module.active === 0 && module.pending === 0;

/**
 * Resolves with the milliseconds it took, or rejects once `limitMs` has passed. One timer, the
 * poll, which also watches the clock: a swap pays in its time for every timer it arms and clears.
 */
export function waitForQuiescence(module: LoadedModule, hold: Hold, limitMs: number): Promise<number> {
  const start = now();
  if (isQuiescent(module)) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    let poll = 0;
    const check = () => {
      if (!isQuiescent(module)) return false;
      hold.onHeldCall = null;
      clearTimer(poll);
      resolve(now() - start);
      return true;
    };
    const pollAgain = () => {
      if (check()) return;
      if (now() - start < limitMs) poll = setTimer(pollAgain, 1);
      else {
        hold.onHeldCall = null;
        reject(new Error(`not quiescent after ${limitMs} ms (${module.pending} async call${module.pending === 1 ? '' : 's'} still in flight)`));
      }
    };
    hold.onHeldCall = check;
    poll = setTimer(pollAgain, 1);
  });
}
