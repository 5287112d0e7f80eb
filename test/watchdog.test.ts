/*
 * The machine in its own thread, and the watchdog: a module that never returns blocks only its
 * machine's thread; after --watchdog seconds without a heartbeat the host prints a panic line
 * naming the module that was running and stops the machine. Through MachineThread, and
 * through the CLI as a user runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MachineThread } from '../emulator/machine-thread.ts';
import { runCli } from './cli-process.ts';
import { bootKernel, buildInMemory, WITH_FIXTURES, writeBuild } from './harness.ts';

async function startThread(watchdogSeconds: number) {
  const { image, initrd } = await buildInMemory(WITH_FIXTURES);
  let output = '';
  const thread = new MachineThread({ image, initrd, consoleMode: 'transcript', watchdogSeconds, output: (text) => (output += text) });
  return { thread, output: () => output };
}

/** Resolves once `output()` matches `pattern`, checking as the test's event loop turns. */
async function until(output: () => string, pattern: RegExp): Promise<void> {
  while (!pattern.test(output())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('a machine thread', () => {
  it('runs a session and halts with its status', async () => {
    const { thread, output } = await startThread(10);
    thread.console.type('lsmod');
    thread.console.endInput();
    expect(await thread.halted).toBe(0);
    expect(output()).toMatch(/^shell\s+\d+ /m);
  });

  it('is not panicked by the watchdog while idle', async () => {
    // Idle for twice the period after boot. The period leaves room for a boot slowed by a loaded
    // machine: the heartbeat stands still while the kernel boots, as it would while a module loops.
    const { thread, output } = await startThread(2);
    thread.console.type('echo booted');
    await until(output, /^booted$/m);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    thread.console.type('echo still here');
    thread.console.endInput();
    expect(await thread.halted).toBe(0);
    expect(output()).toContain('still here');
    expect(output()).not.toContain('watchdog');
  });

  it('panics, naming the module, when a call never returns — and the host keeps running meanwhile', async () => {
    const { thread, output } = await startThread(0.5);
    let hostTicks = 0;
    const ticker = setInterval(() => hostTicks++, 20);
    thread.console.type('call crasher spin');
    const status = await thread.halted;
    clearInterval(ticker);
    expect(status).toBe(2);
    expect(output()).toContain('Kernel panic - not syncing: watchdog: machine stuck for 0.5s in module crasher\n');
    expect(hostTicks).toBeGreaterThan(0);
  });

  it('names a module whose init never returns', async () => {
    const { thread, output } = await startThread(0.5);
    thread.console.type('modprobe looping-init');
    expect(await thread.halted).toBe(2);
    expect(output()).toContain('watchdog: machine stuck for 0.5s in module looping-init');
  });
});

describe('the watchdog device', () => {
  it('knows the loaded modules by name and forgets unloaded ones, however many come and go', async () => {
    const kernel = await bootKernel();
    const names = kernel.machine.watchdog.names;
    const before = [...names.values()].sort();
    expect(before).toEqual(['shell', 'sysinfo']);
    for (let cycle = 0; cycle < 3; cycle++) {
      await kernel.run('modprobe hello');
      expect([...names.values()]).toContain('hello');
      await kernel.run('rmmod hello');
    }
    expect([...names.values()].sort()).toEqual(before);
    await kernel.halt();
  });
});

describe('npm run boot -- --watchdog', () => {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'keel-watchdog-'));
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  const boot = (args: string[]) => runCli(['--dist', dist, ...args]);

  it('stops a stuck machine with a panic line and status 2', async () => {
    await writeBuild(dist, WITH_FIXTURES);
    const run = boot(['--watchdog', '1', '--exec', 'echo before; call crasher spin; echo never']);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('before\n');
    expect(run.stdout).toContain('Kernel panic - not syncing: watchdog: machine stuck for 1s in module crasher\n');
    expect(run.stdout).not.toMatch(/^never$/m);
  });

  it('refuses a watchdog period that is not a whole number of seconds up to an hour', () => {
    const run = boot(['--watchdog', 'soon', '--exec', 'lsmod']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('keel: boot failed: --watchdog soon: expected a whole number from 0 to 3600\n');
  });
});
