/*
 * Bad input in the ramdisk and in modules, end to end: an index that names a bundle the
 * archive lacks, a module version listed twice, a dependency cycle, a missing dependency, a
 * module larger than free memory, a module with a syntax error, an init that throws. Each is
 * one clear line on the console saying what went wrong and where; the kernel keeps running
 * (a later `echo ok` and `lsmod` work), and memory accounting stays exact (the `Frames:`
 * counts of `free` are the same before and after the failed attempt).
 *
 * The bad ramdisks are made by rewriting the built one as a tool would (test/ramdisk-rewrite.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { INDEX_LINES_PATH } from '../ramdisk/index-lines.ts';
import { bootKernel, frameCounts, WITH_FIXTURES, type TestKernel } from './harness.ts';
import { recordOf, replaceBundle, tamperRamdisk, type RamdiskContents } from './ramdisk-rewrite.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const HELLO_PATH = 'lib/modules/hello/1.0.0.js';
const UNSIGNED_WARNING = /^\[\s*\d+\.\d{6}\] hello: module verification failed: signature and\/or required key missing - tainting kernel$/;

/** The shell still answers, and lsmod is what it was before the failed attempt. */
async function expectStillRunning(machine: TestKernel, lsmodBefore: string): Promise<void> {
  expect(await machine.run('echo ok')).toBe('ok\n');
  expect(await machine.run('lsmod')).toBe(lsmodBefore);
}

describe('an index that disagrees with the archive about a bundle', () => {
  const missing = () => `hello: ramdisk: ${HELLO_PATH} is not in the archive`;
  const wrongSize = (real: number, indexed: number) => `${HELLO_PATH} is ${real} bytes, the index says ${indexed}`;
  it.each([
    ['names a bundle missing from the archive', missing, (contents: RamdiskContents) => {
      contents.files = contents.files.filter((file) => file.name !== HELLO_PATH);
      expect(recordOf(contents, 'hello').path).toBe(HELLO_PATH);
    }],
    ['gives a bundle a size larger than it is (its copy would run past its frames)', wrongSize, (contents: RamdiskContents) => {
      recordOf(contents, 'hello').size += 5000;
    }],
    ['gives a bundle a size smaller than it is', wrongSize, (contents: RamdiskContents) => {
      recordOf(contents, 'hello').size -= 1;
    }],
  ])('%s: modprobe says so in one line naming the bundle, and nothing changes', async (_case, detail, change) => {
    let real = 0;
    let indexed = 0;
    kernel = await bootKernel({
      tamper: tamperRamdisk((contents) => {
        real = contents.files.find((file) => file.name === HELLO_PATH)!.data.length;
        change(contents);
        indexed = recordOf(contents, 'hello').size;
      }),
    });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await frameCounts(kernel);

    expect(await kernel.run('modprobe hello')).toBe(`modprobe: ERROR: could not insert 'hello': ${detail(real, indexed)}\n`);

    expect(await frameCounts(kernel)).toEqual(framesBefore);
    await expectStillRunning(kernel, lsmodBefore);
  });
});

describe('a module version listed twice in the index', () => {
  it('modprobe says which version is listed twice, in one line, and the kernel runs on', async () => {
    kernel = await bootKernel({ tamper: tamperRamdisk((contents) => contents.records.push({ ...recordOf(contents, 'hello') })) });
    const lsmodBefore = await kernel.run('lsmod');
    expect(await kernel.run('modprobe hello')).toBe(`modprobe: ERROR: could not insert 'hello': ${INDEX_LINES_PATH}: hello 1.0.0 is listed twice\n`);
    await expectStillRunning(kernel, lsmodBefore);
  });
});

describe('a dependency cycle', () => {
  it('modprobe names the whole cycle in one line and loads nothing', async () => {
    kernel = await bootKernel({
      build: WITH_FIXTURES,
      tamper: tamperRamdisk((contents) => {
        expect(recordOf(contents, 'chain-top').depends).toEqual(['chain-middle']);
        expect(recordOf(contents, 'chain-middle').depends).toEqual(['chain-base']);
        recordOf(contents, 'chain-base').depends.push('chain-top');
      }),
    });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await frameCounts(kernel);

    expect(await kernel.run('modprobe chain-top')).toBe(
      "modprobe: ERROR: could not insert 'chain-top': dependency cycle: chain-top -> chain-middle -> chain-base -> chain-top\n",
    );

    expect(await frameCounts(kernel)).toEqual(framesBefore);
    await expectStillRunning(kernel, lsmodBefore);
    expect(lsmodBefore).not.toMatch(/^chain-/m);
  });
});

describe('a missing dependency', () => {
  it('modprobe names the missing module and the module that needs it, and loads nothing', async () => {
    kernel = await bootKernel({
      tamper: tamperRamdisk((contents) => {
        expect(contents.records.some((record) => record.name === 'nosuch')).toBe(false);
        recordOf(contents, 'hello').depends.push('nosuch');
      }),
    });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await frameCounts(kernel);

    expect(await kernel.run('modprobe hello')).toBe("modprobe: ERROR: could not insert 'hello': module nosuch not found in the ramdisk (needed by hello)\n");

    expect(await frameCounts(kernel)).toEqual(framesBefore);
    await expectStillRunning(kernel, lsmodBefore);
  });
});

describe('a module larger than free memory', () => {
  it('modprobe says out of memory in one line, and every frame stays as it was', async () => {
    // A machine with one frame too few for rootfs: what boot uses, and rootfs's frames less one.
    const probe = await bootKernel();
    const rootfsFrames = Math.ceil(Number(/^size:\s+(\d+)$/m.exec(await probe.run('modinfo rootfs'))![1]) / 4096);
    const usedAtBoot = (await frameCounts(probe)).used;
    await probe.halt();
    kernel = await bootKernel({ memoryBytes: (usedAtBoot + rootfsFrames - 1) * 4096 });
    const rootfsSize = Number(/^size:\s+(\d+)$/m.exec(await kernel.run('modinfo rootfs'))![1]);
    const framesBefore = await frameCounts(kernel);
    expect(rootfsSize / 4096).toBeGreaterThan(framesBefore.free); // the premise: rootfs cannot fit
    const lsmodBefore = await kernel.run('lsmod');

    const output = await kernel.run('modprobe rootfs');
    expect(output).toMatch(/^modprobe: ERROR: could not insert 'rootfs': rootfs: out of memory: rootfs needs \d+ frames, \d+ free\n$/);

    expect(await frameCounts(kernel)).toEqual(framesBefore);
    await expectStillRunning(kernel, lsmodBefore);
  });
});

describe('a module with a syntax error', () => {
  it('modprobe names the module in one line (after the unsigned-module warning), and nothing leaks', async () => {
    kernel = await bootKernel({ tamper: tamperRamdisk((contents) => replaceBundle(contents, 'hello', 'exports.greet = function( {\n')) });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await frameCounts(kernel);

    const lines = (await kernel.run('modprobe hello')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(UNSIGNED_WARNING);
    expect(lines[1]).toMatch(/^modprobe: ERROR: could not insert 'hello': hello: Unexpected end of input$/);

    expect(await frameCounts(kernel)).toEqual(framesBefore);
    expect(await kernel.run('echo ok')).toBe('ok\n');
    // The same modules as before; lsmod now also reports the taint the unsigned bundle caused.
    const lsmodAfter = await kernel.run('lsmod');
    expect(lsmodAfter.split('\n').filter((line) => !line.startsWith('Kernel tainted')).join('\n')).toBe(lsmodBefore);
    expect(lsmodAfter).not.toMatch(/^hello\s/m);
  });
});

describe('an init that throws', () => {
  it('modprobe says "init failed" in one line, and every frame comes back', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await frameCounts(kernel);

    expect(await kernel.run('modprobe swappy 3.0.0')).toBe("modprobe: ERROR: could not insert 'swappy': swappy: init failed: swappy 3.0.0 cannot start\n");

    expect(await frameCounts(kernel)).toEqual(framesBefore);
    await expectStillRunning(kernel, lsmodBefore);
  });

  it('also unloads the dependencies that were loaded for it', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    const lsmodBefore = await kernel.run('lsmod');
    const framesBefore = await frameCounts(kernel);

    expect(await kernel.run('modprobe failing-consumer')).toBe(
      "modprobe: ERROR: could not insert 'failing-consumer': failing-consumer: init failed: failing-consumer gives up after taking provider\n",
    );

    expect(await kernel.run('lsmod')).not.toMatch(/^provider /m);
    expect(await frameCounts(kernel)).toEqual(framesBefore);
    await expectStillRunning(kernel, lsmodBefore);
  });
});
