/*
 * What the machine's thread says of its own work for each line (the read message's LineWork,
 * emulator/machine-messages.ts), through the path `npm run boot` runs: a MachineThread. Its
 * wall time covers the command; where Linux keeps scheduler statistics its wait for a CPU
 * comes from the thread's own counters, and cannot pass the wall time it is part of.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LineWork } from '../emulator/machine-messages.ts';
import { MachineThread } from '../emulator/machine-thread.ts';
import { buildInMemory } from './harness.ts';

/** A millisecond of slack for the two clocks' reading at slightly different moments. */
const SLACK_MS = 1;

describe('the machine thread times each line it is given', () => {
  it('reads before any line carry no work; a command\'s read carries its wall time, and its wait for a CPU within it where Linux counts it', async () => {
    const { image, initrd } = await buildInMemory();
    const works: Array<LineWork | null> = [];
    let read: (() => void) | null = null;
    const machine = new MachineThread({
      image, initrd, cmdline: 'init=shell quiet', consoleMode: 'plain', output: () => {},
      onRead(_prompt, _linesTaken, work) {
        works.push(work);
        read?.();
      },
    });
    const nextRead = () => new Promise<void>((resolve) => (read = resolve));
    await nextRead();
    expect(works).toEqual([null]);
    // A command with work in it (a load): its CPU time must show.
    const reading = nextRead();
    machine.console.type('modprobe kv');
    await reading;
    const work = works.at(-1)!;
    expect(work.ms).toBeGreaterThan(0);
    // Where Linux keeps scheduler statistics (CONFIG_SCHED_INFO: Debian's kernels do), the wait must be there.
    if (existsSync('/proc/thread-self/schedstat')) {
      expect(work.waitingMs).not.toBeNull();
      expect(work.waitingMs).toBeGreaterThanOrEqual(0);
      expect(work.waitingMs!).toBeLessThanOrEqual(work.ms + SLACK_MS);
    }
    await machine.powerOff();
  });
});
