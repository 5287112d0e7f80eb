/*
 * The kernel as a module, started by the bootstrap that is the whole base image, end to end:
 * lsmod, modinfo and rmmod show it as Linux shows a module in use, `free` shows no frame of
 * the base image in use once boot is over, the host collects the bootstrap's code; and every
 * ramdisk the bootstrap cannot boot from is one panic line and exit status 2 — no kernel
 * module, several versions and none the default, a bundle whose hash or record's signature is
 * wrong (refused under module.sig_enforce=1), a kernel whose start throws, one that returns
 * without starting init. The bad ramdisks are the built one rewritten (ramdisk-rewrite.ts);
 * the kernels that misbehave are small bundles written here, signed with the build's key.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { signRecord } from '../build/module-signing.ts';
import { Machine } from '../emulator/machine.ts';
import { writeCpio } from '../ramdisk/cpio-writer.ts';
import { INDEX_LINES_PATH, writeIndexLines } from '../ramdisk/index-lines.ts';
import { modulePath, type ModuleRecord } from '../ramdisk/module-index.ts';
import { bootKernel, buildInMemory, runUntil, type TestKernel } from './harness.ts';
import { recordOf, replaceBundle, rewriteRamdisk, type RamdiskContents } from './ramdisk-rewrite.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const KERNEL_PATH = 'lib/modules/kernel/1.0.0.js';
const PANIC = /^Kernel panic - not syncing: (.*)\n$/;

/** The built ramdisk, rewritten by `change`. */
async function ramdisk(change: (contents: RamdiskContents) => void): Promise<Uint8Array> {
  const { initrd } = await buildInMemory();
  return rewriteRamdisk(new Uint8Array(initrd), change);
}

/** Powers on the built image with `initrd`; resolves with the exit status and everything the console showed. */
async function powerOn(initrd: Uint8Array, cmdline = 'init=shell quiet'): Promise<{ status: number; console: string }> {
  const { image } = await buildInMemory();
  const machine = new Machine({ image: new Uint8Array(image), initrd, cmdline });
  machine.powerOn();
  const status = await machine.halted;
  return { status, console: machine.output };
}

/** The one line a machine that cannot boot shows: status 2, the panic line alone, no prompt. */
async function panicOf(initrd: Uint8Array, cmdline?: string): Promise<string> {
  const { status, console } = await powerOn(initrd, cmdline);
  expect(status).toBe(2);
  expect(console).toMatch(PANIC);
  return PANIC.exec(console)![1]!;
}

/** A kernel module of our own making in place of the built one: its bundle `code`, its record signed. */
const kernelOf = (code: string) => (contents: RamdiskContents) => replaceBundle(contents, 'kernel', code, { sign: true });

/** A second version of the kernel (the same code), its record signed; `defaults` marks the versions [1.0.0, second]. */
function withSecondKernel(version: string, defaults: [boolean, boolean]) {
  return (contents: RamdiskContents) => {
    const first = recordOf(contents, 'kernel');
    const second: ModuleRecord = { ...first, version, path: modulePath('kernel', version) };
    [first.default, second.default] = defaults;
    for (const record of [first, second]) record.signature = signRecord(record);
    const bundle = contents.files.find((file) => file.name === first.path)!;
    contents.files.push({ ...bundle, name: second.path });
    contents.records.push(second);
  };
}

/** The build's kernel versions, none marked default. */
function noDefaultKernel(contents: RamdiskContents): void {
  const marked = recordOf(contents, 'kernel', '1.0.0');
  marked.default = false;
  marked.signature = signRecord(marked);
}

/** The ramdisk with one kernel version only, not marked default. */
const onlyKernel = (version: string) => (contents: RamdiskContents) => {
  const other = contents.records.filter((record) => record.name === 'kernel' && record.version !== version);
  contents.records = contents.records.filter((record) => !other.includes(record));
  contents.files = contents.files.filter((file) => !other.some((record) => record.path === file.name));
  const only = recordOf(contents, 'kernel', version);
  only.default = false;
  only.signature = signRecord(only);
};

describe('the kernel in the module table', () => {
  it('lsmod lists it first, with the frames of its text and every module that imports keel:kernel as its users', async () => {
    kernel = await bootKernel();
    const { result } = await buildInMemory();
    const record = result.modules.find((module) => module.record.name === 'kernel')!.record;
    expect((await kernel.run('lsmod')).split('\n')[1]).toBe(`${'kernel'.padEnd(19)} ${String(Math.ceil(record.size / 4096) * 4096).padStart(8)}  2 sysinfo,shell [permanent]`);
    await kernel.run('modprobe hello');
    expect(await kernel.run('lsmod')).toMatch(/^kernel +\d+ +3 sysinfo,shell,hello \[permanent\]$/m);
    // The root file system is a module too, loaded for the cat: one user more.
    expect(await kernel.run('cat /proc/modules')).toMatch(/^kernel \d+ 4 sysinfo,shell,hello,rootfs, Live 0xffffffffc0000000$/m);
    await kernel.run('rmmod hello');
    expect(await kernel.run('lsmod')).toMatch(/^kernel +\d+ +3 sysinfo,shell,rootfs \[permanent\]$/m);
  });

  it('modinfo shows its version and what the build derived; rmmod refuses it as Linux refuses a module in use', async () => {
    kernel = await bootKernel();
    const info = await kernel.run('modinfo kernel');
    expect(info).toMatch(/^filename:\s+\/lib\/modules\/kernel\/1\.0\.0\.js$/m);
    expect(info).toMatch(/^version:\s+1\.0\.0$/m);
    expect(info).toMatch(/^depends:\s*$/m);
    expect(info).toMatch(/^exports:\s+start,takeOver$/m);
    expect(await kernel.run('modinfo hello')).toMatch(/^depends:\s+kernel$/m);
    expect(await kernel.run('rmmod kernel')).toBe('rmmod: ERROR: Module kernel is in use by: sysinfo shell\n');
    expect(await kernel.run('modprobe -r kernel')).toBe('modprobe: FATAL: Module kernel is in use by: sysinfo shell\n');
    // swap kernel replaces it (kernel-swap.test.ts); to the version it runs, nothing changes.
    expect(await kernel.run('swap kernel 1.0.0')).toBe('swap: kernel: refused, nothing changed: kernel is already at 1.0.0\n');
    expect(await kernel.run('call kernel start')).toBe('call: kernel has no function start\n');
    // The swap module, loaded for the swap, imports keel:kernel too; nothing else changed.
    expect(await kernel.run('lsmod')).toMatch(/^kernel +\d+ +3 sysinfo,shell,swap \[permanent\]$/m);
  });

  it('frees the bootstrap\'s frames after boot: free shows base text 0, and the host collects the bootstrap\'s code', async () => {
    kernel = await bootKernel();
    const free = await kernel.run('free');
    expect(free).toMatch(/^Used frames: firmware 16, base text 0, module text \d+, module data 0$/m);
    expect(free).toMatch(/^Ramdisk: \d+ KiB, mapped above RAM \(in no frame\)$/m);
    const log = await runUntil(kernel, 'dmesg', /keel: bootstrap: code reclaimed by the host/);
    expect(log).toMatch(/^\[\s*[\d.]+\] bootstrap: kernel 1\.0\.0 \(\d+ bytes\) found, checked and compiled in [\d.]+ ms$/m);
    expect(log).toMatch(/^\[\s*[\d.]+\] Freeing unused kernel memory: 4K$/m);
    expect(log).not.toMatch(/zombie/);
    // Every used frame is the firmware's or a module's, the kernel's among them: the ramdisk is mapped above RAM, in none.
    const [, used] = /^Frames:\s+\d+\s+(\d+)/m.exec(free)!;
    const [, moduleText] = /module text (\d+)/.exec(free)!;
    expect(Number(used)).toBe(16 + Number(moduleText));
    const listed = [...(await kernel.run('lsmod')).matchAll(/^\S+ +(\d+) /gm)].reduce((sum, [, size]) => sum + Number(size) / 4096, 0);
    expect(listed).toBe(Number(moduleText));
    const meminfo = await kernel.run('cat /proc/meminfo');
    expect(meminfo).toMatch(/^BaseText:\s+0 kB$/m);
    expect(meminfo).toMatch(/^Ramdisk:\s+[1-9]\d* kB$/m);
    // The default kernel, 1.0.0, allocates frames first fit (1.1.0 next fit: kernel-swap.test.ts).
    expect(meminfo).toMatch(/^FramePolicy:\s+first-fit$/m);
  });

  it('boots the kernel of an archive appended to the ramdisk, whose new index makes it the default: the last entry of a name counts', async () => {
    const { initrd, result } = await buildInMemory();
    const records = result.modules.map(({ record }) => ({ ...record }));
    const current = records.find((record) => record.name === 'kernel')!;
    const code = result.modules.find((module) => module.record.name === 'kernel')!.code;
    const newer: ModuleRecord = { ...current, version: '2.0.0', path: modulePath('kernel', '2.0.0') };
    current.default = false;
    for (const record of [current, newer]) record.signature = signRecord(record);
    const appended = writeCpio([
      { name: INDEX_LINES_PATH, data: new TextEncoder().encode(writeIndexLines([...records, newer], {})) },
      { name: newer.path, data: code },
    ]);
    kernel = await bootKernel({ tamper: (files) => (files.initrd = new Uint8Array(Buffer.concat([initrd, new Uint8Array(512), appended]))) });
    const log = await kernel.run('dmesg');
    expect(log).toMatch(/^\[\s*[\d.]+\] bootstrap: kernel 2\.0\.0 \(\d+ bytes\) found, checked and compiled in /m);
    expect(log).toMatch(/ramdisk: the index's offsets do not fit this archive/);
    expect(await kernel.run('modinfo kernel')).toMatch(/^version:\s+2\.0\.0$/m);
    expect(await kernel.run('lsmod')).not.toMatch(/tainted/);
  });

  it('boots a kernel whose record is not ASCII (a description in UTF-8), its signature checked on the text as the build signed it', async () => {
    kernel = await bootKernel({
      tamper: (files) => void (files.initrd = rewriteRamdisk(files.initrd, (contents) => {
        const record = recordOf(contents, 'kernel');
        record.description = 'Der Kern — für alle Module, 核心';
        record.signature = signRecord(record);
      })),
    });
    expect(await kernel.run('lsmod')).not.toMatch(/tainted/);
    expect(await kernel.run('modinfo kernel')).toMatch(/^description:\s+Der Kern — für alle Module, 核心$/m);
  });

  it('boots the version marked default when the ramdisk holds several (1.0.0 of the build\'s two), and the only one when none is marked', async () => {
    kernel = await bootKernel();
    expect(await kernel.run('dmesg')).toMatch(/bootstrap: kernel 1\.0\.0 /);
    await kernel.halt();
    kernel = await bootKernel({ tamper: (files) => void (files.initrd = rewriteRamdisk(files.initrd, withSecondKernel('2.0.0', [false, true]))) });
    expect(await kernel.run('dmesg')).toMatch(/bootstrap: kernel 2\.0\.0 /);
    await kernel.halt();
    kernel = await bootKernel({ tamper: (files) => void (files.initrd = rewriteRamdisk(files.initrd, onlyKernel('1.1.0'))) });
    expect(await kernel.run('dmesg')).toMatch(/bootstrap: kernel 1\.1\.0 /);
  });
});

describe('a ramdisk the bootstrap cannot boot from: one panic line, exit status 2', () => {
  const flipKernelByte = (contents: RamdiskContents) => {
    const bundle = contents.files.find((file) => file.name === KERNEL_PATH)!;
    bundle.data[Math.floor(bundle.data.length / 2)]! ^= 0x01;
  };
  const cases: Array<[string, (contents: RamdiskContents) => void, string | RegExp, string?]> = [
    ['no kernel module', (contents) => {
      contents.records = contents.records.filter((record) => record.name !== 'kernel');
      contents.files = contents.files.filter((file) => !file.name.startsWith('lib/modules/kernel'));
    }, 'bootstrap: lib/modules/index.jsonl has no kernel module'],
    ['the kernel\'s record but not its bundle', (contents) => {
      contents.files = contents.files.filter((file) => file.name !== KERNEL_PATH);
    }, `ramdisk: ${KERNEL_PATH} is not in the archive`],
    ['two kernel versions, none marked default', noDefaultKernel, 'bootstrap: lib/modules/index.jsonl lists kernel 1.0.0, 1.1.0 and marks none default'],
    ['three kernel versions, none marked default', (contents) => {
      noDefaultKernel(contents);
      withSecondKernel('0.9.0', [false, false])(contents);
    }, 'bootstrap: lib/modules/index.jsonl lists kernel 1.0.0, 1.1.0, 0.9.0 and marks none default'],
    ['a kernel bundle whose hash is wrong', flipKernelByte, `${KERNEL_PATH}: sha256 does not match the index`],
    ['a kernel bundle whose hash is wrong, under module.sig_enforce=1', flipKernelByte, `${KERNEL_PATH}: sha256 does not match the index`, 'init=shell quiet module.sig_enforce=1'],
    ['a kernel bundle of another size than its record says', (contents) => void (recordOf(contents, 'kernel').size += 1), /^lib\/modules\/kernel\/1\.0\.0\.js is (\d+) bytes, the index says (\d+)$/],
    ['a kernel record whose signature is wrong, under module.sig_enforce=1', (contents) => void (recordOf(contents, 'kernel').description += ' (edited)'), 'kernel: module verification failed: signature and/or required key missing', 'init=shell quiet module.sig_enforce=1'],
    ['a kernel record without a signature, under module.sig_enforce=1', (contents) => void delete recordOf(contents, 'kernel').signature, 'kernel: module verification failed: signature and/or required key missing', 'init=shell quiet module.sig_enforce=0 module.sig_enforce=1'],
    ['a kernel bundle replaced, its record not signed again, under module.sig_enforce=1', (contents) => void replaceBundle(contents, 'kernel', 'exports.start = () => "shell";'), 'kernel: module verification failed: signature and/or required key missing', 'module.sig_enforce=1 init=shell'],
    ['a kernel whose start throws', kernelOf('exports.start = () => { throw new TypeError("no frame table"); };'), 'kernel 1.0.0: start failed: TypeError: no frame table'],
    ['a kernel whose start throws something that is no Error', kernelOf('exports.start = () => { throw "boom"; };'), 'kernel 1.0.0: start failed: boom'],
    ['a kernel whose top-level code throws', kernelOf('throw new RangeError("before start");'), 'kernel 1.0.0: start failed: RangeError: before start'],
    ['a kernel without a start', kernelOf('exports.begin = () => "shell";'), /^kernel 1\.0\.0: start failed: TypeError: .*start is not a function$/],
    ['a kernel that does not compile', kernelOf('exports.start = () => {'), /^kernel 1\.0\.0: start failed: SyntaxError: /],
    ['a kernel that returns without starting init', kernelOf('exports.start = () => undefined;'), 'kernel 1.0.0 returned without starting init'],
    ['a kernel that returns a number', kernelOf('exports.start = () => 1;'), 'kernel 1.0.0 returned without starting init'],
    ['a kernel whose start is async', kernelOf('exports.start = async () => "shell";'), 'kernel 1.0.0 returned without starting init'],
    ['a kernel that panics itself', kernelOf('exports.start = () => { const panic = new Error("VFS: unable to mount root"); panic.name = "KernelPanic"; throw panic; };'), 'VFS: unable to mount root'],
  ];

  it.each(cases)('%s', async (_case, change, line, cmdline) => {
    const reason = await panicOf(await ramdisk(change), cmdline);
    if (typeof line === 'string') expect(reason).toBe(line);
    else expect(reason).toMatch(line);
  });

  it('a kernel record whose signature is wrong, without module.sig_enforce: the kernel boots, tainted, and says so', async () => {
    kernel = await bootKernel({ tamper: (files) => void (files.initrd = rewriteRamdisk(files.initrd, (contents) => void (recordOf(contents, 'kernel').description += ' (edited)'))) });
    expect(kernel.console).toMatch(/^\[\s*[\d.]+\] kernel: module verification failed: signature and\/or required key missing - tainting kernel$/m);
    expect(await kernel.run('lsmod')).toMatch(/^Kernel tainted \(E\): module signature not verified: kernel$/m);
    expect(await kernel.run('cat /proc/modules')).toMatch(/^kernel \d+ \d+ \S+ Live 0x[0-9a-f]+ \(E\)$/m);
  });

  it('a kernel with its own code, signed: the bootstrap starts it, and it boots what it says it started', async () => {
    const { status, console } = await powerOn(await ramdisk(kernelOf('exports.start = (machine) => { machine.console.write("a kernel of our own\\n"); machine.power.halt(0); return "none"; };')));
    expect(status).toBe(0);
    expect(console).toBe('a kernel of our own\n');
  });

  it('from the CLI: the panic line on the console, exit status 2, nothing on stderr, no prompt', async () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), 'keel-kernel-module-'));
    directories.push(dist);
    const { image } = await buildInMemory();
    writeFileSync(path.join(dist, 'boot.img'), image);
    writeFileSync(path.join(dist, 'initrd.cpio'), await ramdisk(kernelOf('exports.start = () => undefined;')));
    const run = spawnSync(process.execPath, ['--expose-gc', '--experimental-vm-modules', '--import', 'tsx', 'emulator/cli.ts', '--dist', dist, '--exec', 'lsmod'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('Kernel panic - not syncing: kernel 1.0.0 returned without starting init\n');
    expect(run.stderr).toBe('');
  });

  it('the hand-made kernels above are what the record says: size and sha256 match, so the bootstrap runs them', async () => {
    const code = 'exports.start = () => undefined;';
    const contents: RamdiskContents = { records: [], files: [] };
    await ramdisk((built) => {
      kernelOf(code)(built);
      Object.assign(contents, built);
    });
    const record = recordOf(contents, 'kernel');
    expect(record.size).toBe(code.length);
    expect(record.sha256).toBe(createHash('sha256').update(code).digest('hex'));
    expect(record.signature).toBe(signRecord(record));
  });
});
