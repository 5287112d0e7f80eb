/*
 * Swaps started while others are in flight, on the path users run (`npm run boot -- --exec`):
 * a module (probe-race) swaps itself, and other modules, from its timers while the shell swaps
 * the same or another module, or the kernel. A staged new version shows in lsmod as what it
 * is — `probe-race(staged)`, not a second `probe-race` among the kernel's users — and every
 * swap beside it ends in one line: refused at once where it would race it, the kernel's rolled
 * back when it cannot become quiescent. npm run sim's concurrent swaps lane checks the same in
 * any order (sim/modules/sim-driver/concurrent-swaps-operation.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { runCli, type CliRun } from './cli-process.ts';
import { writeBuild } from './harness.ts';

const BUILD = { moduleDirs: ['modules', 'test/fixtures/modules', 'test/fixtures/hostile-modules'].map((folder) => path.join(PROJECT_ROOT, folder)) };
const dist = mkdtempSync(path.join(os.tmpdir(), 'keel-concurrent-swaps-'));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

const boot = (commands: string) => runCli(['--dist', dist, '--cmdline', 'init=shell quiet swap.timeout=500', '--exec', commands]);
const swapLines = (run: CliRun, name: string) => run.stdout.split('\n').filter((line) => new RegExp(`^\\[\\s*[\\d.]+\\] swap: ${name}[ :]`).test(line));

describe('a module that swaps from its timers, beside the shell', () => {
  let run: CliRun;
  beforeAll(async () => {
    await writeBuild(dist, BUILD);
    // probe-race 2.0.0's init waits 1000 ms: its swap stays staged while the shell looks and swaps beside it.
    run = boot(
      'modprobe probe-race 1.0.0; call probe-race swapLater probe-race 2.0.0 0; call swappy slow 100; lsmod; cat /proc/modules; ' +
        'swap probe-race; rmmod probe-race; swap kv 2.0.0; swap kernel; call swappy slow 1500; dmesg | grep "swap: "; lsmod',
    );
  });

  it('lsmod lists a staged version once, as staged, among the users it counts', () => {
    const [during, after] = run.stdout.split('Module                  Size  Used by\n').slice(1);
    expect(during).toMatch(/^kernel\s+\d+\s+7 sysinfo,shell,kv,swap,probe-race,swappy,probe-race\(staged\) \[permanent\]$/m);
    expect(during).toMatch(/^swap\s+\d+\s+2 probe-race,probe-race\(staged\)$/m);
    expect(during).toMatch(/^kv\s+\d+\s+2 probe-race,probe-race\(staged\)$/m);
    expect(run.stdout).toMatch(/^kernel \d+ 8 sysinfo,shell,kv,swap,probe-race,swappy,probe-race\(staged\),rootfs, Live /m);
    expect(after).toMatch(/^kernel\s+\d+\s+7 sysinfo,shell,kv,swap,probe-race,swappy,rootfs \[permanent\]$/m);
    expect(after).not.toContain('staged');
  });

  it('refuses what would race the staged swap, and the kernel rolls back, each in one line', () => {
    expect(run.stdout).toContain('swap: probe-race: refused, nothing changed: a swap of probe-race is already in progress\n');
    expect(run.stdout).toContain('rmmod: ERROR: Module probe-race is in use\n');
    expect(run.stdout).toContain('swap: kv: refused, nothing changed: a swap of probe-race, which imports kv, is under way\n');
    expect(run.stdout).toContain('swap: kernel 1.0.0 -> 1.1.0: rolled back, kernel stays at 1.0.0: the kernel is not quiescent after 500 ms: a swap of probe-race is under way\n');
  });

  it("a module's swap of itself from its timer waits for its own call to swap, and rolls back at the time limit", () => {
    expect(swapLines(run, 'probe-race').pop()).toMatch(/swap: probe-race 1\.0\.0 -> 2\.0\.0: rolled back, probe-race stays at 1\.0\.0: not quiescent after 500 ms \(1 async call still in flight\)$/);
    expect(run.stdout).not.toContain('Kernel panic');
    expect(run.stderr).toBe('');
  });
});

describe('the same module swapped from a timer and from the shell', () => {
  it.each([
    ['kv, its timer first', 'call probe-race swapLater kv 2.0.0 0; call swappy slow 50; swap kv 2.0.0'],
    ['kv, the shell first', 'call probe-race swapLater kv 2.0.0 0; swap kv 2.0.0'],
    ['the kernel', 'call probe-race swapLater kernel 1.1.0 0; swap kernel 1.1.0'],
  ])('%s: one swap succeeds, the other is refused in one line', async (_case, race) => {
    const name = race.includes('kernel') ? 'kernel' : 'kv';
    const raced = boot(`modprobe probe-race 1.0.0; ${race}; call swappy slow 300; dmesg | grep "swap: "; lsmod`);
    const lines = swapLines(raced, name);
    expect(lines).toHaveLength(2);
    expect(lines.filter((line) => / 1\.[01]\.0 -> [12]\.[01]\.0: quiescent in /.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /refused, nothing changed: (a swap of \S+ is already in progress|\S+ is already at \S+)$/.test(line))).toHaveLength(1);
    expect(raced.stdout).not.toMatch(/staged|Kernel panic/);
  });
});
