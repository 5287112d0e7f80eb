/*
 * The shell's parsers on their own: command lines (command-line.ts: ";", pipes, redirects,
 * quotes, syntax errors) and command options (options.ts: getopt's rules and words).
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, ShellSyntaxError } from '../command-line.ts';
import { expectOperands, parseOptions, UsageError } from '../options.ts';

const words = (line: string) => parseCommandLine(line).map(({ commands }) => commands.map((command) => command.words));

describe('parseCommandLine', () => {
  it('splits commands on ";" and pipelines on "|", with or without spaces', () => {
    expect(words('lsmod | grep kv; free')).toEqual([[['lsmod'], ['grep', 'kv']], [['free']]]);
    expect(words('lsmod|grep kv;free')).toEqual([[['lsmod'], ['grep', 'kv']], [['free']]]);
    expect(words(' ; ;lsmod;; ')).toEqual([[['lsmod']]]);
  });

  it('reads > and >> with or without spaces, on any command of a pipeline', () => {
    expect(parseCommandLine('echo a>/tmp/x')).toEqual([{ commands: [{ words: ['echo', 'a'], redirect: { path: '/tmp/x', append: false } }] }]);
    expect(parseCommandLine('echo a >>/tmp/x')).toEqual([{ commands: [{ words: ['echo', 'a'], redirect: { path: '/tmp/x', append: true } }] }]);
    expect(parseCommandLine('lsmod > /tmp/a | wc')[0]!.commands).toEqual([{ words: ['lsmod'], redirect: { path: '/tmp/a', append: false } }, { words: ['wc'] }]);
  });

  it('keeps what quotes hold as one word, operators and blanks included; an empty quote is an empty word', () => {
    expect(words(`echo "a; b | c > d" 'e''f' "" x"y z"`)).toEqual([[['echo', 'a; b | c > d', 'ef', '', 'xy z']]]);
  });

  it.each([
    ['echo "abc', 'unterminated quote: no closing " before the end of the line'],
    ["echo 'it", "unterminated quote: no closing ' before the end of the line"],
    ['lsmod |', "syntax error near unexpected token 'newline'"],
    ['| wc', "syntax error near unexpected token '|'"],
    ['lsmod || wc', "syntax error near unexpected token '|'"],
    ['lsmod | ; wc', "syntax error near unexpected token ';'"],
    ['echo >', "syntax error near unexpected token 'newline'"],
    ['echo > >> x', "syntax error near unexpected token '>>'"],
    ['echo > ; ls', "syntax error near unexpected token ';'"],
  ])('refuses %s', (line, message) => {
    expect(() => parseCommandLine(line)).toThrow(new ShellSyntaxError(message));
  });
});

describe('parseOptions', () => {
  it('reads flags alone and together, values after or joined, in any order, and -- ends options', () => {
    expect(parseOptions(['-v', 'kv', '-ic'], { flags: 'vic' })).toEqual({ flags: new Set(['v', 'i', 'c']), values: new Map(), operands: ['kv'] });
    expect(parseOptions(['-n', '3', 'file', '-n5'], { values: 'n' })).toEqual({ flags: new Set(), values: new Map([['n', '5']]), operands: ['file'] });
    expect(parseOptions(['-r', '--', '-x', '-'], { flags: 'r' }).operands).toEqual(['-x', '-']);
  });

  it.each([
    [['-f', 'kv'], {}, "invalid option -- 'f'"],
    [['-rf'], { flags: 'r' }, "invalid option -- 'f'"],
    [['--force'], { flags: 'f' }, "unrecognized option '--force'"],
    [['-n'], { values: 'n' }, "option requires an argument -- 'n'"],
  ])('refuses %j as getopt does', (args, spec, message) => {
    expect(() => parseOptions(args, spec)).toThrow(new UsageError(message));
  });

  it('counts operands', () => {
    expect(() => expectOperands([], 1, 1, 'insmod PATH')).toThrow(new UsageError('missing operand (usage: insmod PATH)'));
    expect(() => expectOperands(['a', 'b'], 1, 1, 'insmod PATH')).toThrow(new UsageError("extra operand 'b' (usage: insmod PATH)"));
    expect(() => expectOperands(['a'], 1, 1, 'insmod PATH')).not.toThrow();
  });
});
