/*
 * The harness's methods for module authors (test/harness.ts): call sends any JSON argument
 * intact and parses the result or throws the shell's line, swap returns the report line,
 * unloadGivesMemoryBack unloads and compares frames, `modules` adds module folders once, and a
 * build that asks for the type check (build: { typeCheck: true }) refuses a module that does
 * not type-check, which the harness otherwise builds as it is.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build/paths.ts';
import { bootKernel, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.halt();
  kernel = undefined;
});

describe('call', () => {
  it('sends arguments as JSON, quotes, blanks and semicolons included, and parses the result', async () => {
    kernel = await bootKernel();
    const awkward = `it's "quoted"; a b\\c`;
    expect(await kernel.call('kv', 'set', awkward, awkward)).toBeUndefined();
    expect(await kernel.call('kv', 'get', awkward)).toBe(awkward);
    expect(await kernel.call('kv', 'size')).toBe(1);
    expect(await kernel.call('hello', 'greet', 'world')).toBe('Hello, world!');
  });

  it('throws an Error with the line the shell printed when the call fails', async () => {
    kernel = await bootKernel();
    await expect(kernel.call('kv', 'nosuch')).rejects.toThrow(new Error('call: kv has no function nosuch'));
    await expect(kernel.call('nosuch', 'thing')).rejects.toThrow(new Error('call: module nosuch not found in the ramdisk'));
  });
});

describe('swap and unloadGivesMemoryBack', () => {
  it('swap returns the one-line report, for a swap and for a refusal', async () => {
    kernel = await bootKernel();
    await kernel.call('kv', 'set', 'colour', 'blue');
    expect(await kernel.swap('kv')).toMatch(/^swap: kv 1\.0\.0 -> 2\.0\.0: quiescent in .*, 1 state entry transferred, 1 text frame freed, [\d.]+ ms in all$/);
    await expect(kernel.swap('kv', '2.0.0')).rejects.toThrow(new Error('swap: kv: refused, nothing changed: kv is already at 2.0.0'));
    await expect(kernel.swap('kv', '9.9.9')).rejects.toThrow(new Error('swap: kv: refused, nothing changed: version 9.9.9 of module kv not found in the ramdisk'));
    expect(await kernel.call('kv', 'get', 'colour')).toBe('blue');
  });

  it('unloadGivesMemoryBack is true when text and data frames come back, and throws when rmmod cannot run', async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
    const before = await kernel.frames();
    expect(await kernel.call('hoarder', 'hoard', 10000)).toBe(10000);
    expect((await kernel.frames()).moduleData).toBe(before.moduleData + 3);
    expect(await kernel.unloadGivesMemoryBack('hoarder')).toBe(true);
    expect(await kernel.frames()).toEqual(before);
    await expect(kernel.unloadGivesMemoryBack('hoarder')).rejects.toThrow('hoarder is not loaded');
    await kernel.run('modprobe consumer');
    await expect(kernel.unloadGivesMemoryBack('provider')).rejects.toThrow('rmmod: ERROR: Module provider is in use by: consumer');
  });
});

describe('modules', () => {
  it('builds the given folders beside the project modules, each folder once (twice would be a duplicate-module build error)', async () => {
    kernel = await bootKernel({ modules: [path.join(PROJECT_ROOT, 'test/fixtures/modules'), path.join(PROJECT_ROOT, 'modules/')] });
    expect(await kernel.call('provider', 'greet', 'me')).toBe('provider greets me');
    expect(await kernel.call('hello', 'greet', 'me')).toBe('Hello, me!');
  });
});

describe('the type check, for a module author who asks for it', () => {
  it('refuses a module that does not type-check with its errors; without it the module is built and runs', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'keel-harness-typecheck-'));
    try {
      mkdirSync(path.join(folder, 'loose'));
      writeFileSync(path.join(folder, 'loose', 'package.json'), JSON.stringify({ name: 'loose', version: '1.0.0', description: 'a type error' }));
      writeFileSync(path.join(folder, 'loose', 'index.ts'), 'export function half(value: number): string {\n  return value / 2;\n}\nexport function exit(): void {}\n');
      await expect(bootKernel({ modules: [folder], build: { typeCheck: true } })).rejects.toThrow(
        `1 type error in modules:\n  ${path.join(folder, 'loose', 'index.ts')}:2: Type 'number' is not assignable to type 'string'.`,
      );
      kernel = await bootKernel({ modules: [folder] });
      expect(await kernel.call('loose', 'half', 3)).toBe(1.5);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
