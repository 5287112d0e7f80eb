/*
 * scheduler 1.0.0 — round robin: next() runs the task at the head of the queue and puts it
 * at the back. Tasks are objects other modules hold (spawn returns one); after a swap the
 * handles they hold lead to the new version's copies of them, which run its methods.
 */
import type { StateHandover } from 'keel:kernel';

export class Task {
  runs = 0;
  constructor(
    public name: string,
    public priority: number,
  ) {}

  /** Takes the task off the queue: it has run its course. */
  finish(): void {
    const position = queue.indexOf(this);
    if (position >= 0) queue.splice(position, 1);
  }

  describe(): string {
    return `${this.name}: priority ${this.priority}, ran ${this.runs} time${this.runs === 1 ? '' : 's'} (round robin)`;
  }
}

let queue: Task[] = [];

export function spawn(name: string, priority = 1): Task {
  const task = new Task(name, priority);
  queue.push(task);
  return task;
}

/** Runs the next task; returns its name. */
export function next(): string | undefined {
  const task = queue.shift();
  if (!task) return undefined;
  task.runs++;
  queue.push(task);
  return task.name;
}

export function tasks(): string[] {
  return queue.map((task) => task.describe());
}

export function policy(): string {
  return 'round robin';
}

export function exportState(): StateHandover {
  return { format: 1, entries: queue.length, data: queue };
}

export function importState(state: StateHandover, fromVersion: string): void {
  if (state.format !== 1) throw new Error(`scheduler 1.0.0 reads state format 1, not ${state.format} (from ${fromVersion})`);
  queue = [...(state.data as Task[])];
}

export function exit(): void {
  queue = [];
}
