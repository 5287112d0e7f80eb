/*
 * The virtual timer: the timer device's interface on a clock that only the timers move, for
 * runs that must repeat exactly (the simulator, `npm run sim`).
 *
 *   const timer = new VirtualTimer();
 *   const machine = new Machine({ image, initrd, timer });
 *
 * Time stands still while anything else can run. Each setImmediate turn — after every promise
 * chain has settled — takes the pending timer with the earliest deadline (ties in the order
 * they were set), moves the clock to that deadline and fires it; one timer a turn, so the
 * promises it settles run before the next one fires. A swap's quiescence polling and its time
 * limit then run on virtual milliseconds, and the same program gives the same interleaving.
 */
import type { MachineTimer } from '../machine.ts';

interface PendingTimer {
  deadline: number;
  callback: () => void;
}

export class VirtualTimer implements MachineTimer {
  private clock = 0;
  /** By id; a Map iterates in insertion order, which is id order. */
  private readonly timers = new Map<number, PendingTimer>();
  private nextId = 1;
  private turn: NodeJS.Immediate | null = null;

  now = (): number => this.clock;

  setTimer = (callback: () => void, milliseconds: number): number => {
    const id = this.nextId++;
    this.timers.set(id, { deadline: this.clock + Math.max(0, Number(milliseconds) || 0), callback });
    this.schedule();
    return id;
  };

  clearTimer = (id: number): void => {
    this.timers.delete(id);
  };

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  stopAll(): void {
    this.timers.clear();
    if (this.turn) clearImmediate(this.turn);
    this.turn = null;
  }

  private schedule(): void {
    if (this.turn === null && this.timers.size > 0) this.turn = setImmediate(this.fireEarliest);
  }

  private readonly fireEarliest = (): void => {
    this.turn = null;
    let earliest: [number, PendingTimer] | undefined;
    for (const entry of this.timers) if (!earliest || entry[1].deadline < earliest[1].deadline) earliest = entry;
    if (!earliest) return;
    const [id, timer] = earliest;
    this.timers.delete(id);
    this.clock = Math.max(this.clock, timer.deadline);
    try {
      timer.callback();
    } finally {
      this.schedule();
    }
  };
}
