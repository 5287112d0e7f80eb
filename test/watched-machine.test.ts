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
    let doorbell: Int32Array | null = null;
    let rings = 0;
    const watcher: MachineDebugger = {
      attach: (_frameTable, bell) => (doorbell = bell),
      codeBytes: () => {},
      nameOwner: (_id, kind, label) => heard.push(`named ${kind} ${label}`),
      forgetOwner: () => {},
      moduleEvent(json) {
        const { event, module } = JSON.parse(json) as { event: string; module: { name: string } };
        heard.push(`event ${event} ${module.name}`);
      },
    };
    let read: (() => void) | null = null;
    const machine = new MachineThread({
      image, initrd, cmdline: 'init=shell quiet', consoleMode: 'plain', output: () => {}, debugger: watcher,
      onRead() {
        if (doorbell) rings = Atomics.load(doorbell, 0);
        heard.push('read');
        read?.();
      },
    });
    const nextRead = () => new Promise<void>((resolve) => (read = resolve));
    /** Types a line and waits for the read after it. The thread's messages keep their order: whatever it sent before that read has come. */
    const run = async (line: string) => {
      const reading = nextRead();
      machine.console.type(line);
      await reading;
    };
    await nextRead();
    // The boot's own reports follow the prompt's read in the same way.
    await run('echo booted');
    expect(heard[0]).toBe('read');
    expect(heard).toContain('event loaded shell');
    heard.length = 0;
    const ringsBefore = rings;
    await run('modprobe kv');
    const ringsAtTheRead = rings;
    await run('echo after');
    expect(heard[0]).toBe('read');
    expect(heard).toContain('named text kv');
    expect(heard).toContain('event loaded kv');
    // The doorbell counts the load's step at once (its waiter is woken later: emulator/devices/__tests__/debug-device.test.ts).
    expect(ringsAtTheRead).toBeGreaterThan(ringsBefore);
    await machine.powerOff();
  });
});
