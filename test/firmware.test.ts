/*
 * Boot images the firmware must refuse although their header and hash are right: a text
 * section that does not compile, and one that is empty (which booted into nothing and hung).
 * Each is one line — `keel: boot failed: ...` from the CLI, exit status 2, no stack trace —
 * and a BootError in-process. And a module folder taking a name the kernel reserves is
 * refused by the build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, BuildError } from '../build.ts';
import { writeBootImage } from '../emulator/boot-image.ts';
import { BootError } from '../emulator/firmware.ts';
import { Machine } from '../emulator/machine.ts';
import { runCli } from './cli-process.ts';
import { buildInMemory } from './harness.ts';
import { thrownBy } from './test-helpers.ts';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function temporary(label: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), `keel-firmware-${label}-`));
  directories.push(directory);
  return directory;
}

const encode = (text: string) => new TextEncoder().encode(text);

describe('a boot image whose hash is right but whose kernel cannot run', () => {
  it.each([
    ['text that does not compile', encode('this is not ( javascript'), /^the kernel's code does not compile: SyntaxError: /],
    ['an empty text section', new Uint8Array(0), /^the boot image holds no kernel text$/],
  ])('%s: a BootError in one line, before the kernel runs', async (_case, text, message) => {
    const { initrd } = await buildInMemory();
    const machine = new Machine({ image: writeBootImage(text, new Uint8Array(0)), initrd: new Uint8Array(initrd) });
    const error = thrownBy(() => machine.powerOn());
    expect(error).toBeInstanceOf(BootError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('from the CLI: one line on stderr, exit status 2, no stack trace', async () => {
    const { initrd } = await buildInMemory();
    const dist = temporary('dist');
    writeFileSync(path.join(dist, 'boot.img'), writeBootImage(encode('this is not ( javascript'), new Uint8Array(0)));
    writeFileSync(path.join(dist, 'initrd.cpio'), initrd);
    const run = runCli(['--dist', dist, '--exec', 'lsmod']);
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^keel: boot failed: the kernel's code does not compile: SyntaxError: /)]);
    expect(run.stdout).not.toMatch(/keel#/);
  });
});

describe('a module folder with a reserved name', () => {
  it('the build refuses a module named kernel outside modules/kernel: the name is the kernel module\'s', async () => {
    const modules = temporary('modules');
    mkdirSync(path.join(modules, 'kernel'));
    writeFileSync(path.join(modules, 'kernel', 'package.json'), JSON.stringify({ name: 'kernel', version: '1.0.0' }));
    writeFileSync(path.join(modules, 'kernel', 'index.ts'), 'export function hello(): string { return "hi"; }\n');
    const failure = build({ moduleDirs: [modules], outDir: temporary('out'), quiet: true, etcModules: [] });
    await expect(failure).rejects.toThrow(BuildError);
    await expect(failure).rejects.toThrow(/kernel\/package\.json: the name kernel is the kernel module's \(modules\/kernel, keel:kernel\): pick another name$/);
  });
});
