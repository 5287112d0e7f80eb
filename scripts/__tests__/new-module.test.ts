/*
 * Tests `npm run new-module` (scripts/new-module.ts): a module scaffolded into a temporary
 * modules folder builds beside the project's modules, loads, answers calls through the kernel
 * and gives its frames back at unload; its generated test passes where it was written; and a
 * bad, reserved or taken name is refused with one line, exit status 1 and nothing written.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../build/paths.ts';
import { bootKernel, type TestKernel } from '../../test/harness.ts';
import { OTHER_MODULE_DIRS, scaffoldModule, ScaffoldError } from '../new-module.ts';

const VITEST = path.join(PROJECT_ROOT, 'node_modules/vitest/vitest.mjs');
const TSX = path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs');

let root: string;
let modulesDir: string;
let kernel: TestKernel | undefined;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'keel-new-module-'));
  modulesDir = path.join(root, 'modules');
});
afterEach(async () => {
  await kernel?.halt();
  kernel = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** Every file under `folder`, relative to it, sorted; [] if there is no such folder. */
function filesUnder(folder: string): string[] {
  try {
    return readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch {
    return [];
  }
}

describe('a scaffolded module', () => {
  it('writes package.json, index.ts and a test, the test importing the harness by a relative path', () => {
    const files = scaffoldModule('counter-one', { modulesDir });
    expect(files.map((file) => path.relative(modulesDir, file))).toEqual(['counter-one/package.json', 'counter-one/index.ts', 'counter-one/__tests__/counter-one.test.ts']);
    expect(JSON.parse(readFileSync(files[0]!, 'utf8'))).toMatchObject({ name: 'counter-one', version: '1.0.0', description: expect.stringMatching(/\w/) });
    const harnessImport = /from '([^']+harness\.ts)'/.exec(readFileSync(files[2]!, 'utf8'))![1]!;
    expect(harnessImport).toMatch(/^\.\.\//);
    expect(path.resolve(path.dirname(files[2]!), harnessImport)).toBe(path.join(PROJECT_ROOT, 'test/harness.ts'));
  });

  it('builds beside the project modules, loads, counts through the kernel, and gives its frames back', async () => {
    scaffoldModule('counter-one', { modulesDir });
    kernel = await bootKernel({ modules: [modulesDir] });
    const before = await kernel.frames();
    expect(await kernel.run('modprobe counter-one')).toBe('');
    expect(await kernel.run('modinfo counter-one')).toMatch(/^version:\s+1\.0\.0$/m);
    expect(await kernel.call('counter-one', 'increment')).toBe(1);
    expect(await kernel.call('counter-one', 'increment', 41)).toBe(42);
    expect(await kernel.run('dmesg')).toMatch(/counter-one: loaded/);
    expect(await kernel.unloadGivesMemoryBack('counter-one')).toBe(true);
    expect(await kernel.run('dmesg')).toMatch(/counter-one: unloaded at 42/);
    expect(await kernel.frames()).toEqual(before);
  });

  it('has a generated test that passes where it was written', () => {
    const [, , testFile] = scaffoldModule('counter-one', { modulesDir });
    const environment = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^VITEST|^FORCE_COLOR$/.test(key))), NO_COLOR: '1' };
    const run = spawnSync(process.execPath, [VITEST, 'run', '--root', root, '--config', path.join(PROJECT_ROOT, 'vitest.config.ts')], { encoding: 'utf8', env: environment });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(path.relative(root, testFile!));
    expect(run.stdout).toMatch(/Tests\s+2 passed/);
  });
});

describe('refusals: one line, nothing written', () => {
  it.each([
    ['an upper-case name', 'Counter', '"Counter" is not a module name: use lower case letters, digits and dashes, starting with a letter'],
    ['a name starting with a digit', '1counter', '"1counter" is not a module name: use lower case letters, digits and dashes, starting with a letter'],
    ['a name with a slash', 'a/b', '"a/b" is not a module name: use lower case letters, digits and dashes, starting with a letter'],
    ['an empty name', '', '"" is not a module name: use lower case letters, digits and dashes, starting with a letter'],
    ['the kernel module', 'kernel', '"kernel" is the kernel module\'s name (modules/kernel, keel:kernel): pick another name'],
  ])('%s', (_case, name, message) => {
    expect(() => scaffoldModule(name, { modulesDir })).toThrow(new ScaffoldError(message));
    expect(filesUnder(root)).toEqual([]);
  });

  it('a name taken in the modules folder, or in another module folder given', () => {
    scaffoldModule('taken', { modulesDir });
    const written = filesUnder(root);
    expect(() => scaffoldModule('taken', { modulesDir })).toThrow(new ScaffoldError(`the name taken is taken (${path.join(modulesDir, 'taken')} exists): pick another name`));
    const fixtures = path.join(root, 'fixtures');
    mkdirSync(path.join(fixtures, 'fixture'), { recursive: true });
    expect(() => scaffoldModule('fixture', { modulesDir, otherModuleDirs: [fixtures] })).toThrow(
      new ScaffoldError(`the name fixture is taken (${path.join(fixtures, 'fixture')} exists): pick another name`),
    );
    expect(filesUnder(root)).toEqual(written);
  });

  it('a name another module folder the build reads uses: the simulation\'s sim-driver, the benchmark\'s bench-callee, a version\'s package name', () => {
    expect(() => scaffoldModule('sim-driver', { modulesDir, otherModuleDirs: OTHER_MODULE_DIRS })).toThrow(
      new ScaffoldError(`the name sim-driver is taken (${path.join(PROJECT_ROOT, 'sim/modules/sim-driver')} exists): pick another name`),
    );
    expect(() => scaffoldModule('bench-callee', { modulesDir, otherModuleDirs: OTHER_MODULE_DIRS })).toThrow(/the name bench-callee is taken/);
    const renamed = path.join(root, 'elsewhere', 'folder-name', 'versions', '1.0.0');
    mkdirSync(renamed, { recursive: true });
    writeFileSync(path.join(renamed, 'package.json'), JSON.stringify({ name: 'package-name', version: '1.0.0' }));
    writeFileSync(path.join(renamed, 'index.ts'), '');
    writeFileSync(path.join(root, 'elsewhere', 'folder-name', 'package.json'), JSON.stringify({ name: 'package-name', version: '2.0.0' }));
    writeFileSync(path.join(root, 'elsewhere', 'folder-name', 'index.ts'), '');
    expect(() => scaffoldModule('package-name', { modulesDir, otherModuleDirs: [path.join(root, 'elsewhere')] })).toThrow(/the name package-name is taken \(.*folder-name exists\)/);
    expect(filesUnder(modulesDir)).toEqual([]);
  });

  it.each([
    ['no name', [], 'npm run new-module: missing NAME (npm run new-module -- --help lists the options)'],
    ['two names', ['one', 'two'], "npm run new-module: unexpected argument 'two' (npm run new-module -- --help lists the options)"],
    ['an unknown option', ['--force', 'x'], 'npm run new-module: unknown option --force (npm run new-module -- --help lists the options)'],
  ])('from the command line, a usage error: %s, exit status 2', (_case, args, line) => {
    const run = spawnSync(process.execPath, [TSX, 'scripts/new-module.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect([run.status, run.stdout, run.stderr]).toEqual([2, '', `${line}\n`]);
  });

  it.each([
    ['a simulation module', ['sim-driver'], 'new-module: the name sim-driver is taken (sim/modules/sim-driver exists): pick another name'],
    ['a bad name', ['Bad'], 'new-module: "Bad" is not a module name: use lower case letters, digits and dashes, starting with a letter'],
    ['a module of the project', ['hello'], 'new-module: the name hello is taken (modules/hello exists): pick another name'],
    ['a test fixture', ['provider'], 'new-module: the name provider is taken (test/fixtures/modules/provider exists): pick another name'],
  ])('from the command line: %s', (_case, args, line) => {
    const folder = path.join(PROJECT_ROOT, 'modules', args[0] ?? '-');
    const before = filesUnder(folder);
    const run = spawnSync(process.execPath, [TSX, 'scripts/new-module.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect([run.status, run.stdout, run.stderr]).toEqual([1, '', `${line}\n`]);
    expect(filesUnder(folder)).toEqual(before);
  });
});
