/*
 * workload — keeps calling kv and scheduler, and checks every answer, so that a swap can be
 * watched under load from the shell:
 *
 *   keel# call workload start
 *   keel# swap kv; swap scheduler; swap kv 1.0.0
 *   keel# call workload report
 *
 * Every tick it writes keys to kv and reads them back at once (synchronous calls) and later
 * (getLater, asynchronous), and asks the scheduler for the next task. A read that does not
 * give back what was written, or an async call that never answers, is counted as a failure.
 */
import { clearTimer, printk, setTimer } from 'keel:kernel';
import { get, getLater, set } from 'keel:kv';
import { next, spawn, type Task } from 'keel:scheduler';

export interface WorkloadReport {
  running: boolean;
  syncCalls: number;
  asyncCalls: number;
  asyncAnswered: number;
  wrongAnswers: number;
  errors: number;
  scheduled: Record<string, number>;
  tasks: string[];
}

const KEYS = 64;
let timer: number | null = null;
let round = 0;
let tasks: Task[] = [];
const counts = { syncCalls: 0, asyncCalls: 0, asyncAnswered: 0, wrongAnswers: 0, errors: 0 };
const scheduled: Record<string, number> = {};

function check(key: string, expected: string, actual: string | undefined): void {
  if (actual !== expected) {
    counts.wrongAnswers++;
    printk(`workload: ${key} should be ${expected}, read ${String(actual)}`, 'warn');
  }
}

function tick(perTick: number): void {
  for (let call = 0; call < perTick; call++) {
    round++;
    const key = `key-${round % KEYS}`;
    const value = `value-${round}`;
    try {
      set(key, value);
      check(key, value, get(key));
      counts.syncCalls += 2;
      const name = next();
      if (name) scheduled[name] = (scheduled[name] ?? 0) + 1;
      counts.syncCalls++;
      counts.asyncCalls++;
      getLater(key, 0).then(
        () => counts.asyncAnswered++,
        () => counts.errors++,
      );
    } catch (error) {
      counts.errors++;
      printk(`workload: ${(error as Error).message}`, 'warn');
    }
  }
}

/** Starts calling: `perTick` rounds every `intervalMs`. */
export function start(intervalMs = 1, perTick = 10): string {
  if (timer !== null) return 'already running';
  if (tasks.length === 0) tasks = [spawn('editor', 3), spawn('compiler', 2), spawn('backup', 1)];
  const loop = () => {
    tick(perTick);
    timer = setTimer(loop, intervalMs);
  };
  loop();
  return `running: ${perTick} round${perTick === 1 ? '' : 's'} every ${intervalMs} ms`;
}

export function stop(): string {
  if (timer !== null) clearTimer(timer);
  timer = null;
  return 'stopped';
}

export function report(): WorkloadReport {
  return { running: timer !== null, ...counts, scheduled: { ...scheduled }, tasks: tasks.map((task) => task.describe()) };
}

export function exit(): void {
  stop();
}
