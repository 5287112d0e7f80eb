/*
 * Hot swap through the shell: versions move both ways with their state, live objects run the
 * new code, and every rollback cause leaves the old version serving with memory exact.
 * (Swaps under load, by the thousand, are in soak/swaps.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bootKernel, frameCounts, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const boot = (cmdline = 'init=shell quiet') => bootKernel({ build: WITH_FIXTURES, cmdline });

describe('swap kv and scheduler', () => {
  it('moves kv to the newest version and back, state kept, modinfo showing the loaded version', async () => {
    kernel = await boot();
    await kernel.run('modprobe kv; call kv set colour blue; call kv set size 3');
    expect(await kernel.run('modinfo kv')).toMatch(/^version:\s+1\.0\.0$/m);
    expect((await kernel.run('swap kv')).trim()).toMatch(/^swap: kv 1\.0\.0 -> 2\.0\.0: quiescent in \d+\.\d\d ms, callers paused \d+\.\d\d ms, 2 state entries transferred, 1 text frame freed, \d+\.\d\d ms in all$/);
    expect(await kernel.run('modinfo kv')).toMatch(/^version:\s+2\.0\.0$/m);
    expect(await kernel.run('call kv policy')).toMatch(/least recently used/);
    expect(await kernel.run('call kv get colour')).toBe('"blue"\n');
    expect(await kernel.run('swap kv 1.0.0')).toMatch(/^swap: kv 2\.0\.0 -> 1\.0\.0: .* 2 state entries transferred/);
    expect(await kernel.run('call kv get size')).toBe('3\n');
    expect(await kernel.run('call kv policy')).toBe('"unbounded map"\n');
  });

  it('migrates objects other modules hold: the tasks they hold now run the new policy', async () => {
    kernel = await boot();
    await kernel.run('call workload start 1 5');
    expect(await kernel.run('swap scheduler')).toMatch(/scheduler 1\.0\.0 -> 2\.0\.0: .* 3 state entries transferred, 3 objects migrated/);
    expect(await kernel.run('call workload report')).toMatch(/"editor: priority 3, credit \d+, ran \d+ times \(priority with aging\)"/);
    await kernel.run('swap kv; swap scheduler 1.0.0; swap kv 1.0.0; call workload stop');
    const report = JSON.parse(await kernel.run('call workload report'));
    expect(report.tasks[0]).toMatch(/^editor: priority 3, ran \d+ times \(round robin\)$/);
    expect(report.wrongAnswers).toBe(0);
    expect(report.errors).toBe(0);
  });

  it('holds calls that arrive while it waits for quiescence, and the new version answers them', async () => {
    kernel = await boot();
    await kernel.run('modprobe swappy');
    const result = JSON.parse(await kernel.run('call swap-driver heldCall'));
    expect(result).toMatchObject({ inFlight: 1, held: '2.0.0', syncMeanwhile: '1.0.0', after: '2.0.0', value: 1 });
    expect(result.summary).toMatch(/^swap: swappy 1\.0\.0 -> 2\.0\.0: quiescent in (\d+\.\d\d) ms/);
    expect(Number(/quiescent in (\d+\.\d\d)/.exec(result.summary)![1])).toBeGreaterThan(0);
  });

  it('refuses to unload the module while a swap holds its calls, even once no call is in flight', async () => {
    kernel = await boot();
    await kernel.run('modprobe swappy');
    const result = JSON.parse(await kernel.run('call swap-driver unloadWhileSwapping'));
    expect(result.rmmod).toBe('Module swappy is in use');
    expect(result.summary).toMatch(/^swap: swappy 1\.0\.0 -> 2\.0\.0: quiescent/);
    expect(await kernel.run('call swappy version')).toBe('"2.0.0"\n');
  });
});

describe('refusals and rollbacks leave the old version serving, memory exact', () => {
  async function bootWithSwappy(cmdline?: string) {
    kernel = await boot(cmdline);
    await kernel.run('modprobe swappy-user; call swappy-user bumpTwice; modprobe swap; modprobe swap-driver');
    return { frames: await frameCounts(kernel), lsmod: await kernel.run('lsmod') };
  }
  async function expectUnchanged(before: { frames: unknown; lsmod: string }) {
    expect(await kernel!.run('call swappy version')).toBe('"1.0.0"\n');
    expect(await kernel!.run('call swappy value')).toBe('2\n');
    expect(await kernel!.run('call swappy-user bumpTwice')).toBe('4\n');
    await kernel!.run('call swappy-user bumpTwice');
    expect(await frameCounts(kernel!)).toEqual(before.frames);
    expect(await kernel!.run('lsmod')).toBe(before.lsmod);
  }

  it.each([
    ['the new version whose init throws', '3.0.0', /rolled back, swappy stays at 1\.0\.0: the new version failed to load: swappy: init failed: swappy 3\.0\.0 cannot start$/],
    ['a new version that refuses the state', '4.0.0', /rolled back, swappy stays at 1\.0\.0: 4\.0\.0 refused the state of 1\.0\.0 \(format 1\): format 1 is too old for me$/],
    ['a new version with no importState for the state', '6.0.0', /rolled back, swappy stays at 1\.0\.0: 6\.0\.0 has no importState for the state 1\.0\.0 hands over$/],
  ])('%s', async (_cause, version, message) => {
    const before = await bootWithSwappy();
    const output = await kernel!.run(`swap swappy ${version}`);
    expect(output.trim()).toMatch(message);
    await expectUnchanged({ ...before, frames: before.frames });
    expect(await kernel!.run('dmesg')).toMatch(new RegExp(`swappy ${version.replace(/\./g, '\\.')}: code reclaimed by the host|loaded swappy`));
  });

  it('the time limit: an async call that outlasts it rolls the swap back', async () => {
    const before = await bootWithSwappy('init=shell quiet swap.timeout=40');
    const output = await kernel!.run('call swap-driver swapWhileSlow 300 2.0.0');
    expect(output).toBe('"swap: swappy 1.0.0 -> 2.0.0: rolled back, swappy stays at 1.0.0: not quiescent after 40 ms (1 async call still in flight)"\n');
    await expectUnchanged(before);
  });

  it('a version that drops a symbol a loaded dependent imports is refused before anything changes', async () => {
    const before = await bootWithSwappy();
    expect((await kernel!.run('swap swappy 5.0.0')).trim()).toBe('swap: swappy: refused, nothing changed: swappy 5.0.0 drops bump, which swappy-user imports');
    expect(await kernel!.run('dmesg')).not.toMatch(/loaded swappy 5\.0\.0/);
    await expectUnchanged(before);
  });

  it('a second swap of a module while the first waits for quiescence is refused, and the first completes', async () => {
    const before = await bootWithSwappy();
    const result = JSON.parse(await kernel!.run('call swap-driver swapTwice'));
    expect(result.second).toBe('swap: swappy: refused, nothing changed: a swap of swappy is already in progress');
    expect(result.first).toMatch(/^swap: swappy 1\.0\.0 -> 2\.0\.0: quiescent/);
    expect(await kernel!.run('call swappy version')).toBe('"2.0.0"\n');
    expect((await frameCounts(kernel!)).used).toBe(before.frames.used);
  });

  it('a swap asked for from inside a call into the module is refused at once, without deadlock', async () => {
    const before = await bootWithSwappy();
    expect(await kernel!.run('call swappy swapMyself')).toBe('"swap: swappy: refused, nothing changed: requested from inside a call into swappy: a module cannot be swapped under its own feet"\n');
    await expectUnchanged(before);
  });

  it('a version or module that does not exist, and a swap to the version already loaded', async () => {
    kernel = await boot();
    await kernel.run('modprobe kv');
    expect(await kernel.run('swap kv 9.9.9')).toBe('swap: kv: refused, nothing changed: version 9.9.9 of module kv not found in the ramdisk\n');
    expect(await kernel.run('swap nosuch')).toBe('swap: nosuch: refused, nothing changed: nosuch is not loaded\n');
    expect(await kernel.run('swap kv 1.0.0')).toBe('swap: kv: refused, nothing changed: kv is already at 1.0.0\n');
  });
});

describe('objects the new version cannot take roll the swap back, and keep running the old code', () => {
  /** tallies 1.0.0 with two Tally objects in its state: one that has counted once, one that never has. */
  async function bootWithTallies() {
    kernel = await boot();
    await kernel.run('modprobe swap; modprobe tallies; call tallies open; call tallies addToAll; call tallies open');
    return { frames: await frameCounts(kernel), lsmod: await kernel.run('lsmod') };
  }
  async function expectOldVersionServing(before: { frames: unknown; lsmod: string }) {
    expect(await kernel!.run('call tallies version')).toBe('"1.0.0"\n');
    expect(await kernel!.run('call tallies addToAll')).toBe('[2,1]\n');
    expect(await frameCounts(kernel!)).toEqual(before.frames);
    expect(await kernel!.run('lsmod')).toBe(before.lsmod);
  }

  it('a new version without the class of objects the old one handed out', async () => {
    const before = await bootWithTallies();
    await expect(kernel!.swap('tallies', '2.0.0')).rejects.toThrow(
      new Error('swap: tallies 1.0.0 -> 2.0.0: rolled back, tallies stays at 1.0.0: tallies 2.0.0 has no class Tally for the Tally objects the old version handed out'),
    );
    await expectOldVersionServing(before);
  });

  it('a migrateInstance that throws midway: the old objects, never changed, keep serving', async () => {
    const before = await bootWithTallies();
    await expect(kernel!.swap('tallies', '3.0.0')).rejects.toThrow(
      new Error('swap: tallies 1.0.0 -> 3.0.0: rolled back, tallies stays at 1.0.0: 3.0.0 Tally.migrateInstance failed: 3.0.0 takes no Tally of 1.0.0 that has never counted'),
    );
    await expectOldVersionServing(before);
  });
});
