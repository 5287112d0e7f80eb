/*
 * scheduler 2.0.0 — highest priority first, with aging: every task passed over gains one
 * credit, the task that runs loses its credit, so a low-priority task still gets its turn.
 *
 * Tasks gain a `credit` field. A swap replaces every task 1.0.0 made — in the queue it hands
 * over, or held by another module — by a copy made with this version's Task, and re-points
 * the queue and the holders' handles to the copies; Task.migrateInstance then gives each copy
 * its credit. The state format stays 1 — the list of tasks — so a swap back to 1.0.0 works too.
 */
import type { StateHandover } from 'keel:kernel';

export class Task {
  runs = 0;
  credit = 0;
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
    return `${this.name}: priority ${this.priority}, credit ${this.credit}, ran ${this.runs} time${this.runs === 1 ? '' : 's'} (priority with aging)`;
  }

  /** Called by a swap for each task an older version made. */
  static migrateInstance(task: Task): void {
    task.credit ??= 0;
  }
}

let queue: Task[] = [];

export function spawn(name: string, priority = 1): Task {
  const task = new Task(name, priority);
  queue.push(task);
  return task;
}

/** Runs the task with the most priority plus credit; returns its name. */
export function next(): string | undefined {
  let chosen: Task | undefined;
  for (const task of queue) if (!chosen || task.priority + task.credit > chosen.priority + chosen.credit) chosen = task;
  if (!chosen) return undefined;
  for (const task of queue) task.credit++;
  chosen.credit = 0;
  chosen.runs++;
  return chosen.name;
}

export function tasks(): string[] {
  return queue.map((task) => task.describe());
}

export function policy(): string {
  return 'priority with aging';
}

export function exportState(): StateHandover {
  return { format: 1, entries: queue.length, data: queue };
}

export function importState(state: StateHandover, fromVersion: string): void {
  if (state.format !== 1) throw new Error(`scheduler 2.0.0 reads state format 1, not ${state.format} (from ${fromVersion})`);
  queue = [...(state.data as Task[])];
}

export function exit(): void {
  queue = [];
}
