/*
 * Every zombie explained: each way docs/architecture.md lists of keeping replaced or unloaded
 * code alive, made on purpose by the z* fixtures, and the holder the kernel names for it — in
 * dmesg when the zombie is found, with the shell's `zombies` and the harness's zombieHolders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bootKernel, runUntil, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const boot = async () => (kernel = await bootKernel({ build: WITH_FIXTURES }));
const zombieLine = (name: string) => runUntil(kernel!, 'dmesg', new RegExp(`keel: ${name} \\S+ is a zombie: .*`)).then((log) => new RegExp(`keel: ${name} \\S+ is a zombie: .*`).exec(log)![0]);

describe('the holder of a zombie, named in module terms', () => {
  it('a plain object with a function inside, kept by another module: dmesg, zombies and the harness name the module and the path', async () => {
    await boot();
    await kernel!.run('modprobe zholder 1.0.0');
    expect(await kernel!.call('zholder', 'keep', 'zvictim')).toBe(1);
    expect(await kernel!.run('rmmod zvictim')).toBe('');
    expect(await zombieLine('zvictim')).toBe('keel: zvictim 1.0.0 is a zombie: held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)');
    expect(await kernel!.run('lsmod')).toMatch(/^zvictim\s+0  - \[Zombie\]$/m);
    expect(await kernel!.zombieHolders('zvictim')).toEqual(['held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)']);
    const verbose = await kernel!.run('zombies -v zvictim');
    console.log(verbose);
  });
});
