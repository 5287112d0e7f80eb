/*
 * The timer: a clock and one-shot timers, all cancelled when the machine halts so that a
 * halted machine leaves nothing running in the host.
 */
import { host } from '../host/current-host.ts';
import type { TimerDevice } from '../machine-interface.ts';

export class Timer implements TimerDevice {
  private readonly powerOn = host.clock.now();
  private readonly timers = new Map<number, unknown>();
  private nextId = 1;

  now = (): number => host.clock.now() - this.powerOn;

  setTimer = (callback: () => void, milliseconds: number): number => {
    const id = this.nextId++;
    const handle = host.clock.setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, milliseconds);
    this.timers.set(id, handle);
    return id;
  };

  clearTimer = (id: number): void => {
    host.clock.clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  };

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  stopAll(): void {
    for (const handle of this.timers.values()) host.clock.clearTimeout(handle);
    this.timers.clear();
  }
}
