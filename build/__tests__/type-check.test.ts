/*
 * Tests the build's type check of modules (build/type-check.ts): tsc's diagnostics become one
 * line each (file:line: message); a module in a folder of its own is checked against the
 * project's modules (a wrong use of keel:kv's get is found) and without Node's types; a module
 * that checks gives no lines; and build({ typeCheck: true }) fails on a type error and writes
 * nothing, while a build without it does not look.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFsFromVolume, Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, BuildError, PROJECT_ROOT } from '../../build.ts';
import { diagnosticLines, typeCheckModules, typeErrorMessage } from '../type-check.ts';

let folder: string;
const projectModules = path.join(PROJECT_ROOT, 'modules');

function writeModule(name: string, source: string): string {
  const module = path.join(folder, name);
  mkdirSync(module, { recursive: true });
  writeFileSync(path.join(module, 'package.json'), JSON.stringify({ name, version: '1.0.0', description: `type check test module ${name}` }));
  writeFileSync(path.join(module, 'index.ts'), source);
  return module;
}

beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'keel-typecheck-test-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('diagnosticLines', () => {
  it('gives one line per error, file:line: message, without the elaboration lines', () => {
    const output = [
      `modules/kv/index.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.`,
      `${path.join(PROJECT_ROOT, 'modules/shell/index.ts')}(3,1): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.`,
      `  Type 'number' is not assignable to type 'string'.`,
      `error TS5083: Cannot read file '/nowhere/tsconfig.json'.`,
      '',
    ].join('\n');
    expect(diagnosticLines(output, PROJECT_ROOT)).toEqual([
      `modules/kv/index.ts:12: Type 'string' is not assignable to type 'number'.`,
      `modules/shell/index.ts:3: Argument of type 'number' is not assignable to parameter of type 'string'.`,
      `Cannot read file '/nowhere/tsconfig.json'.`,
    ]);
  });

  it('says how many, and lists at most twenty', () => {
    const errors = Array.from({ length: 23 }, (_, index) => `a.ts:${index + 1}: wrong`);
    const message = typeErrorMessage(errors, 'in modules').split('\n');
    expect(message[0]).toBe('23 type errors in modules:');
    expect(message).toHaveLength(22);
    expect(message.at(-1)).toBe('  ... and 3 more');
    expect(typeErrorMessage(['a.ts:1: wrong'], 'in greeter')).toBe('1 type error in greeter:\n  a.ts:1: wrong');
  });
});

describe('typeCheckModules', () => {
  it("finds a module's type errors against the project's modules and the kernel API, and Node's globals are not there", async () => {
    const module = writeModule('mistaken', [
      "import { printk } from 'keel:kernel';",
      "import { get } from 'keel:kv';",
      'export function wrong(key: string): number {',
      '  printk(42);',
      '  const value: number = get(key);',
      '  return process.pid + value;',
      '}',
      'export function exit(): void {}',
      '',
    ].join('\n'));
    const errors = await typeCheckModules([module], [projectModules, folder]);
    const file = path.join(module, 'index.ts');
    expect(errors).toEqual([
      `${file}:4: Argument of type 'number' is not assignable to parameter of type 'string'.`,
      `${file}:5: Type 'string | undefined' is not assignable to type 'number'.`,
      expect.stringMatching(new RegExp(`^${file.replaceAll('/', '\\/')}:6: Cannot find name 'process'`)),
    ]);
  });

  it('gives nothing for modules that check, a neighbour imported as keel:* among them', async () => {
    const base = writeModule('neighbour', "export function twice(value: number): number {\n  return value * 2;\n}\nexport function exit(): void {}\n");
    const user = writeModule('neighbour-user', "import { twice } from 'keel:neighbour';\nexport const four = (): number => twice(2);\nexport function exit(): void {}\n");
    expect(await typeCheckModules([base, user, path.join(projectModules, 'kv')], [projectModules, folder])).toEqual([]);
  });
});

describe('build({ typeCheck })', () => {
  it('fails on a module that does not type-check, and writes nothing; without typeCheck it builds', async () => {
    const own = mkdtempSync(path.join(folder, 'own-'));
    mkdirSync(path.join(own, 'typo'));
    writeFileSync(path.join(own, 'typo', 'package.json'), JSON.stringify({ name: 'typo', version: '1.0.0', description: 'a type error' }));
    writeFileSync(path.join(own, 'typo', 'index.ts'), 'export function count(): number {\n  return "many";\n}\nexport function exit(): void {}\n');
    const volume = new Volume();
    const options = { fs: createFsFromVolume(volume) as never, outDir: '/dist', moduleDirs: [projectModules, own], quiet: true };
    const failure = await build({ ...options, typeCheck: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BuildError);
    expect((failure as Error).message).toBe(`1 type error in modules:\n  ${path.join(own, 'typo', 'index.ts')}:2: Type 'string' is not assignable to type 'number'.`);
    expect(volume.toJSON()).toEqual({});
    await build(options);
    expect(Object.keys(volume.toJSON()).sort()).toEqual(['/dist/boot.img', '/dist/build-sums.json', '/dist/initrd.cpio']);
  });
});
