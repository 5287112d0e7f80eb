/*
 * Small text filters for pipes, each taking what the command before it printed, or files:
 *
 *   lsmod | grep -i KV          grep [-E|-F] [-v] [-i] [-w] [-n] [-c] PATTERN [FILE...]
 *   dmesg | tail -3             head/tail [-n N | -N] [FILE...]         (10 lines by default)
 *   cat /proc/modules | wc -l   wc [-l] [-w] [-c] [FILE...]             (all three by default)
 *
 * grep's PATTERN is a regular expression, JavaScript's, which is extended syntax already (`a|b`,
 * `(x)+`): -E asks for it by name, -F takes the pattern as fixed text, -w matches whole words
 * only, -n puts each line's number before it (`3:kv ...`). As in Linux, grep's status is 1 when
 * no line matched and 2 for a bad pattern.
 */
import { expectOperands, parseOptions, UsageError } from '../options.ts';
import { print } from '../print.ts';
import { readFiles } from './file-commands.ts';
import type { Command } from './command.ts';

/** The lines of the input: the files named, else what the pipe brought. */
async function inputLines(command: string, files: string[], input: string | undefined): Promise<{ lines: string[]; failed: boolean }> {
  if (files.length === 0) {
    if (input === undefined) throw new UsageError(`no input: use ${command} in a pipe (lsmod | ${command} ...) or name a file`);
    return { lines: splitLines(input), failed: false };
  }
  const { texts, failed } = await readFiles(command, files);
  return { lines: texts.flatMap(splitLines), failed };
}

const splitLines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/** head and tail take `-N` as `-n N`, as the old forms did. */
function lineCount(args: string[]): { count: number; files: string[] } {
  const { values, operands } = parseOptions(args.map((argument) => (/^-\d+$/.test(argument) ? `-n${argument.slice(1)}` : argument)), { values: 'n' });
  const text = values.get('n') ?? '10';
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid number of lines: '${text}'`);
  return { count: Number(text), files: operands };
}

function grepPattern(pattern: string, flags: Set<string>): RegExp {
  if (flags.has('E') && flags.has('F')) throw new UsageError('conflicting matchers specified (-E and -F)');
  const source = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
  // A word is letters, digits and underscores, as GNU grep's -w reads it.
  const whole = flags.has('w') ? `(?<!\\w)(?:${source})(?!\\w)` : source;
  try {
    return new RegExp(whole, flags.has('i') ? 'i' : '');
  } catch (error) {
    throw new UsageError(`invalid regular expression '${pattern}': ${(error as Error).message}`);
  }
}

export const textCommands: Record<string, Command> = {
  grep: {
    usage: 'grep [-E|-F] [-v] [-i] [-w] [-n] [-c] PATTERN [FILE...]',
    summary: 'print the lines that match (-E: a regular expression, the default; -F: fixed text; -v: that do not; -i: any case; -w: whole words; -n: with line numbers; -c: count them)',
    async run(args, input) {
      const { flags, operands } = parseOptions(args, { flags: 'EFvicwn' });
      expectOperands(operands, 1, Infinity, this.usage);
      const pattern = grepPattern(operands[0]!, flags);
      const { lines, failed } = await inputLines('grep', operands.slice(1), input);
      const matching = lines.flatMap((line, index) => (pattern.test(line) !== flags.has('v') ? [flags.has('n') ? `${index + 1}:${line}` : line] : []));
      if (flags.has('c')) print(String(matching.length));
      else for (const line of matching) print(line);
      return failed ? 2 : matching.length > 0 ? 0 : 1;
    },
  },
  head: {
    usage: 'head [-n N] [FILE...]',
    summary: 'print the first N lines (10)',
    async run(args, input) {
      const { count, files } = lineCount(args);
      const { lines, failed } = await inputLines('head', files, input);
      for (const line of lines.slice(0, count)) print(line);
      return failed ? 1 : 0;
    },
  },
  tail: {
    usage: 'tail [-n N] [FILE...]',
    summary: 'print the last N lines (10)',
    async run(args, input) {
      const { count, files } = lineCount(args);
      const { lines, failed } = await inputLines('tail', files, input);
      for (const line of count === 0 ? [] : lines.slice(-count)) print(line);
      return failed ? 1 : 0;
    },
  },
  wc: {
    usage: 'wc [-l] [-w] [-c] [FILE...]',
    summary: 'count lines, words and characters',
    async run(args, input) {
      const { flags, operands } = parseOptions(args, { flags: 'lwc' });
      const { lines, failed } = await inputLines('wc', operands, input);
      const text = lines.map((line) => `${line}\n`).join('');
      const counts = { l: lines.length, w: text.split(/\s+/).filter(Boolean).length, c: text.length };
      const shown = (['l', 'w', 'c'] as const).filter((flag) => flags.size === 0 || flags.has(flag));
      print(shown.map((flag) => String(counts[flag]).padStart(shown.length > 1 ? 7 : 0)).join(' '));
      return failed ? 1 : 0;
    },
  },
};
