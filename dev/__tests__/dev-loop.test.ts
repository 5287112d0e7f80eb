/*
 * The dev loop, driven through its file watcher: saving a loaded module swaps it in with its
 * state; a syntax error, a type error (a line for each), an init that throws and a refused
 * state each print one line and leave the running version serving; saving a module nobody loaded adds it for modprobe; a
 * record the index could not hold is refused.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../build/paths.ts';
import { startDevLoop, type DevLoop } from '../dev-loop.ts';

let folder: string;
let loop: DevLoop;
let output = '';
/** Checks waiting on the console, run each time it prints. */
const waiters = new Set<() => void>();
const print = (text: string) => {
  output += text;
  for (const check of [...waiters]) check();
};

/** Resolves once output after `from` matches `pattern`, with the match. No clock: the test runner's timeout is the limit. */
function until(pattern: RegExp, from = 0): Promise<RegExpExecArray> {
  return new Promise((resolve) => {
    const check = () => {
      const match = pattern.exec(output.slice(from));
      if (!match) return;
      waiters.delete(check);
      resolve(match);
    };
    waiters.add(check);
    check();
  });
}

const source = (body: string) => `import type { StateHandover } from 'keel:kernel';
let count = 0;
export function bump(): number {
  return ++count;
}
export function exportState(): StateHandover {
  return { format: 1, entries: 1, data: count };
}
${body}
export function exit(): void {}
`;
const IMPORT_COUNT = `export function importState(state: StateHandover): void {
  count = state.data as number;
}`;

function save(name: string, text: string): void {
  mkdirSync(path.join(folder, name), { recursive: true });
  writeFileSync(path.join(folder, name, 'package.json'), JSON.stringify({ name, version: '1.0.0', description: `dev loop test module ${name}` }));
  writeFileSync(path.join(folder, name, 'index.ts'), text);
}

/** Types a command line and returns its output (up to the next prompt). */
async function run(line: string): Promise<string> {
  const start = output.length;
  loop.machine.console.type(line);
  const prompt = await until(/keel# /, start);
  return output.slice(start, start + prompt.index);
}

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'keel-dev-'));
  save('counter', source(`export function version(): string {\n  return 'first';\n}\n${IMPORT_COUNT}`));
  loop = await startDevLoop({ moduleDirs: [path.join(PROJECT_ROOT, 'modules'), folder], output: print });
  await until(/keel# $/);
  expect(await run('modprobe counter; call counter bump; call counter bump')).toBe('1\n2\n');
});

afterAll(async () => {
  await loop.stop();
  rmSync(folder, { recursive: true, force: true });
});

it('a save of a loaded module swaps the new code in, state kept', async () => {
  save('counter', source(`export function version(): string {\n  return 'second';\n}\n${IMPORT_COUNT}`));
  await until(/dev: swap: counter 1\.0\.0 -> 1\.0\.0-dev\.\d+: quiescent in [\d.]+ ms, callers paused [\d.]+ ms, 1 state entry transferred, 1 text frame freed, [\d.]+ ms in all/);
  expect(await run('call counter version; call counter bump')).toBe('"second"\n3\n');
  expect((await run('dmesg')).match(/swap: counter 1\.0\.0 -> 1\.0\.0-dev\.\d+: quiescent/g)).toHaveLength(1);
});

it.each([
  ['a syntax error', source('export function version( {'), /dev: build failed, the running version stays: .*counter\/index\.ts:\d+:\d+: .+/],
  ['a type error', source(`export function version(): string {\n  return 2;\n}\n${IMPORT_COUNT}`), /dev: 1 type error in counter, the running version stays:\n {2}\S*counter\/index\.ts:10: Type 'number' is not assignable to type 'string'\.\n/],
  ['an init that throws', source(`export function version(): string {\n  return 'broken';\n}\nexport function init(): void {\n  throw new Error('no start today');\n}\n${IMPORT_COUNT}`), /dev: swap: counter .* rolled back, counter stays at .*: the new version failed to load: counter: init failed: no start today/],
  ['a state hook that refuses the old state', source(`export function version(): string {\n  return 'picky';\n}\nexport function importState(): void {\n  throw new Error('not my format');\n}`), /dev: swap: counter .* rolled back, counter stays at \S+: \S+ refused the state of \S+ \(format 1\): not my format/],
])('%s: one clear line, and the running version keeps serving with its state', async (_case, text, line) => {
  const before = Number(await run('call counter bump'));
  const from = output.length;
  save('counter', text);
  await until(line, from);
  expect(await run('call counter version; call counter bump')).toBe(`"second"\n${before + 1}\n`);
});

it('a save of a module nobody has loaded adds it to the index for modprobe', async () => {
  save('newcomer', 'export function hello(): string {\n  return "new here";\n}\nexport function exit(): void {}\n');
  await until(/dev: newcomer 1\.0\.0-dev\.\d+ is in the ramdisk index; nobody has loaded it \(modprobe newcomer 1\.0\.0-dev\.\d+\)/);
  expect(await run('modprobe newcomer; call newcomer hello')).toBe('"new here"\n');
});

it('a record that the index could not hold is refused in one line, checked as the ramdisk\'s are, and nothing changes', async () => {
  const before = await run('lsmod');
  loop.machine.channel.send(JSON.stringify({ name: 'counter', version: '1.0.0\n//', path: 'lib/modules/counter/x.js' }), new Uint8Array(4));
  expect((await until(/dev: could not take the new module: .*\n/))[0]).toBe('dev: could not take the new module: a record sent to the kernel (counter): field version should be a version (1.2.3)\n');
  expect(await run('lsmod')).toBe(before);
});
