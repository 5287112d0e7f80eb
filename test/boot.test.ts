/*
 * Build → boot → shell, in-process: the whole path a user takes with `npm start`.
 */
import { createFsFromVolume, Volume } from 'memfs';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE_IMAGE_BUDGET, build } from '../build.ts';
import { bootKernel, buildInMemory, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

describe('build', () => {
  it('keeps the base image within its budget and lists every module', async () => {
    const { result } = await buildInMemory();
    expect(result.imageSections.text + result.imageSections.init).toBeLessThanOrEqual(BASE_IMAGE_BUDGET);
    expect(result.modules.map(({ record }) => record.name)).toEqual(expect.arrayContaining(['hello', 'shell']));
    expect(result.report).toMatch(/base image share \d+\.\d%/);
  });

  it('fails with one line when the base image is over its budget, and writes nothing', async () => {
    const volume = new Volume();
    const fs = createFsFromVolume(volume) as never;
    await expect(build({ fs, outDir: '/dist', quiet: true, baseImageBudget: 1024 })).rejects.toThrow(
      /^base image is \d+ bytes, over its budget of 1024: move code into a module$/,
    );
    expect(volume.toJSON()).toEqual({});
  });

  it('derives dependencies and exports from the bundles', async () => {
    const { result } = await buildInMemory();
    const hello = result.modules.find(({ record }) => record.name === 'hello')!.record;
    expect(hello.exports).toEqual(['exit', 'greet', 'init']);
    // keel:kernel is the kernel module's API: importing it makes the kernel a dependency.
    expect(hello.depends).toEqual(['kernel']);
  });
});

describe('boot', () => {
  it('boots into the shell with only the kernel, the init module and what it imports loaded', async () => {
    kernel = await bootKernel();
    expect(await kernel.run('lsmod')).toMatch(/^Module +Size +Used by\nkernel +\d+ +2 sysinfo,shell \[permanent\]\nsysinfo +\d+ +1 shell \[permanent\]\nshell +\d+ +0 \[permanent\]\n$/);
  });

  it('loads hello with modprobe and shows it in lsmod, /proc/modules lines and modinfo', async () => {
    kernel = await bootKernel();
    expect(await kernel.run('modprobe hello')).toBe('');
    expect(await kernel.run('lsmod')).toMatch(/^hello\s+4096  0$/m);
    expect(await kernel.run('cat /proc/modules')).toMatch(/^hello 4096 0 - Live 0xffffffffc[0-9a-f]{7}$/m);
    const info = await kernel.run('modinfo hello');
    expect(info).toMatch(/^filename:\s+\/lib\/modules\/hello\/1\.0\.0\.js$/m);
    expect(info).toMatch(/^version:\s+1\.0\.0$/m);
    expect(info).toMatch(/^description:\s+The smallest useful module/m);
    expect(info).toMatch(/^depends:\s+kernel$/m);
    expect(info).toMatch(/^size:\s+\d+$/m);
    expect(info).toMatch(/^sha256:\s+[0-9a-f]{64}$/m);
  });

  it('accounts for every frame in free, and module text comes and goes with the module', async () => {
    kernel = await bootKernel();
    const usedFrames = async () => Number(/^Frames:\s+\d+\s+(\d+)/m.exec(await kernel!.run('free'))![1]);
    const moduleText = async () => Number(/module text (\d+)/.exec(await kernel!.run('free'))![1]);
    const before = await usedFrames();
    const textBefore = await moduleText();
    await kernel.run('modprobe hello');
    expect(await usedFrames()).toBe(before + 1);
    expect(await moduleText()).toBe(textBefore + 1);
    await kernel.run('rmmod hello');
    expect(await usedFrames()).toBe(before);
  });

  it('frees its boot-only code and says so in dmesg', async () => {
    kernel = await bootKernel();
    const log = await kernel.run('dmesg');
    expect(log).toMatch(/Freeing unused kernel memory: 4K/);
    expect(await kernel.run('free')).toMatch(/^Used frames: firmware 16, base text \d+, /m);
  });

  it('reports an unknown command and an unknown module clearly, and keeps running', async () => {
    kernel = await bootKernel();
    expect(await kernel.run('frobnicate')).toBe('frobnicate: command not found (try help)\n');
    expect(await kernel.run('modprobe nosuch')).toBe("modprobe: ERROR: could not insert 'nosuch': module nosuch not found in the ramdisk\n");
    expect(await kernel.run('echo still here')).toBe('still here\n');
  });
});
