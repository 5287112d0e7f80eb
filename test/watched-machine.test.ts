/*
 * A machine a debugger watches (the web page's server is one), through the path `npm run web`
 * runs: a MachineThread with a debugger. What the kernel tells the debugger of a command — the
 * owners it named, its module events, the doorbell of the frame table — reaches the watching
 * thread once the machine's turn is over, after the machine has answered the line and asked
 * for the next: a watching thread woken while the machine still works takes a core from it.
 */
import { describe, expect, it } from 'vitest';
import type { MachineDebugger } from '../emulator/machine-messages.ts';
import { MachineThread } from '../emulator/machine-thread.ts';
import { buildInMemory } from './harness.ts';

describe('a watched machine answers first and reports after', () => {
  it('a typed load: the read that follows it comes before its module event and owner names', async () => {
    const { image, initrd } = await buildInMemory();
    const heard: string[] = [];
    /** Resolvers for reports awaited: the watching thread hears them when the machine's turn is over, whenever that is. */
    const awaited = new Map<string, () => void>();
    const hear = (report: string) => {
      heard.push(report);
      awaited.get(report)?.();
    };
    const heardOf = (report: string) => new Promise<void>((resolve) => (heard.includes(report) ? resolve() : awaited.set(report, resolve)));
    let doorbell: Int32Array | null = null;
    let rings = 0;
    const watcher: MachineDebugger = {
      attach: (_frameTable, bell) => (doorbell = bell),
      codeBytes: () => {},
      nameOwner: (_id, kind, label) => hear(`named ${kind} ${label}`),
      forgetOwner: () => {},
      moduleEvent(json) {
        const { event, module } = JSON.parse(json) as { event: string; module: { name: string } };
        hear(`event ${event} ${module.name}`);
      },
    };
    let read: (() => void) | null = null;
    const machine = new MachineThread({
      image, initrd, cmdline: 'init=shell quiet', consoleMode: 'plain', output: () => {}, debugger: watcher,
      onRead() {
        if (doorbell) rings = Atomics.load(doorbell, 0);
        hear('read');
        read?.();
      },
    });
    const nextRead = () => new Promise<void>((resolve) => (read = resolve));
    await nextRead();
    await heardOf('event loaded shell');
    heard.length = 0;
    const ringsBefore = rings;
    const reading = nextRead();
    machine.console.type('modprobe kv');
    await reading;
    // The doorbell counted the load's step at once (its waiter is woken later: emulator/devices/__tests__/debug-device.test.ts).
    expect(rings).toBeGreaterThan(ringsBefore);
    await heardOf('event loaded kv');
    expect(heard[0]).toBe('read');
    expect(heard).toContain('named text kv');
    await machine.powerOff();
  });
});
