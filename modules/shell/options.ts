/*
 * Command options read the getopt way, as Linux's tools read them: flags alone or together
 * (`-v -i`, `-vi`), an option's value after it or joined to it (`-n 3`, `-n3`), options and
 * operands in any order, and `--` to end options. An option a command does not take is
 * refused as getopt refuses it, never taken for an operand:
 *
 *   parseOptions(['-r', 'kv'], { flags: 'r' })   → { flags: Set{'r'}, values: Map{}, operands: ['kv'] }
 *   parseOptions(['-f', 'kv'], {})               → throws UsageError("invalid option -- 'f'")
 */
export class UsageError extends Error {}

export interface OptionSpec {
  /** Letters of the flags the command takes. */
  flags?: string;
  /** Letters of the options that take a value. */
  values?: string;
}

export interface ParsedOptions {
  flags: Set<string>;
  values: Map<string, string>;
  operands: string[];
}

export function parseOptions(args: string[], spec: OptionSpec): ParsedOptions {
  const parsed: ParsedOptions = { flags: new Set(), values: new Map(), operands: [] };
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    if (argument === '--') {
      parsed.operands.push(...args.slice(index + 1));
      break;
    }
    if (argument.startsWith('--')) throw new UsageError(`unrecognized option '${argument}'`);
    if (!argument.startsWith('-') || argument === '-') {
      parsed.operands.push(argument);
      continue;
    }
    for (let position = 1; position < argument.length; position++) {
      const letter = argument[position]!;
      if (spec.values?.includes(letter)) {
        const value = position + 1 < argument.length ? argument.slice(position + 1) : args[++index];
        if (value === undefined) throw new UsageError(`option requires an argument -- '${letter}'`);
        parsed.values.set(letter, value);
        break;
      }
      if (!spec.flags?.includes(letter)) throw new UsageError(`invalid option -- '${letter}'`);
      parsed.flags.add(letter);
    }
  }
  return parsed;
}

/** Refuses operands past `most` (and fewer than `least`), naming the command's usage. */
export function expectOperands(operands: string[], least: number, most: number, usage: string): void {
  if (operands.length < least) throw new UsageError(`missing operand (usage: ${usage})`);
  if (operands.length > most) throw new UsageError(`extra operand '${operands[most]}' (usage: ${usage})`);
}
