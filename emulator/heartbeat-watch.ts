/*
 * The watchdog's eye, in the thread that watches a machine (machine-watcher.ts, under Node or
 * in a page): it reads the machine's heartbeat word a few times per
 * period, and calls `onStuck` once the beat stood still for a whole period, with what the
 * running word names (devices/watchdog-device.ts).
 *
 *   const watch = watchHeartbeat(words, 10, names, (running) => panic(...));
 *   clearInterval(watch);
 */
import { describeRunning, HEARTBEAT_WORD } from './devices/watchdog-device.ts';

export function watchHeartbeat(words: Int32Array, seconds: number, names: ReadonlyMap<number, string>, onStuck: (running: string) => void): ReturnType<typeof setInterval> {
  const periodMs = seconds * 1000;
  let lastBeat = Atomics.load(words, HEARTBEAT_WORD);
  let lastChange = performance.now();
  return setInterval(() => {
    const beat = Atomics.load(words, HEARTBEAT_WORD);
    if (beat !== lastBeat) {
      lastBeat = beat;
      lastChange = performance.now();
    } else if (performance.now() - lastChange >= periodMs) {
      onStuck(describeRunning(words, names));
    }
  }, Math.min(250, periodMs / 4));
}
