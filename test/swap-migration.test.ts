/*
 * Live objects across a swap: the old version's code is collected although its objects live
 * on in other modules — they hold handles that keep their identity and now lead to objects of
 * the new version, with exactly the old state — private fields included, through the classes'
 * exportInstance/importInstance; a swap that fails halfway leaves every old object as it was.
 */
import { getHeapCodeStatistics } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { bootKernel, frameCounts, runUntil, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const boot = () => bootKernel({ build: WITH_FIXTURES });
/** What `swap ARGUMENTS` prints, for a swap that may roll back. */
const swapLine = async (words: string) => (await kernel!.run(`swap ${words}`)).trim();
const zombies = async () => (await kernel!.run('lsmod')).split('\n').filter((line) => line.includes('[Zombie]'));
/** The versions of `module` whose code dmesg says was reclaimed, sorted (one collection finalizes in any order). */
const reclaimed = (dmesg: string, module: string) => [...dmesg.matchAll(new RegExp(`keel: ${module} (\\S+): code reclaimed by the host`, 'g'))].map((match) => match[1]).sort();

async function settledCodeBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  for (let round = 0; round < 4; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
  }
  const statistics = getHeapCodeStatistics();
  return statistics.bytecode_and_metadata_size + statistics.code_and_metadata_size;
}

describe('the workload demo: scheduler swapped while its tasks are held', () => {
  it('1 -> 2 -> 1 -> 2: every old version reclaimed, no zombie, tasks correct, no wrong answers', async () => {
    kernel = await boot();
    await kernel.run('modprobe workload; call workload start 1 5; swap kv');
    for (const version of ['2.0.0', '1.0.0', '2.0.0']) expect(await kernel.swap('scheduler', version)).toMatch(/ 3 state entries transferred, 3 objects migrated, /);
    const dmesg = await runUntil(kernel, 'dmesg', /(scheduler \S+: code reclaimed[^]*){3}/);
    expect(reclaimed(dmesg, 'scheduler')).toEqual(['1.0.0', '1.0.0', '2.0.0']);
    expect(dmesg).not.toMatch(/is a zombie/);
    expect(await zombies()).toEqual([]);
    await kernel.run('call workload stop');
    const report = JSON.parse(await kernel.run('call workload report'));
    expect(report.tasks).toEqual([
      expect.stringMatching(/^editor: priority 3, credit \d+, ran \d+ times \(priority with aging\)$/),
      expect.stringMatching(/^compiler: priority 2, credit \d+, ran \d+ times \(priority with aging\)$/),
      expect.stringMatching(/^backup: priority 1, credit \d+, ran \d+ times \(priority with aging\)$/),
    ]);
    const runs = report.tasks.map((task: string) => Number(/ran (\d+) times/.exec(task)![1]));
    expect(runs).toEqual(['editor', 'compiler', 'backup'].map((name) => report.scheduled[name]));
    expect(report).toMatchObject({ wrongAnswers: 0, errors: 0 });
  });

  it('1,000 swaps with 100 live tasks held by another module: every field exact, frames exact, no zombie, host code bounded', async () => {
    kernel = await boot();
    await kernel.run('modprobe scheduler; modprobe swap; modprobe task-holder');
    expect(await kernel.call('task-holder', 'churn', 100)).toEqual({ swaps: 100, failures: [], wrong: [], live: 100 });
    const frames = await frameCounts(kernel);
    const code = await settledCodeBytes();
    expect(await kernel.call('task-holder', 'churn', 1000)).toEqual({ swaps: 1000, failures: [], wrong: [], live: 100 });
    expect(await frameCounts(kernel)).toEqual(frames);
    // Every version the holder's tasks came from must be collected: wait for the monitor's last verdict.
    expect(await runUntil(kernel, 'call task-holder reclaimWatch', /"waiting":0,/)).toBe('{"waiting":0,"zombies":0}\n');
    expect(await kernel.run('dmesg')).not.toMatch(/is a zombie/);
    expect(await zombies()).toEqual([]);
    const growth = (await settledCodeBytes()) - code;
    console.log(`1,000 scheduler swaps with 100 live tasks: host code grew ${growth} B`);
    // One scheduler version is about 10 KB of code; a leak of even a tenth of the versions would be 1 MB.
    expect(growth).toBeLessThan(256 * 1024);
  }, 300_000);
});

describe('objects with private state, through exportInstance and importInstance', () => {
  /** accounts 1.0.0 with its state in every kind of collection, and a holder of four handles. */
  async function bootWithAccounts(names = ['alice', 'bob', 'carol', 'dave']) {
    kernel = await boot();
    await kernel.run(`modprobe swap; call account-holder open ${names.join(' ')}`);
    await kernel.run('call account-holder deposit alice 10; call account-holder deposit alice 2.5; call account-holder deposit bob 7; call accounts deposit carol 1');
    await kernel.run(`call accounts guarantee alice bob; call accounts guarantee ${names[2]} alice; call accounts freeze ${names[3]}; call accounts freeze bob`);
    await kernel.run(`call accounts note ${names[2]} overdrawn; call accounts note alice fine; call accounts setPrimary ${names[2]}`);
    return { summary: await kernel.call('accounts', 'summary'), held: await kernel.call('account-holder', 'check') };
  }
  const withVersion = (held: unknown, version: string) =>
    Object.fromEntries(Object.entries(held as Record<string, { describe: string }>).map(([name, entry]) => [name, { ...entry, describe: expect.stringMatching(new RegExp(`\\(accounts ${version.replace(/\./g, '\\.')}\\)$`)) }]));

  it('swaps both ways: state exact in every collection, handles the same objects, private fields and all', async () => {
    const before = await bootWithAccounts();
    expect(before.summary).toMatchObject({ frozen: ['dave', 'bob'], notes: [['carol', 'overdrawn'], ['alice', 'fine']], primary: 'carol' });
    for (const version of ['2.0.0', '1.0.0']) {
      expect(await kernel!.swap('accounts', version)).toMatch(/ 4 state entries transferred, 4 objects migrated, /);
      expect(await kernel!.call('accounts', 'version')).toBe(version);
      expect(await kernel!.call('accounts', 'selfCheck')).toEqual([]);
      expect(await kernel!.call('accounts', 'summary')).toEqual(before.summary);
      const held = await kernel!.call('account-holder', 'check');
      expect(held).toEqual(withVersion(before.held, version));
      expect(Object.values(held as object).every((entry) => entry.same)).toBe(true);
    }
    expect(await kernel!.call('account-holder', 'deposit', 'alice', 1)).toBe(13.5);
    expect(reclaimed(await runUntil(kernel!, 'dmesg', /accounts 2\.0\.0: code reclaimed/), 'accounts')).toEqual(['1.0.0', '2.0.0']);
    expect(await zombies()).toEqual([]);
  });

  it('a handle held across ten swaps still answers, is still the handle find() gives, and its account counted every deposit', async () => {
    await bootWithAccounts();
    for (let swap = 0; swap < 10; swap++) {
      expect(await kernel!.swap('accounts', swap % 2 === 0 ? '2.0.0' : '1.0.0')).toMatch(/objects migrated/);
      expect(await kernel!.call('account-holder', 'deposit', 'dave', 1)).toBe(swap + 1);
    }
    expect(await kernel!.call('account-holder', 'check')).toMatchObject({ dave: { same: true, balance: 10, describe: 'dave: 10 (accounts 1.0.0)' }, alice: { same: true, balance: 12.5 } });
    expect((await kernel!.call('accounts', 'summary') as { opened: Array<{ name: string; history: number[] }> }).opened[3]).toMatchObject({ name: 'dave', history: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] });
  });
});

describe('a swap that fails halfway rolls back: every old object as it was, the old version serving', () => {
  async function expectUntouched(before: { summary: unknown; held: unknown }, frames: unknown) {
    expect(await kernel!.call('accounts', 'version')).toBe('1.0.0');
    expect(await kernel!.call('accounts', 'untouched')).toBe(true);
    expect(await kernel!.call('accounts', 'selfCheck')).toEqual([]);
    expect(await kernel!.call('accounts', 'summary')).toEqual(before.summary);
    expect(await kernel!.call('account-holder', 'check')).toEqual(before.held);
    expect(await kernel!.call('account-holder', 'deposit', 'alice', 1)).toBe(11);
    expect(await frameCounts(kernel!)).toEqual(frames);
  }
  async function bootAccounts(names: string[]) {
    kernel = await boot();
    await kernel.run(`modprobe swap; call account-holder open ${names.join(' ')}; call account-holder deposit alice 10; call accounts guarantee alice bob`);
    await kernel.run(`call accounts freeze ${names[2]}; call accounts note ${names[2]} watch; call accounts setPrimary ${names[2]}`);
    return { before: { summary: await kernel.call('accounts', 'summary'), held: await kernel.call('account-holder', 'check') }, frames: await frameCounts(kernel) };
  }

  it('importInstance throws at the third of four objects: two new objects made, references re-pointed, all undone', async () => {
    const { before, frames } = await bootAccounts(['alice', 'bob', 'mallory', 'carol']);
    expect(await swapLine('accounts 3.0.0')).toBe(
      'swap: accounts 1.0.0 -> 3.0.0: rolled back, accounts stays at 1.0.0: 3.0.0 Account.importInstance failed: 3.0.0 takes no account of mallory from 1.0.0',
    );
    await expectUntouched(before, frames);
  });

  it('importState throws after every object was replaced and every reference re-pointed: all undone', async () => {
    const { before, frames } = await bootAccounts(['alice', 'bob', 'trent', 'carol']);
    expect(await swapLine('accounts 3.0.0')).toBe(
      'swap: accounts 1.0.0 -> 3.0.0: rolled back, accounts stays at 1.0.0: 3.0.0 refused the state of 1.0.0 (format 1): trent may not bank here',
    );
    await expectUntouched(before, frames);
  });

  it.each([
    ['an exportInstance of the old version that throws', 'eve', 'accounts 1.0.0 -> 3.0.0: rolled back, accounts stays at 1.0.0: 1.0.0 Account.exportInstance failed: eve\'s books are closed'],
    ['an importInstance that returns no object', 'nobody', 'accounts 1.0.0 -> 3.0.0: rolled back, accounts stays at 1.0.0: 3.0.0 Account.importInstance returned undefined, not an object'],
  ])('%s: rolled back, saying so', async (_case, name, line) => {
    const { before, frames } = await bootAccounts(['alice', 'bob', name, 'carol']);
    expect(await swapLine('accounts 3.0.0')).toBe(`swap: ${line}`);
    await expectUntouched(before, frames);
  });

  it('objects built by importInstance that refer to each other in a cycle cannot be rebuilt: rolled back, saying so', async () => {
    const { before, frames } = await bootAccounts(['alice', 'bob', 'carol', 'dave']);
    await kernel!.run('call accounts guarantee bob alice');
    const cyclic = { ...before, summary: await kernel!.call('accounts', 'summary') };
    expect(await swapLine('accounts 2.0.0')).toBe(
      'swap: accounts 1.0.0 -> 2.0.0: rolled back, accounts stays at 1.0.0: Account objects refer to each other in a cycle through importInstance, which cannot be rebuilt',
    );
    await expectUntouched(cyclic, frames);
  });

  it('an object in a read-only place of the state cannot be re-pointed: rolled back, saying so', async () => {
    const { before, frames } = await bootAccounts(['alice', 'bob', 'carol', 'dave']);
    await kernel!.run('call accounts seal');
    expect(await swapLine('accounts 2.0.0')).toBe(
      'swap: accounts 1.0.0 -> 2.0.0: rolled back, accounts stays at 1.0.0: a replaced object is referenced from a read-only property account, which cannot be re-pointed',
    );
    await expectUntouched(before, frames);
  });
});

it('a handle on an object of a class the module does not export is revoked by a swap, as a callback is: the old code is not kept for it', async () => {
  kernel = await boot();
  await kernel.run('modprobe swap; call catalog-keeper keep lamp');
  expect(await kernel.call('catalog-keeper', 'use')).toEqual({ item: 'lamp (catalog 1.0.0)', receipt: 'receipt for lamp (catalog 1.0.0)' });
  expect(await kernel.swap('catalog', '2.0.0')).toMatch(/1 object migrated/);
  expect(await kernel.call('catalog-keeper', 'use')).toEqual({ item: 'lamp (catalog 2.0.0)', receipt: 'ModuleUnloadedError: catalog.Receipt.describe: module catalog was unloaded' });
  expect(await runUntil(kernel, 'dmesg', /catalog 1\.0\.0: code reclaimed by the host/)).not.toMatch(/is a zombie/);
});

describe('what the swap does in its pause does not grow with the state', () => {
  it('kv adopts the Map the version before handed over, both ways, instead of copying it', async () => {
    kernel = await boot();
    await kernel.run('modprobe kv; call kv set colour blue');
    expect(await kernel.call('swap-driver', 'keepsTheStore')).toBe(true);
    expect(await kernel.call('kv', 'get', 'colour')).toBe('blue');
  });

  it('a module told where its objects are (StateHandover.objects) is not walked elsewhere; without it, all of its state is', async () => {
    kernel = await boot();
    await kernel.run('modprobe swap; call catalog add lamp');
    expect(await kernel.swap('catalog', '2.0.0')).toMatch(/1 object migrated/);
    expect(await kernel.call('catalog', 'plainReads')).toBe(1);
    await kernel.run('call catalog tellWhere true');
    expect(await kernel.swap('catalog', '1.0.0')).toMatch(/1 object migrated/);
    expect(await kernel.call('catalog', 'plainReads')).toBe(1);
    expect(await kernel.run('call catalog add chair; swap catalog 2.0.0')).toMatch(/2 objects migrated/);
  });
});
