/*
 * faulty — a module that misbehaves on request, to see what keel does about it (README, "When
 * a module misbehaves"). Each export is a bug of one kind:
 *
 *   call faulty crash          reads a property of undefined: an oops, the caller gets the TypeError
 *   call faulty crashLater     an async function that rejects after an await: an oops as well
 *   call faulty crashInTimer   a timer that throws, where nobody called: its oops goes to the console
 *   call faulty hang           a loop that never returns: the host's watchdog panics the machine
 */
import { setTimer } from 'keel:kernel';

interface Settings {
  field: number;
}

let settings: Settings | undefined;

export function crash(): number {
  return settings!.field;
}

export async function crashLater(): Promise<number> {
  await Promise.resolve();
  throw new RangeError('crashed after an await');
}

export function crashInTimer(): string {
  setTimer(() => {
    throw new Error('crashed in a timer');
  }, 0);
  return 'the timer crashes in a moment';
}

export function hang(): never {
  for (;;) settings = undefined;
}

export function exit(): void {}
