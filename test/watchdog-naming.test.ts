/*
 * The watchdog names the module whose code hung the machine wherever that code runs: after an
 * `await` no stub saw, in a bundle's top-level code, in a state hook during a swap. The
 * running word the stubs write knows none of these; the watchdog pauses the machine's thread
 * through the inspector and reads the module from the stack (emulator/stall-inspector.ts).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { MachineThread } from '../emulator/machine-thread.ts';
import { buildInMemory } from './harness.ts';

const HOSTILE_MODULES = path.join(PROJECT_ROOT, 'test/fixtures/hostile-modules');

async function hangWith(line: string): Promise<{ status: number; output: string }> {
  const { image, initrd } = await buildInMemory({ moduleDirs: [path.join(PROJECT_ROOT, 'modules'), HOSTILE_MODULES] });
  let output = '';
  const thread = new MachineThread({ image, initrd, consoleMode: 'transcript', watchdogSeconds: 0.5, output: (text) => (output += text) });
  thread.console.type(line);
  return { status: await thread.halted, output };
}

describe('the watchdog names the module', () => {
  it.each([
    ['for code after an await', 'call spinner spinAfterAwait', 'spinner'],
    ["for a bundle's top-level code", 'modprobe top-level-loop', 'top-level-loop'],
    ['for a state hook during a swap', 'modprobe spinner; swap spinner', 'spinner'],
  ])('%s', async (_case, line, module) => {
    const { status, output } = await hangWith(line);
    expect(status).toBe(2);
    expect(output).toContain(`Kernel panic - not syncing: watchdog: machine stuck for 0.5s in module ${module}\n`);
  });
});
