/*
 * npm run new-module -- NAME: starts a module. It writes modules/NAME/ with
 *
 *   package.json                 name, version 1.0.0, description
 *   index.ts                     a counter: init and exit log through printk, and
 *                                exportState/importState (format 1) keep the count across a swap
 *   __tests__/NAME.test.ts       builds keel with the module, boots it, loads it, calls it
 *                                through the kernel, unloads it and checks its memory came back
 *
 * A name must be lower case letters, digits and dashes, starting with a letter; `kernel` is
 * the kernel module's, and a name any module folder the build reads uses (modules/, the test
 * fixtures, the benchmark's, the simulation's; a folder's name or a package.json's) is taken.
 * A refusal is one line, exit status 1, and nothing is written; a usage error (no name, two
 * names, an unknown option) exits 2. Tests call scaffoldModule with a temporary modules folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleFolders } from '../build/module-folders.ts';
import { PROJECT_ROOT } from '../build/paths.ts';
import { readArguments } from './arguments.ts';

/** Why a module was not created: one line for the user. */
export class ScaffoldError extends Error {
  override name = 'ScaffoldError';
}

export interface ScaffoldOptions {
  /** The folder the module's folder goes into (the project's modules/, or a test's own). */
  modulesDir: string;
  /** Other module folders whose names are taken too (the test fixtures, built beside modules/). */
  otherModuleDirs?: string[];
}

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
const HARNESS = path.join(PROJECT_ROOT, 'test/harness.ts');

function packageJson(name: string): string {
  const manifest = { name, version: '1.0.0', description: `${name}: a counter to start from; say here what the module does`, private: true };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function moduleSource(name: string): string {
  return `/*
 * ${name} — a counter, as \`npm run new-module\` wrote it: a starting point to make your own.
 * Every function exported here can be imported by other modules as \`keel:${name}\` and run
 * from the shell with \`call ${name} NAME [ARG...]\`. init runs when the module is loaded,
 * exit when it is unloaded (without exit a module is permanent), and exportState/importState
 * hand the count over when the module is swapped for another version of itself.
 */
import { printk, type StateHandover } from 'keel:kernel';

let count = 0;

/** Adds \`step\` to the count and returns the new count. */
export function increment(step = 1): number {
  count += step;
  return count;
}

/** The count so far. */
export function value(): number {
  return count;
}

export function init(): void {
  printk('${name}: loaded');
}

export function exit(): void {
  printk(\`${name}: unloaded at \${count}\`);
}

/** What a swap hands to the next version: state format 1 is the count. */
export function exportState(): StateHandover {
  return { format: 1, entries: 1, data: count };
}

/** Takes the count from the version being replaced; a format it cannot read rolls the swap back. */
export function importState(state: StateHandover, fromVersion: string): void {
  if (state.format !== 1) throw new Error(\`${name} reads state format 1, not \${state.format} (from \${fromVersion})\`);
  count = state.data as number;
}
`;
}

function testSource(name: string, harnessImport: string): string {
  return `/*
 * ${name}, end to end, as \`npm run new-module\` wrote it: build keel with this module, boot it,
 * load the module, call it through the kernel, unload it and check every frame came back.
 * Run it with \`npm test -- modules/${name}\`; test/harness.ts lists what a TestKernel can do.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { bootKernel, type TestKernel } from '${harnessImport}';

/** The modules folder this module is in, built beside the project's own modules. */
const MODULES_DIR = fileURLToPath(new URL('../../', import.meta.url));

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.halt();
  kernel = undefined;
});

it('loads, counts through the kernel, and gives its memory and its code back when unloaded', async () => {
  kernel = await bootKernel({ modules: [MODULES_DIR] });
  const before = await kernel.frames();
  expect(await kernel.run('modprobe ${name}')).toBe('');
  expect(await kernel.call('${name}', 'increment')).toBe(1);
  expect(await kernel.call('${name}', 'increment', 2)).toBe(3);
  expect(await kernel.call('${name}', 'value')).toBe(3);
  expect(await kernel.unloadGivesMemoryBack('${name}')).toBe(true);
  expect(await kernel.frames()).toEqual(before);
  // No zombie: the host collected all of its code (else each line says what still holds it).
  expect(await kernel.zombieHolders('${name}')).toEqual([]);
});

it("is swapped only to another version: kernel.swap throws with the swap's line when it is refused", async () => {
  kernel = await bootKernel({ modules: [MODULES_DIR] });
  await kernel.run('modprobe ${name}');
  await kernel.call('${name}', 'increment', 5);
  // With a second version (docs/authoring.md, "Version 2, swapped in while it runs"), kernel.swap('${name}', VERSION)
  // returns the swap's report instead, and the count is kept.
  await expect(kernel.swap('${name}', '1.0.0')).rejects.toThrow('swap: ${name}: refused, nothing changed: ${name} is already at 1.0.0');
  expect(await kernel.call('${name}', 'value')).toBe(5);
});
`;
}

/** The module folders the build reads besides modules/: the tests', the benchmark's and the simulation's. */
export const OTHER_MODULE_DIRS = ['test/fixtures/modules', 'bench/fixtures/modules', 'sim/modules'].map((folder) => path.join(PROJECT_ROOT, folder));

/** Where a module named `name` already lives: a folder of that name, or a package.json (of any version) naming it. */
function takenBy(name: string, folders: string[]): string | undefined {
  const byFolder = folders.map((folder) => path.join(folder, name)).find((folder) => existsSync(folder));
  if (byFolder) return byFolder;
  return moduleFolders(folders).find((folder) => {
    try {
      return (JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: unknown }).name === name;
    } catch {
      return false;
    }
  });
}

/** Writes modules/NAME/ (see the header) and returns the files it wrote; throws a ScaffoldError, having written nothing, if the name is bad or taken. */
export function scaffoldModule(name: string, { modulesDir, otherModuleDirs = [] }: ScaffoldOptions): string[] {
  if (!NAME_PATTERN.test(name)) {
    throw new ScaffoldError(`"${name}" is not a module name: use lower case letters, digits and dashes, starting with a letter`);
  }
  if (name === 'kernel') throw new ScaffoldError('"kernel" is the kernel module\'s name (modules/kernel, keel:kernel): pick another name');
  const taken = takenBy(name, [modulesDir, ...otherModuleDirs]);
  if (taken) throw new ScaffoldError(`the name ${name} is taken (${taken} exists): pick another name`);

  const folder = path.join(modulesDir, name);
  const testFolder = path.join(folder, '__tests__');
  const harnessImport = path.relative(testFolder, HARNESS).split(path.sep).join('/');
  const files: Array<[string, string]> = [
    [path.join(folder, 'package.json'), packageJson(name)],
    [path.join(folder, 'index.ts'), moduleSource(name)],
    [path.join(testFolder, `${name}.test.ts`), testSource(name, harnessImport)],
  ];
  mkdirSync(testFolder, { recursive: true });
  for (const [file, text] of files) writeFileSync(file, text, { flag: 'wx' });
  return files.map(([file]) => file);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = {
    name: 'npm run new-module',
    summary: 'Starts a module: writes modules/NAME/ with package.json, index.ts (a counter) and a test.',
    options: {},
    positionals: { usage: 'NAME', description: 'the module\'s name: lower case letters, digits and dashes, starting with a letter', min: 1, max: 1 },
    examples: ['npm run new-module -- greeter'],
  };
  const { positionals } = readArguments(spec);
  const relative = (folder: string) => path.relative(process.cwd(), folder) || '.';
  const name = positionals[0]!;
  try {
    const files = scaffoldModule(name, { modulesDir: relative(path.join(PROJECT_ROOT, 'modules')), otherModuleDirs: OTHER_MODULE_DIRS.map(relative) });
    for (const file of files) console.log(`created ${file}`);
    console.log(`try it:  npm start -- --exec "modprobe ${name}; call ${name} increment; call ${name} increment 2"`);
    console.log(`test it: npm test -- modules/${name}`);
  } catch (error) {
    if (!(error instanceof ScaffoldError)) throw error;
    console.error(`new-module: ${error.message}`);
    process.exit(1);
  }
}
