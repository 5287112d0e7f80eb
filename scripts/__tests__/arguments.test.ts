/*
 * The command-line reader every npm script uses (scripts/arguments.ts), on its own: what it
 * takes, the usage it prints, and the one line of each usage error — the cases that
 * test/scripts.test.ts and test/cli.test.ts check through real processes only a few of.
 */
import { describe, expect, it } from 'vitest';
import { parseArguments, usage, type ScriptSpec } from '../arguments.ts';

const SPEC: ScriptSpec = {
  name: 'npm run demo',
  summary: 'Does a demonstration.',
  options: {
    mem: { type: 'string', value: 'SIZE', default: '64M', description: 'memory' },
    exec: { type: 'string', value: '"cmd"', description: 'commands' },
    quiet: { type: 'boolean', description: 'print less' },
  },
};
const WITH_NAME: ScriptSpec = { ...SPEC, positionals: { usage: 'NAME', description: 'a name', min: 1, max: 1 } };

describe('parseArguments', () => {
  it('reads options, defaults and positionals', () => {
    expect(parseArguments(SPEC, ['--exec', 'lsmod', '--quiet'])).toEqual({ values: { mem: '64M', exec: 'lsmod', quiet: true }, positionals: [] });
    expect(parseArguments(SPEC, ['--mem=16M'])).toEqual({ values: { mem: '16M' }, positionals: [] });
    expect(parseArguments(WITH_NAME, ['greeter'])).toEqual({ values: { mem: '64M' }, positionals: ['greeter'] });
  });

  it('answers --help and -h with the usage, which lists every option with its value and default', () => {
    const help = usage(SPEC);
    expect(parseArguments(SPEC, ['--help'])).toEqual({ help });
    expect(parseArguments(SPEC, ['-h'])).toEqual({ help });
    expect(help.split('\n')[0]).toBe('usage: npm run demo -- [options]');
    expect(help).toMatch(/--mem SIZE\s+memory \(default: 64M\)/);
    expect(help).toMatch(/--exec "cmd"\s+commands$/m);
    expect(help).toMatch(/--quiet\s+print less$/m);
    expect(help).toMatch(/-h, --help\s+print this help and exit$/m);
    expect(usage(WITH_NAME).split('\n')[0]).toBe('usage: npm run demo -- [options] NAME');
  });

  it.each([
    ['an unknown option', SPEC, ['--bogus'], 'unknown option --bogus'],
    ['an unknown short option', SPEC, ['-x'], 'unknown option -x'],
    ['an option without its value', SPEC, ['--exec'], 'option --exec needs a value'],
    ['an option whose value looks like an option', SPEC, ['--exec', '--mem', '1M'], 'option --exec needs a value: --mem is read as an option (to give it as the value, write --exec=--mem)'],
    ['a negative number', SPEC, ['--mem', '-64M'], 'option --mem needs a value: -64M is read as an option (to give it as the value, write --mem=-64M)'],
    ['a value for a flag', SPEC, ['--quiet=yes'], 'option --quiet takes no value'],
    ['a stray argument', SPEC, ['lsmod'], "unexpected argument 'lsmod'"],
    ['a missing positional', WITH_NAME, [], 'missing NAME'],
    ['one positional too many', WITH_NAME, ['one', 'two'], "unexpected argument 'two'"],
  ])('refuses %s in one line', (_case, spec, args, error) => {
    expect(parseArguments(spec, args)).toEqual({ error });
  });
});
