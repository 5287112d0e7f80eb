/*
 * A hostile module against the kernel API and the devices (test/fixtures/hostile-modules):
 * every keel:kernel function refuses what its declaration does not allow with a TypeError or
 * RangeError naming the function and the argument — before anything changes, so frames,
 * lsmod and the machine are as they were — and so does every device a module can reach
 * through the kernel's internals, so no value makes host code throw. A kalloc block reaches
 * only its own bytes, and once freed (or its module unloaded) no view of it reaches anything.
 * Bad command-line values are said once and replaced by the default; unknown ones are listed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { writeCpio } from '../ramdisk/cpio-writer.ts';
import { bootKernel, frameCounts, type TestKernel } from './harness.ts';

const HOSTILE_MODULES = path.join(PROJECT_ROOT, 'test/fixtures/hostile-modules');

describe('keel:kernel and the devices, given what they do not take', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await bootKernel({ modules: [HOSTILE_MODULES] });
    await kernel.run('modprobe hostile');
  });
  afterAll(() => kernel.halt());

  const misuse = async (which: string) => JSON.parse(await kernel.run(`call hostile misuse ${which}`)) as string;

  it.each([
    ['kalloc-string', 'TypeError: kalloc: bytes must be a number, not "4096"'],
    ['kalloc-valueof', 'TypeError: kalloc: bytes must be a number, not an object'],
    ['kalloc-negative', 'RangeError: kalloc: bytes must be a whole number from 0 to 67108864, not -1'],
    ['kalloc-fraction', 'RangeError: kalloc: bytes must be a whole number from 0 to 67108864, not 1.5'],
    ['kalloc-nan', 'RangeError: kalloc: bytes must be a whole number from 0 to 67108864, not NaN'],
    ['kalloc-huge', 'RangeError: kalloc: bytes must be a whole number from 0 to 67108864, not 1099511627776'],
    ['kfree-foreign', 'RangeError: kfree: not a block that kalloc gave hostile'],
    ['kfree-twice', 'RangeError: kfree: not a block that kalloc gave hostile'],
    ['kfree-subarray', 'RangeError: kfree: not a block that kalloc gave hostile'],
    ['consoleWrite-number', 'TypeError: consoleWrite: text must be a string, not 42'],
    ['printk-object', 'TypeError: printk: message must be a string, not an object'],
    ['printk-level', 'TypeError: printk: level must be one of "info", "warn", "error", not "loud"'],
    ['halt-256', 'RangeError: halt: status must be a whole number from 0 to 255, not 256'],
    ['halt-fraction', 'RangeError: halt: status must be a whole number from 0 to 255, not 1.5'],
    ['halt-string', 'TypeError: halt: status must be a number, not "0"'],
    ['setTimer-overflow', 'RangeError: setTimer: milliseconds must be a number from 0 to 2147483647, not 3000000000'],
    ['setTimer-text', 'TypeError: setTimer: callback must be a function, not "text"'],
    ['setTimer-negative', 'RangeError: setTimer: milliseconds must be a number from 0 to 2147483647, not -1'],
    ['setTimer-nan', 'RangeError: setTimer: milliseconds must be a number from 0 to 2147483647, not NaN'],
    ['clearTimer-text', 'TypeError: clearTimer: id must be a number, not "1"'],
    ['param-number', 'TypeError: param: name must be a string, not 42'],
    ['numberParam-fallback', 'RangeError: numberParam: fallback must be a number from 1 to 10, not 1000'],
    ['loadModule-number', 'TypeError: loadModule: name must be a string, not 42'],
    ['unloadModule-object', 'TypeError: unloadModule: name must be a string, not an object'],
    ['requestModule-null', 'TypeError: requestModule: name must be a string, not null'],
    ['releaseModule-number', 'TypeError: releaseModule: name must be a string, not 7'],
    ['keepLoaded-number', 'TypeError: keepLoaded: reason must be a string, not 7'],
    ['device-console', 'TypeError: console.write: text must be a string'],
    ['device-halt', 'RangeError: power.halt: status must be a whole number from 0 to 255'],
    ['device-halt-fraction', 'RangeError: power.halt: status must be a whole number from 0 to 255'],
    ['device-timer', 'RangeError: timer.setTimer: milliseconds must be a number from 0 to 2147483647'],
    ['device-timer-text', 'TypeError: timer.setTimer: callback must be a function'],
    ['device-sha256', 'TypeError: crypto.sha256: bytes must be a Uint8Array'],
    ['device-watchdog', 'TypeError: watchdog.name: id must be a number'],
    ['device-unmap-memory', 'RangeError: mmu.unmap: buffer must be a mapped block, not physical memory'],
    ['device-unmap-other', 'TypeError: mmu.unmap: buffer must be an ArrayBuffer'],
  ])('%s is refused in one line, and nothing changes', async (which, line) => {
    const [lsmod, frames] = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await misuse(which)).toBe(line);
    expect([await kernel.run('lsmod'), await frameCounts(kernel)]).toEqual([lsmod, frames]);
    expect(await kernel.run('echo still here')).toBe('still here\n');
  });

  it('every case the fixture knows is one of the cases above', async () => {
    expect(JSON.parse(await kernel.run('call hostile cases'))).toHaveLength(36);
  });

  it('a kalloc block reaches its own bytes only, not physical memory', async () => {
    expect(JSON.parse(await kernel.run('call hostile blockReach'))).toEqual({ length: 100, bufferBytes: 100 });
  });

  it('after kfree, no view of the block reads anything, even once its frames are allocated again', async () => {
    const frames = await frameCounts(kernel);
    expect(JSON.parse(await kernel.run('call hostile afterFree'))).toEqual({ view: 0, subarray: 0, remade: 'TypeError' });
    expect(await frameCounts(kernel)).toEqual(frames);
  });
});

describe('a kalloc view kept by another module after its owner is unloaded', () => {
  it('is empty: the frames it named, free or reused, are out of its reach', async () => {
    const kernel = await bootKernel({ modules: [HOSTILE_MODULES] });
    try {
      expect(await kernel.run('call hostile-keeper keepView')).toBe('5\n');
      expect(await kernel.run('rmmod hostile')).toBe('');
      await kernel.run('call hostile blockReach');
      expect(JSON.parse(await kernel.run('call hostile-keeper keptViewNow'))).toEqual({ length: 0 });
    } finally {
      await kernel.halt();
    }
  });
});

describe('command-line values', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await bootKernel({ cmdline: 'init=shell quiet bogus=1 verbose kv.capacity=-1 swap.timeout=3000000000 autoclean=soon' });
  });
  afterAll(() => kernel.halt());

  it('a parameter neither the kernel nor a module takes is listed once, as Linux does', async () => {
    const lines = (await kernel.run('dmesg')).split('\n').filter((line) => line.includes('Unknown kernel command line parameters'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\] Unknown kernel command line parameters "bogus=1 verbose", ignored$/);
  });

  it('autoclean=soon is said to be invalid, and kerneld cleans after its default 60 seconds', async () => {
    const log = await kernel.run('dmesg');
    expect(log).toMatch(/keel: autoclean=soon is invalid \(expected a number from 0\.001 to 1000000\); using 60\n.*kerneld: autoclean after 60s idle/);
  });

  it('kv.capacity=-1 is said to be invalid and kv works with its default (it hung before)', async () => {
    expect(await kernel.run('modprobe kv 2.0.0; call kv set a b; call kv policy')).toMatch(
      /keel: kv\.capacity=-1 is invalid \(expected a whole number from 1 to 1000000000\); using 1000\n"least recently used, capacity 1000, 0 evicted"\n$/,
    );
  });

  it('swap.timeout past what a timer can wait is said to be invalid once, however many swaps read it', async () => {
    expect(await kernel.run('swap kv 1.0.0')).toMatch(/swap.timeout=3000000000 is invalid \(expected a whole number from 1 to 3600000\); using 1000\nswap: kv 2\.0\.0 -> 1\.0\.0: quiescent/);
    expect(await kernel.run('swap kv 2.0.0')).toMatch(/^swap: kv 1\.0\.0 -> 2\.0\.0: quiescent/);
    expect((await kernel.run('dmesg')).match(/swap\.timeout=3000000000 is invalid/g)).toHaveLength(1);
  });

  it('swap.timeout=-1 is refused the same way', async () => {
    const other = await bootKernel({ cmdline: 'init=shell quiet swap.timeout=-1' });
    try {
      expect(await other.run('modprobe kv; swap kv')).toMatch(/swap\.timeout=-1 is invalid .*; using 1000\nswap: kv 1\.0\.0 -> 2\.0\.0: quiescent/);
    } finally {
      await other.halt();
    }
  });
});

describe('text from the ramdisk with control characters in it', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await bootKernel({ modules: [HOSTILE_MODULES] });
  });
  afterAll(() => kernel.halt());

  const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  it('modinfo shows a description with a newline and escape sequences as cat -v does: no forged line, no screen change', async () => {
    const output = await kernel.run('modinfo evil-text');
    expect(output).not.toMatch(RAW_CONTROLS);
    expect(output).toMatch(/^description:\s+harmless\^Jforged-row {15}4096 {2}0\^\[\[2J\^\[\]0;owned\^G$/m);
    expect(output.split('\n').filter((line) => line.startsWith('forged-row'))).toEqual([]);
  });

  it('a module logging escape sequences: dmesg and the console show them as text', async () => {
    await kernel.run('modprobe evil-text; call evil-text logEscape');
    const log = await kernel.run('dmesg');
    expect(log).not.toMatch(RAW_CONTROLS);
    expect(log).toMatch(/evil-text says \^\[\[2J\^\[\[31mred\^Jforged line$/m);
  });

  it('cat of a file holding control characters shows them, keeping its lines and tabs', async () => {
    await kernel.run('call evil-text writeEvilFile');
    expect(await kernel.run('cat /tmp/evil')).toBe('first^[[2J line\nsecond\tline^G\n');
  });
});

describe('a file name with control characters in it, appended to the ramdisk', () => {
  it('ls shows it as cat -v would, and completion never offers it', async () => {
    const appended = writeCpio([{ name: 'etc/evil\u001b[2J\nforged', data: new TextEncoder().encode('x') }]);
    const kernel = await bootKernel({ tamper: (files) => (files.initrd = new Uint8Array(Buffer.concat([files.initrd, appended]))) });
    try {
      const listing = await kernel.run('ls /etc');
      expect(listing).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      expect(listing).toContain('evil^[[2J^Jforged');
      const [candidates] = await kernel.machine.console.complete('cat /etc/e');
      expect(candidates.some((candidate) => candidate.includes('\u001b'))).toBe(false);
    } finally {
      await kernel.halt();
    }
  });
});
