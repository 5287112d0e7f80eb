/*
 * The faults a sim fixture commits when the driver has armed them in sim-control, each where a
 * real module's would strike. Every version's bundle gets its own copy, as with run-recorder.ts:
 *
 *   export function init() { return faultyInit(NAME, () => kalloc(4096)); }
 *   export function exit() { return faultyExit(NAME, reset); }
 *   export function exportState() { return faultyStateHook('export', NAME) ?? { format: 1, ... }; }
 *   export function getLater(...) { return later(NAME, () => entries.get(key), milliseconds); }
 *
 * An async fault strikes after an await: of a timer of the module's, `detail` virtual
 * milliseconds long, or of a few promise turns when the detail is 0 (no timer to clear).
 */
import { kalloc, requestModule, setTimer, unloadModule } from 'keel:kernel';
import { INIT_HELPER, told, trip, tripped } from 'keel:sim-control';

async function wait(milliseconds: number): Promise<void> {
  if (milliseconds > 0) await new Promise<void>((resolve) => setTimer(resolve, milliseconds));
  else for (let turn = 0; turn < 3; turn++) await null;
}

async function rejectLater(message: string): Promise<never> {
  await null;
  throw new Error(message);
}

/** What the kernel answered to `action`: "done", or the error it threw, as "Name: message". */
function answerTo(action: () => unknown): string {
  try {
    action();
    return 'done';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/**
 * The work a slow init leaves behind: once the init has finished (and the kernel has seen it
 * finish), one more data frame. A module given back meanwhile gets none: its kernel API refuses.
 */
async function settleIn(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await null;
  try {
    kalloc(4096);
  } catch {
    // Given back before its init finished, or out of memory: it takes nothing.
  }
}

/**
 * An init: it tries to unload itself (self-unload) and to request itself (self-request, which
 * then requests INIT_HELPER and keeps it), takes its data frames, then fails (init), rejects
 * after an await (async-init) or finishes after one (slow-init).
 */
export function faultyInit(name: string, take: () => void): void | Promise<void> {
  if (tripped('self-unload', name)) told(name, 'self-unload', answerTo(() => unloadModule(name)));
  if (tripped('self-request', name)) {
    told(name, 'self-request', answerTo(() => requestModule(name)));
    requestModule(INIT_HELPER);
  }
  take();
  if (tripped('init', name)) throw new Error('injected init failure');
  const failing = trip('async-init', name);
  if (failing !== null) return wait(failing).then(() => rejectLater('injected async init failure'));
  const slow = trip('slow-init', name);
  if (slow === null) return;
  const done = wait(slow);
  void done.then(settleIn);
  return done;
}

/** An exit: it resets the module's state, then throws (exit) or rejects after an await (async-exit). */
export function faultyExit(name: string, reset: () => void): void | Promise<never> {
  reset();
  if (tripped('exit', name)) throw new Error('injected exit failure');
  if (tripped('async-exit', name)) return rejectLater('injected async exit failure');
}

/**
 * A state hook's fault, or undefined: it throws (export, import), or returns a promise that
 * rejects after an await (async-export, async-import) where the swap needs the state at once.
 */
export function faultyStateHook(hook: 'export' | 'import', name: string): Promise<never> | undefined {
  const what = hook === 'export' ? 'exportState' : 'importState';
  if (tripped(hook, name)) throw new Error(`injected ${what} failure`);
  if (tripped(`async-${hook}`, name)) return rejectLater(`injected async ${what} failure`);
  return undefined;
}

/** A promise subclass whose `then` throws: whoever adopts it is rejected with that error. */
class RudePromise<Value> extends Promise<Value> {
  override then(): never {
    throw new Error('injected throwing then');
  }
}

/**
 * A promise of `answer()` after `milliseconds`, from a timer of the module's. Faults: the timer
 * callback is async and rejects once it has answered (async-timer); the promise has a `then` of
 * its own that throws (throwing-then); or it is a RudePromise, answered at once
 * (throwing-then-class: no timer, so nothing of the call runs after it was rejected).
 */
export function later<Value>(name: string, answer: () => Value, milliseconds: number): Promise<Value> {
  if (tripped('throwing-then-class', name)) return new RudePromise<Value>((resolve) => resolve(answer()));
  const misfire = tripped('async-timer', name);
  const promise = new Promise<Value>((resolve, reject) =>
    setTimer(() => {
      try {
        resolve(answer());
      } catch (error) {
        reject(error);
      }
      if (misfire) return rejectLater('injected async timer failure');
    }, milliseconds),
  );
  if (tripped('throwing-then', name)) {
    Object.defineProperty(promise, 'then', {
      value: () => {
        throw new Error('injected throwing then');
      },
    });
  }
  return promise;
}
