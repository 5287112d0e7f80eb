/*
 * A module that exhausts the host's heap, on the path users run (`npm run boot`): the machine's
 * thread has a heap of its own (--heap), and reaching it ends that machine with one panic line
 * naming the module, exit status 2 — slowly (small objects in a loop, from a call or from a
 * timer), or fast (one string doubled into a few huge allocations). A result too large to print
 * is cut with a line that says so. The web server's side: web-panics.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { runCli } from './cli-process.ts';
import { writeBuild } from './harness.ts';

const BUILD = { moduleDirs: ['modules', 'test/fixtures/modules', 'test/fixtures/hostile-modules'].map((folder) => path.join(PROJECT_ROOT, folder)) };
const dist = mkdtempSync(path.join(os.tmpdir(), 'keel-out-of-memory-'));
beforeAll(() => writeBuild(dist, BUILD));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

const boot = (args: string[]) => runCli(['--dist', dist, '--watchdog', '0', ...args]);

describe('a machine whose modules exhaust its heap', () => {
  it.each([
    ['slowly, small objects in a loop', '64M', 'call probe-heap heapBomb'],
    ['slowly, in a loop run by a timer', '64M', 'call probe-heap heapBombInTimer; call kv getLater x 60000'],
    ['fast, a string doubled into a few huge allocations', '64M', 'call probe-heap hugeString'],
    // An array growing by half again past the engine's own limit aborted the whole process (nodejs/node#47224).
    ['slowly, with a larger heap, where one array grows past the limit', '256M', 'call probe-heap heapBomb'],
  ])('%s: one panic line naming the module, exit status 2', (_case, heap, commands) => {
    const run = boot(['--heap', heap, '--exec', `echo before; ${commands}; echo never`]);
    expect(run.stdout).toContain('before\n');
    expect(run.stdout).toContain(`Kernel panic - not syncing: out of memory: the machine's heap reached its limit of ${parseInt(heap)} MiB (--heap) in module probe-heap\n`);
    expect(run.stdout).not.toMatch(/^never$/m);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(2);
  });

  it('--help shows the heap option and its default; a heap it cannot use is one line, exit status 2', () => {
    expect(runCli(['--help']).stdout).toMatch(/^ {6}--heap SIZE {11}the machine thread's heap .*\(default: 512M\)$/m);
    for (const heap of ['1K', '16M', 'lots', '1000000G']) {
      const run = boot(['--heap', heap, '--exec', 'lsmod']);
      expect(run.stderr).toBe(`keel: boot failed: --heap ${heap}: expected a whole number of megabytes from 32M to 64G, such as 512M\n`);
      expect(run.status).toBe(2);
    }
  });
});

describe('a result too large to print', () => {
  it('a 200 MB string returned to call is cut after 64 KiB with a line that says so, and the shell runs on', () => {
    const run = boot(['--exec', 'call probe-heap bigResult 200; echo alive']);
    const lines = run.stdout.split('\n');
    const printed = lines.find((line) => line.startsWith('"0123456789abcdef'))!;
    expect(printed).toHaveLength(65_536);
    expect(lines[lines.indexOf(printed) + 1]).toBe('call: probe-heap.bigResult returned 209715202 characters of JSON: the first 65536 are printed');
    expect(lines).toContain('alive');
    expect(run.stdout.length).toBeLessThan(80_000);
    expect(run.status).toBe(0);
  });
});
