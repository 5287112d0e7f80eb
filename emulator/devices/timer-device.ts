/*
 * The timer: a clock and one-shot timers, all cancelled when the machine halts so that a
 * halted machine leaves nothing running in the host.
 */
import type { TimerDevice } from '../machine-interface.ts';

export class Timer implements TimerDevice {
  private readonly powerOn = performance.now();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now = (): number => performance.now() - this.powerOn;

  setTimer = (callback: () => void, milliseconds: number): number => {
    const id = this.nextId++;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, milliseconds);
    this.timers.set(id, handle);
    return id;
  };

  clearTimer = (id: number): void => {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  };

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  stopAll(): void {
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
  }
}
