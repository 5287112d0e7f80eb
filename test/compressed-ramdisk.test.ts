/*
 * Compressed ramdisks end to end, as Linux users make them: the build's archive gzip-compressed,
 * a tree repacked with `find . | cpio -o -H newc | gzip`, and gzip and plain archives
 * concatenated in any order with zero padding between — each boots, the later etc/modules
 * counting, modules checked against the index as ever (the firmware inflates before the kernel
 * runs: emulator/initrd-inflate.ts). The user's path is `npm run boot` on a folder holding them.
 * And what cannot boot says so in one line: damaged gzip data, garbage after it and a gzip
 * bomb (`keel: boot failed: ...`, exit status 2), another compression (the kernel's panic).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BootError } from '../emulator/firmware.ts';
import { Machine } from '../emulator/machine.ts';
import { writeCpio } from '../ramdisk/cpio-writer.ts';
import { runCli } from './cli-process.ts';
import { bootKernel, buildInMemory, writeBuild, type TestKernel } from './harness.ts';
import { thrownBy } from './test-helpers.ts';
import { requireToolsOf } from './tools.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});
const scratch = mkdtempSync(path.join(tmpdir(), 'keel-compressed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text));
const concatenate = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const gzip = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes));
const initrdOf = async () => new Uint8Array((await buildInMemory()).initrd);
const etcModules = (text: string) => writeCpio([{ name: 'etc/modules', data: bytesOf(text) }]);
const boot = async (initrd: Uint8Array) => (kernel = await bootKernel({ tamper: (files) => (files.initrd = initrd) }));
const WALKED = /ramdisk: the index's offsets do not fit this archive/;

/** powerOn's BootError with `initrd` in a machine of `memoryBytes`: its one line. */
async function bootFailure(initrd: Uint8Array, memoryBytes?: number): Promise<string> {
  const { image } = await buildInMemory();
  const error = thrownBy(() => new Machine({ image: new Uint8Array(image), initrd, memoryBytes }).powerOn());
  expect(error).toBeInstanceOf(BootError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

describe('the build\'s ramdisk gzip-compressed', () => {
  it('boots as the archive itself: the index\'s offsets fit, every module checked and signed', async () => {
    const booted = await boot(gzip(await initrdOf()));
    expect(await booted.run('modprobe hello; call hello greet you')).toBe('"Hello, you!"\n');
    expect(await booted.run('lsmod')).not.toMatch(/tainted/);
    expect((await booted.run('dmesg')).split('\n').filter((line) => WALKED.test(line))).toEqual([]);
  });
});

describe('gzip and plain archives concatenated, in any order', () => {
  it.each([
    ['plain, then gzip', (initrd: Uint8Array) => concatenate(initrd, gzip(etcModules('kv\n')))],
    ['plain, zero padding, then gzip', (initrd: Uint8Array) => concatenate(initrd, new Uint8Array(512), gzip(etcModules('kv\n')))],
    ['gzip, then plain', (initrd: Uint8Array) => concatenate(gzip(initrd), etcModules('kv\n'))],
    ['gzip, zero padding of 3 bytes, then plain', (initrd: Uint8Array) => concatenate(gzip(initrd), new Uint8Array(3), etcModules('kv\n'))],
    ['gzip, then gzip', (initrd: Uint8Array) => concatenate(gzip(initrd), gzip(etcModules('kv\n')))],
    ['plain, gzip, plain: the last etc/modules counts', (initrd: Uint8Array) => concatenate(initrd, gzip(etcModules('hello\n')), new Uint8Array(512), etcModules('kv\n'))],
  ])('%s: the later etc/modules replaces the build\'s, and dmesg says which entry counts', async (_case, layout) => {
    const booted = await boot(layout(await initrdOf()));
    expect(await booted.run('lsmod')).toMatch(/^kv /m);
    expect(await booted.run('lsmod')).not.toMatch(/^hello /m);
    expect(await booted.run('cat /etc/modules')).toBe('kv\n');
    expect(await booted.run('dmesg')).toMatch(/^\[\s*[\d.]+\] ramdisk: etc\/modules is given by \d entries: the last one, at offset \d+, counts$/m);
  });
});

describe('what does not boot, in one line', () => {
  it('gzip data cut short, with a wrong CRC, or with garbage after it: the firmware refuses, naming the offset', async () => {
    const compressed = gzip(await initrdOf());
    expect(await bootFailure(compressed.subarray(0, compressed.length - 1000))).toBe('ramdisk: gzip data at offset 0: cut short, the file ends inside it');
    const wrongCrc = new Uint8Array(compressed);
    wrongCrc[wrongCrc.length - 6]! ^= 0x40;
    expect(await bootFailure(wrongCrc)).toMatch(/^ramdisk: gzip data at offset 0: its CRC does not match the data inflated \(trailer 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\)$/);
    expect(await bootFailure(concatenate(compressed, bytesOf('garbage')))).toBe(`ramdisk: bytes that are no cpio archive, gzip data or zero padding ("garbag") at offset ${compressed.length}, after gzip data`);
  });

  it('a gzip bomb: not enough memory, said before anything is placed', async () => {
    const bomb = concatenate(gzip(await initrdOf()), gzip(new Uint8Array(32 * 1024 * 1024)));
    expect(await bootFailure(bomb, 16 * 1024 * 1024)).toMatch(/^not enough memory: the ramdisk inflates past the machine's \d+ KiB, at the gzip data at offset \d+$/);
  });

  it.each([
    ['xz', Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
    ['zstd', Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00])],
    ['bzip2', bytesOf('BZh91AY&SY')],
  ])('%s data: the kernel panics naming it (keel inflates gzip only)', async (format, magic) => {
    const { image } = await buildInMemory();
    const machine = new Machine({ image: new Uint8Array(image), initrd: concatenate(magic, new Uint8Array(200)), cmdline: 'init=shell quiet' });
    machine.powerOn();
    expect(await machine.halted).toBe(2);
    expect(machine.output).toBe(`Kernel panic - not syncing: ramdisk: ${format} data (keel inflates gzip only) at offset 0\n`);
  });
});

describe('npm run boot on a gzip-compressed ramdisk, made with the real tools', () => {
  const sh = (command: string, cwd: string) => {
    requireToolsOf(command);
    const run = spawnSync('sh', ['-c', command], { cwd, maxBuffer: 1 << 26 });
    expect(run.status, `${command}: ${run.stderr}`).toBe(0);
  };
  const dist = async (label: string) => {
    const folder = path.join(scratch, label);
    await writeBuild(folder);
    return folder;
  };

  it('gzip of the build\'s initrd.cpio, and find | cpio -o -H newc | gzip of the tree unpacked: both boot and load modules', async () => {
    const compressed = await dist('gzip');
    sh('gzip -9 < initrd.cpio > initrd.gz && mv initrd.gz initrd.cpio', compressed);
    const repacked = await dist('repacked');
    const tree = path.join(scratch, 'tree');
    mkdirSync(tree);
    sh(`cpio -idm --quiet < ${path.join(repacked, 'initrd.cpio')} && find . | cpio -o -H newc --quiet | gzip > ${path.join(repacked, 'initrd.cpio')}`, tree);
    for (const folder of [compressed, repacked]) {
      const run = runCli(['--dist', folder, '--exec', 'modprobe kv; lsmod; cat /etc/modules']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^kv /m);
    }
  });

  it('an etc/modules appended gzip-compressed with cpio | gzip overrides the build\'s', async () => {
    const folder = await dist('appended');
    const extra = path.join(scratch, 'extra');
    mkdirSync(path.join(extra, 'etc'), { recursive: true });
    writeFileSync(path.join(extra, 'etc/modules'), 'kv\n');
    sh(`(find etc | cpio -o -H newc --quiet | gzip) >> ${path.join(folder, 'initrd.cpio')}`, extra);
    const run = runCli(['--dist', folder, '--exec', 'lsmod; cat /etc/modules']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^kv /m);
    expect(run.stdout).toMatch(/^kv\n/m);
  });

  it('a gzip bomb from the CLI: one line on stderr, exit status 2, no stack trace', async () => {
    const folder = await dist('bomb');
    sh('head -c 64M /dev/zero | gzip -1 >> initrd.cpio', folder);
    const run = runCli(['--dist', folder, '--mem', '16M', '--exec', 'lsmod']);
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^keel: boot failed: not enough memory: the ramdisk inflates past the machine's \d+ KiB, at the gzip data at offset \d+$/)]);
    expect(run.stdout).not.toMatch(/keel#/);
  });
});
