/*
 * Bad input on the kernel side, in-process: a module whose bytes do not match the index, the
 * same module named in etc/modules, a ramdisk that is not a cpio archive, an init module that
 * does not exist. Each is one clear line for the user, and nothing leaks or is left half-loaded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { readEntries } from '../ramdisk/cpio.ts';
import { bootKernel, buildInMemory, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const HELLO_PATH = 'lib/modules/hello/1.0.0.js';

/** hello's bundle as the build made it (the same whatever etc/modules holds). */
async function helloCode(): Promise<Uint8Array> {
  const { result } = await buildInMemory();
  return result.modules.find(({ record }) => record.name === 'hello')!.code;
}

/** Flips one byte in the middle of hello's bundle, in place, after checking the bundle is there. */
function flipHelloByte(initrd: Uint8Array, code: Uint8Array): void {
  const entry = readEntries(initrd).find(({ name }) => name === HELLO_PATH)!;
  expect(entry.size).toBe(code.length);
  expect(Buffer.from(initrd.subarray(entry.dataOffset, entry.dataOffset + entry.size)).equals(code)).toBe(true);
  initrd[entry.dataOffset + Math.floor(entry.size / 2)]! ^= 0x01;
}

/**
 * A bootKernel tamper hook that corrupts hello. It flips a copy: the harness hands tamper
 * `Buffer#slice()`s of its cached build, which share memory with the cache, so flipping in
 * place would corrupt every later boot in this file.
 */
async function corruptHello(): Promise<(files: { initrd: Uint8Array }) => void> {
  const code = await helloCode();
  return (files) => {
    files.initrd = new Uint8Array(files.initrd);
    flipHelloByte(files.initrd, code);
  };
}

const usedFrames = async (k: TestKernel) => Number(/^Frames:\s+\d+\s+(\d+)/m.exec(await k.run('free'))![1]);
const moduleTextFrames = async (k: TestKernel) => Number(/module text (\d+)/.exec(await k.run('free'))![1]);

describe('a module whose bytes do not match the index', () => {
  it('modprobe refuses it with one line naming sha256 and the module, and nothing leaks', async () => {
    kernel = await bootKernel({ tamper: await corruptHello() });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await usedFrames(kernel);
    const textBefore = await moduleTextFrames(kernel);

    const output = await kernel.run('modprobe hello');
    const lines = output.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^modprobe: ERROR: could not insert 'hello': .*sha256/);
    expect(lines[0]).toMatch(/hello/);

    expect(await kernel.run('lsmod')).toBe(lsmodBefore);
    expect(await usedFrames(kernel)).toBe(framesBefore);
    expect(await moduleTextFrames(kernel)).toBe(textBefore);
  });

  it('fails the same way every time, and the shell keeps working', async () => {
    kernel = await bootKernel({ tamper: await corruptHello() });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await usedFrames(kernel);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await kernel.run('modprobe hello; echo still here')).toMatch(/^modprobe: ERROR: could not insert 'hello': .*sha256.*\nstill here\n$/);
    }
    expect(await usedFrames(kernel)).toBe(framesBefore);
    expect(await kernel.run('rmmod hello')).toBe('rmmod: ERROR: Module hello is not currently loaded\n');
    expect(await kernel.run('modinfo hello')).toMatch(/^version:\s+1\.0\.0$/m);
    expect(await kernel.run('echo ok')).toBe('ok\n');
    expect(await kernel.run('lsmod')).toBe(lsmodBefore);
    expect(await kernel.halt()).toBe(1);
    kernel = undefined;
  });

  it('listed in etc/modules: boot logs one error line and still reaches a working shell', async () => {
    const clean = await bootKernel({ build: { etcModules: [] } });
    const cleanLsmod = await clean.run('lsmod');
    const cleanText = await moduleTextFrames(clean);
    await clean.halt();

    kernel = await bootKernel({ build: { etcModules: ['hello'] }, tamper: await corruptHello() });
    expect(kernel.console).toMatch(/cannot load hello/);
    const errors = kernel.console.split('\n').filter((line) => /etc\/modules/.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[\s*\d+\.\d{6}\] keel: etc\/modules: cannot load hello: .*sha256/);
    expect(kernel.console).not.toMatch(/Kernel panic/);

    expect(await kernel.run('lsmod')).toBe(cleanLsmod);
    expect(await moduleTextFrames(kernel)).toBe(cleanText);
    expect(await kernel.run('echo works')).toBe('works\n');
    expect(await kernel.run('dmesg')).toMatch(/cannot load hello/);
  });

  it('a good hello in etc/modules is loaded at boot (the control for the test above)', async () => {
    kernel = await bootKernel({ build: { etcModules: ['hello'] } });
    expect(kernel.console).not.toMatch(/cannot load/);
    expect(await kernel.run('lsmod')).toMatch(/^hello\s+4096  0$/m);
  });
});

describe('a machine that cannot get to init', () => {
  /** Powers on a Machine with the built image; collects the console in machine.output. */
  async function powerOn(options: { initrd?: (initrd: Uint8Array) => unknown; cmdline?: string }) {
    const { image, initrd } = await buildInMemory();
    const ramdisk = new Uint8Array(initrd); // a real copy: Buffer#slice would share the cached bytes
    options.initrd?.(ramdisk);
    const machine = new Machine({ image: new Uint8Array(image), initrd: ramdisk, cmdline: options.cmdline ?? 'init=shell quiet' });
    expect(() => machine.powerOn()).not.toThrow();
    return machine;
  }

  /** The exit status (a kernel that never panics fails the test at the runner's timeout). */
  const status = (machine: Machine) => machine.halted;

  it('a corrupt ramdisk (bad magic in the first header) panics, naming the ramdisk', async () => {
    const machine = await powerOn({ initrd: (initrd) => (initrd[0] = 'X'.charCodeAt(0)) });
    expect(await status(machine)).toBe(2);
    const panic = machine.output.split('\n').filter((line) => line.startsWith('Kernel panic - not syncing:'));
    expect(panic).toEqual(['Kernel panic - not syncing: ramdisk: bad magic "X70701" at offset 0']);
    expect(machine.output).toBe(`${panic[0]}\n`);
  });

  it('an empty ramdisk panics, naming the missing index', async () => {
    const { image } = await buildInMemory();
    const machine = new Machine({ image: new Uint8Array(image), initrd: new Uint8Array(0) });
    expect(() => machine.powerOn()).not.toThrow();
    expect(await status(machine)).toBe(2);
    expect(machine.output).toBe('Kernel panic - not syncing: ramdisk: lib/modules/index.jsonl is not in the archive\n');
  });

  it('an init module that does not exist panics with "No working init found"', async () => {
    const machine = await powerOn({ cmdline: 'init=nosuch quiet' });
    expect(await status(machine)).toBe(2);
    expect(machine.output).toMatch(/^Kernel panic - not syncing: No working init found \(init=nosuch: module nosuch not found in the ramdisk\)$/m);
    expect(machine.output).not.toMatch(/keel# /);
  });

  it('a corrupt init module panics too, naming the hash', async () => {
    const code = await helloCode();
    const machine = await powerOn({ cmdline: 'init=hello quiet', initrd: (initrd) => flipHelloByte(initrd, code) });
    expect(await status(machine)).toBe(2);
    expect(machine.output).toMatch(/^Kernel panic - not syncing: No working init found \(init=hello: .*sha256.*\)$/m);
  });
});
