/*
 * `npm run boot -- --exec` never hangs: with the commands given as a script no Ctrl-C can
 * come, so once console input is over and unread and no timer is set — nothing can ever wake
 * the kernel — the machine ends. A command that waits forever: one line, the commands after it
 * unrun, exit status 1. An init that reads no console (`init=hello`): a panic, exit status 2,
 * as Linux panics when init is gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.ts';
import { WITH_FIXTURES, writeBuild } from './harness.ts';

const dist = mkdtempSync(path.join(os.tmpdir(), 'keel-exec-hangs-'));
beforeAll(() => writeBuild(dist, WITH_FIXTURES));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

const boot = (args: string[]) => runCli(['--dist', dist, ...args]);

describe('--exec with nothing left that could ever finish', () => {
  it('a call that never settles: one line, the rest not run, exit status 1', () => {
    const run = boot(['--exec', 'echo before; call deferred wait; echo after']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('before\n');
    expect(run.stdout).toContain('keel: a command waits for something that can never happen (no timer is set and input has ended): halting\n');
    expect(run.stdout).not.toMatch(/^after$/m);
    expect(run.stderr).toBe('');
  });

  it('an init that is no shell: a panic, exit status 2', () => {
    const run = boot(['--cmdline', 'init=hello quiet', '--exec', 'lsmod']);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('Kernel panic - not syncing: init reads no console, so the commands given cannot run\n');
    expect(run.stderr).toBe('');
  });

  it('a command that waits on a timer is waited for: it can finish', () => {
    const run = boot(['--exec', 'modprobe kv; call kv set a b; call kv getLater a 300; echo after']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^"b"\nafter$/m);
  });
});
