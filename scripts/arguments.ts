/*
 * The command line of every npm script (build, boot, dev, sim, bench, new-module): options
 * read with node:util's parseArgs, strictly, and a usage that lists every option.
 *
 *   const { values, positionals } = readArguments({
 *     name: 'npm run boot', summary: 'Boots a built keel in the emulator.',
 *     options: { mem: { type: 'string', value: 'SIZE', default: '64M', description: 'physical memory' } },
 *   });
 *
 * `--help` (or `-h`) prints the usage and exits 0. An unknown option, an option without its
 * value or an argument the script does not take is one line on stderr — `npm run boot:
 * unknown option --bogus (npm run boot -- --help lists the options)` — and exit status 2, as
 * Linux tools answer a usage error; never parseArgs' own error with its stack.
 */
import { parseArgs } from 'node:util';

/** Exit status of a usage error (as GNU tools, bash and argparse use). */
export const USAGE_STATUS = 2;

export interface ScriptOption {
  type: 'string' | 'boolean';
  /** What the value is, in the usage: `--mem SIZE`. */
  value?: string;
  default?: string;
  short?: string;
  description: string;
}

export interface ScriptSpec {
  /** How the user runs it: `npm run sim`. */
  name: string;
  summary: string;
  options: Record<string, ScriptOption>;
  /** The positional arguments it takes, in the usage (`NAME`); none if absent. */
  positionals?: { usage: string; description: string; min: number; max: number };
  /** Lines after the options: examples. */
  examples?: string[];
}

export function usage(spec: ScriptSpec): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`;
    return `  ${flag.padEnd(26)}${option.description}${option.default !== undefined ? ` (default: ${option.default})` : ''}`;
  });
  const positional = spec.positionals ? ` ${spec.positionals.usage}` : '';
  return [
    `usage: ${spec.name} -- [options]${positional}`,
    '',
    spec.summary,
    '',
    ...(spec.positionals ? [`  ${spec.positionals.usage.padEnd(26)}${spec.positionals.description}`] : []),
    ...rows,
    `  ${'-h, --help'.padEnd(26)}print this help and exit`,
    ...(spec.examples ? ['', ...spec.examples.map((line) => `  ${line}`)] : []),
  ].join('\n');
}

/** parseArgs' error, as one line: what was wrong, never how parseArgs words it. */
function describeParseError(error: Error & { code?: string }, args: string[]): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted}`;
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument '${quoted}'`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = quoted.split(' ')[0]!;
    if (/does not take an argument/.test(error.message)) return `option ${option} takes no value`;
    const next = args[args.indexOf(option) + 1];
    if (next?.startsWith('-')) return `option ${option} needs a value: ${next} is read as an option (to give it as the value, write ${option}=${next})`;
    return `option ${option} needs a value`;
  }
  return error.message.split('\n')[0]!;
}

/** What a command line asks for: the values and positionals, the usage (for --help), or a usage error's line. */
export type ParsedArguments<Values> = { values: Values; positionals: string[] } | { help: string } | { error: string };

/** Reads `args` against `spec`, without printing or exiting (readArguments does both). */
export function parseArguments<Values = Record<string, string | boolean | undefined>>(spec: ScriptSpec, args: string[]): ParsedArguments<Values> {
  try {
    const options = Object.fromEntries(
      Object.entries(spec.options).map(([name, { type, short, default: value }]) => [name, { type, ...(short ? { short } : {}), ...(value !== undefined ? { default: value } : {}) }]),
    );
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: spec.positionals !== undefined, strict: true });
    if (values.help) return { help: usage(spec) };
    const { min = 0, max = 0 } = spec.positionals ?? {};
    if (positionals.length < min) return { error: `missing ${spec.positionals!.usage}` };
    if (positionals.length > max) return { error: `unexpected argument '${positionals[max]}'` };
    return { values: values as Values, positionals };
  } catch (error) {
    return { error: describeParseError(error as Error, args) };
  }
}

/** Reads the script's arguments; prints the usage and exits 0 for --help, one line and exits 2 for a usage error. */
export function readArguments<Values = Record<string, string | boolean | undefined>>(spec: ScriptSpec, args = process.argv.slice(2)): { values: Values; positionals: string[] } {
  const parsed = parseArguments<Values>(spec, args);
  if ('help' in parsed) {
    console.log(parsed.help);
    process.exit(0);
  }
  if ('error' in parsed) return exitWithUsageError(spec, parsed.error);
  return parsed;
}

/**
 * Why an option's value is not a whole number from `least` (to `most`, when there is a most),
 * in the words of a usage error — `--port 70000: expected a whole number from 0 to 65535` — or
 * null when it is one.
 */
export function wholeNumberProblem(option: string, text: string, least: number, most?: number): string | null {
  const value = Number(text);
  if (/^\d+$/.test(text) && value >= least && (most === undefined || value <= most)) return null;
  return `--${option} ${text}: expected a whole number ${most === undefined ? `of at least ${least}` : `from ${least} to ${most}`}`;
}

/** Prints `message` as the script's one-line usage error and exits with status 2. */
export function exitWithUsageError(spec: ScriptSpec, message: string): never {
  console.error(`${spec.name}: ${message} (${spec.name} -- --help lists the options)`);
  process.exit(USAGE_STATUS);
}
