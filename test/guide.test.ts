/*
 * The authoring guide's "Write your first module" (docs/authoring.md), followed step by step in a
 * temporary folder, with the code blocks read out of the guide so that it cannot drift from what
 * works: scaffold greeter, add greet, boot and call it (output as shown), run its generated
 * test, move 1.0.0 aside and mark it default, write version 2, boot, swap there and back
 * (output as shown, the count kept), and unload with every frame the module had given back. The
 * build error the guide quotes is checked against a real build too, and the guide's class with
 * private fields is swapped both ways while another module holds one of its objects.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createFsFromVolume, Volume } from 'memfs';
import { build } from '../build.ts';
import { PROJECT_ROOT } from '../build/paths.ts';
import { scaffoldModule } from '../scripts/new-module.ts';
import { bootKernel, runUntil, type TestKernel } from './harness.ts';

interface CodeBlock {
  language: string;
  text: string;
}

const GUIDE_FILE = 'docs/authoring.md';
const GUIDE = readFileSync(path.join(PROJECT_ROOT, GUIDE_FILE), 'utf8');

/** One section of the guide, from its heading to the next of the same level. */
function section(heading: string): string {
  const start = GUIDE.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${GUIDE_FILE} has no "${heading}"`);
  const end = GUIDE.indexOf('\n## ', start + heading.length + 1);
  return GUIDE.slice(start, end < 0 ? undefined : end);
}

/** The fenced code blocks of a section, in order. */
function codeBlocks(text: string): CodeBlock[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, language, code]) => ({ language: language!, text: code! }));
}

/** The commands of an `npm start -- --exec "..."` line. */
function execCommands(block: CodeBlock): string {
  const [, commands] = /^npm start -- --exec "([^"]*)"\n$/.exec(block.text) ?? [];
  expect(commands, `not an npm start -- --exec line: ${block.text}`).toBeDefined();
  return commands!;
}

/** A transcript block: its first line is the prompt and the commands, the rest what they print. */
function transcriptOutput(block: CodeBlock, commands: string): string {
  const [first, ...rest] = block.text.split('\n');
  expect(first).toBe(`keel# ${commands}`);
  return rest.join('\n');
}

/** Timings differ from run to run: "0.93 ms" and "12.04 ms" both become "N ms". */
const withoutTimings = (text: string) => text.replace(/\d+\.\d\d ms/g, 'N ms');

const guide = section('## Write your first module');
const blocks = codeBlocks(guide);
let root: string;
let modulesDir: string;
let kernel: TestKernel | undefined;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'keel-guide-'));
  modulesDir = path.join(root, 'modules');
});
afterEach(async () => {
  await kernel?.halt();
  kernel = undefined;
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

it('has the steps this test follows, in this order', () => {
  expect(blocks.map(({ language }) => language)).toEqual(['', 'ts', '', '', '', '', 'json', 'json', 'ts', '', '', 'ts']);
});

const [scaffoldStep, greetFunction, firstRun, firstTranscript, testStep, moveStep, oldPackage, newPackage, newIndex, swapRun, swapTranscript, privateClass] = blocks;

it('follows the guide: scaffold, edit, boot, test, version 2, swap with the state kept', async () => {
  // npm run new-module -- greeter
  const [, name] = /^npm run new-module -- (\S+)\n$/.exec(scaffoldStep!.text)!;
  for (const file of scaffoldModule(name!, { modulesDir })) expect(GUIDE).toContain(`\`${path.relative(root, file)}\``);

  // Add greet at the end of index.ts, build, boot, call.
  appendFileSync(path.join(modulesDir, name!, 'index.ts'), `\n${greetFunction!.text}`);
  const firstCommands = execCommands(firstRun!);
  kernel = await bootKernel({ modules: [modulesDir] });
  expect(await kernel.run(firstCommands)).toBe(transcriptOutput(firstTranscript!, firstCommands));
  await kernel.halt();
  kernel = undefined;

  // npm test -- modules/greeter: the generated test, run where it was written.
  const [, filter] = /^npm test -- (\S+)\n$/.exec(testStep!.text)!;
  const environment = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^VITEST|^FORCE_COLOR$/.test(key))), NO_COLOR: '1' };
  const vitest = path.join(PROJECT_ROOT, 'node_modules/vitest/vitest.mjs');
  const test = spawnSync(process.execPath, [vitest, 'run', filter!, '--root', root, '--config', path.join(PROJECT_ROOT, 'vitest.config.ts')], { encoding: 'utf8', env: environment });
  expect(test.status, test.stdout + test.stderr).toBe(0);
  expect(test.stdout).toMatch(/Tests\s+2 passed/);

  // Move 1.0.0 aside with the guide's own shell lines; its package.json is what the scaffold wrote, marked default.
  execFileSync('sh', ['-e', '-c', moveStep!.text], { cwd: root });
  const oldPackagePath = path.join(modulesDir, name!, 'versions/1.0.0/package.json');
  expect(JSON.parse(oldPackage!.text)).toEqual({ ...JSON.parse(readFileSync(oldPackagePath, 'utf8')), keel: { default: true } });
  writeFileSync(oldPackagePath, oldPackage!.text);
  writeFileSync(path.join(modulesDir, name!, 'package.json'), newPackage!.text);
  writeFileSync(path.join(modulesDir, name!, 'index.ts'), newIndex!.text);

  // Build, boot, greet, swap to 2.0.0 and back: output as the guide shows it, count kept.
  const swapCommands = execCommands(swapRun!);
  kernel = await bootKernel({ modules: [modulesDir], rebuild: true });
  expect(withoutTimings(await kernel.run(swapCommands))).toBe(withoutTimings(transcriptOutput(swapTranscript!, swapCommands)));
  expect(await kernel.call(name!, 'value')).toBe(3);
  expect(await kernel.swap(name!)).toMatch(/^swap: greeter 1\.0\.0 -> 2\.0\.0: .*1 state entry transferred/);
  expect(await kernel.call(name!, 'greet', 'again')).toBe('Hello again, again! (greeting 4, from version 2)');
  expect(await kernel.unloadGivesMemoryBack(name!)).toBe(true);
});

it('quotes the build error that a typo in an import really gives', async () => {
  const [, quoted] = /`build: ([^`]+)`/.exec(guide)!;
  const [, name, symbol, dependency] = /^(\S+) imports (\S+) from keel:(\S+),/.exec(quoted!)!;
  const typoDir = path.join(root, 'typo');
  scaffoldModule(name!, { modulesDir: typoDir });
  appendFileSync(path.join(typoDir, name!, 'index.ts'), `\nimport { ${symbol} } from 'keel:${dependency}';\nexport const typo = ${symbol};\n`);
  const building = build({ fs: createFsFromVolume(new Volume()) as never, outDir: '/dist', moduleDirs: [path.join(PROJECT_ROOT, 'modules'), typoDir], quiet: true });
  await expect(building).rejects.toThrow(quoted!.replace(/\s+/g, ' '));
});

it("swaps the guide's class with private fields both ways while another module holds one of its objects", async () => {
  const bankDir = path.join(root, 'bank-modules');
  const manifest = (name: string, version: string, extra = {}) => JSON.stringify({ name, version, description: `${name} from the guide`, private: true, ...extra });
  // Both versions are the guide's Account, with the accounts kept as the state they hand over.
  const bank = `import type { StateHandover } from 'keel:kernel';\n${privateClass!.text}
let accounts: Account[] = [];
export function open(name: string): Account {
  const account = new Account(name);
  accounts.push(account);
  return account;
}
export const exportState = (): StateHandover => ({ format: 1, entries: accounts.length, data: accounts });
export function importState(state: StateHandover): void {
  accounts = state.data as Account[];
}
export function exit(): void {}
`;
  for (const [folder, version, extra] of [['bank/versions/1.0.0', '1.0.0', { keel: { default: true } }], ['bank', '2.0.0', {}]] as const) {
    mkdirSync(path.join(bankDir, folder), { recursive: true });
    writeFileSync(path.join(bankDir, folder, 'package.json'), manifest('bank', version, extra));
    writeFileSync(path.join(bankDir, folder, 'index.ts'), bank);
  }
  mkdirSync(path.join(bankDir, 'teller'));
  writeFileSync(path.join(bankDir, 'teller', 'package.json'), manifest('teller', '1.0.0'));
  writeFileSync(path.join(bankDir, 'teller', 'index.ts'), `import { open, type Account } from 'keel:bank';
let account: Account | undefined;
export function deposit(amount: number): number {
  account ??= open('ada');
  return account.deposit(amount);
}
export function exit(): void {}
`);
  kernel = await bootKernel({ modules: [bankDir], rebuild: true });
  expect(await kernel.call('teller', 'deposit', 5)).toBe(5);
  expect(await kernel.swap('bank', '2.0.0')).toMatch(/1 object migrated/);
  expect(await kernel.call('teller', 'deposit', 5)).toBe(10);
  expect(await kernel.swap('bank', '1.0.0')).toMatch(/1 object migrated/);
  expect(await kernel.call('teller', 'deposit', 5)).toBe(15);
  const reclaimed = await runUntil(kernel, 'dmesg', /(bank \S+: code reclaimed by the host[^]*){2}/);
  expect([...reclaimed.matchAll(/bank (\S+): code reclaimed/g)].map((match) => match[1]).sort()).toEqual(['1.0.0', '2.0.0']);
});
