/*
 * The README's shell sessions, typed into a booted kernel as they are written: every block of
 * `keel# ` lines, each on a fresh machine. A command the README shows output for must print
 * that output (timings and dmesg timestamps aside); a command it shows none for must not fail
 * (no line `COMMAND: ...` of a command it ran, unless it is a swap's report of success). A
 * session that cannot be typed as written (one that needs Ctrl-C, or output a timer prints
 * later) is fenced as ```text: shown, not run. The authoring guide's examples are followed by
 * test/guide.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { bootKernel, type TestKernel } from './harness.ts';

interface Step {
  /** The command line, its `# comment` dropped. */
  line: string;
  /** The lines the README shows under it, if any. */
  shown: string[];
}

const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

/** Each fenced block that is a shell session, as its heading and steps. */
function sessions(text: string): { heading: string; steps: Step[] }[] {
  const found: { heading: string; steps: Step[] }[] = [];
  let heading = '';
  for (const [, title, language, block] of text.matchAll(/^#+ (.+)$|^```(\w*)\n([\s\S]*?)^```$/gm)) {
    if (title) heading = title;
    if (language !== '' || block === undefined || !block.startsWith('keel# ')) continue;
    const steps: Step[] = [];
    for (const line of block.trimEnd().split('\n')) {
      if (line.startsWith('keel# ')) steps.push({ line: line.slice('keel# '.length).replace(/\s+#.*$/, ''), shown: [] });
      else steps.at(-1)!.shown.push(line);
    }
    found.push({ heading, steps });
  }
  return found;
}

/** What differs between runs: "0.93 ms" and "12.04 ms" become "N ms", "[    0.021225]" becomes "[T]". */
const steady = (text: string) => text.replace(/\d+\.\d+ ms/g, 'N ms').replace(/^\[\s*\d+\.\d+\]/gm, '[T]');

/** The commands of a command line: the first word of each part between `;` and `|`. */
const commandsOf = (line: string) => line.split(/[;|]/).map((part) => part.trim().split(/\s+/)[0]!);

/**
 * Whether an output line is a command of `line` failing: the shell prints the command's name,
 * a colon, and why — as a swap that succeeded prints its report, which is no failure.
 */
const failure = (line: string) => (printed: string) =>
  commandsOf(line).some((command) => printed.startsWith(`${command}: `)) && !/^swap: \S+ \S+ -> \S+: quiescent in /.test(printed);

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.halt();
  kernel = undefined;
});

const found = sessions(README);

it('finds the sessions of the quick start, the misbehaving module and both swaps', () => {
  expect(found.map(({ heading }) => heading)).toEqual(expect.arrayContaining(['Quick start', 'When a module misbehaves', 'Watch a swap under load', 'Swap the kernel itself']));
});

describe.each(found)('README, $heading', ({ steps }) => {
  it('runs as written', async () => {
    kernel = await bootKernel();
    for (const { line, shown } of steps) {
      if (line === 'halt') continue;
      const output = (await kernel.run(line)).trimEnd();
      if (shown.length > 0) expect(steady(output), line).toBe(steady(shown.join('\n')));
      else expect(output.split('\n').filter(failure(line)), line).toEqual([]);
    }
  });
});

it('tells a failure from output and from a swap that succeeded', () => {
  expect(failure('rmmod kv')('rmmod: ERROR: Module kv is in use by: workload')).toBe(true);
  expect(failure('swap kv; swap scheduler')('swap: kv: refused, nothing changed: kv is already at 2.0.0')).toBe(true);
  expect(failure('lsmod | grep x')('grep: invalid option -- \'q\'')).toBe(true);
  expect(failure('swap kv')('swap: kv 1.0.0 -> 2.0.0: quiescent in 0.01 ms, 1 state entry transferred')).toBe(false);
  expect(failure('modinfo kv')('name:           kv')).toBe(false);
});

it('reads a session from untagged blocks only, under the heading above it', () => {
  const text = '## A\n\n```sh\nnpm start\n```\n\n```text\nkeel# call kv getLater a 600000\n^C\n```\n\n### B\n\n```\nkeel# lsmod   # the modules\nkeel# call kv get a\n"b"\n```\n';
  expect(sessions(text)).toEqual([{ heading: 'B', steps: [{ line: 'lsmod', shown: [] }, { line: 'call kv get a', shown: ['"b"'] }] }]);
});
