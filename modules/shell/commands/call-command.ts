/*
 * call — calls an export of a module from the shell, as another module would: through the
 * kernel (loading the module if needed) and its stubs. Arguments are JSON where they parse
 * (42, "text", [1,2], {"a":1}) and plain strings otherwise; the result is printed as JSON, a
 * class instance by its fields, cut after 64 KiB with a line that says so (result-cut.ts), and
 * nothing for undefined (a void function). A call that waits can be abandoned with Ctrl-C.
 *
 *   keel# call hello greet world
 *   "Hello, world!"
 */
import { printableJson } from 'keel:sysinfo';
import { print, printError } from '../print.ts';
import { cutResult, RESULT_CHARACTERS } from '../result-cut.ts';
import { withModule } from '../with-module.ts';
import type { Command } from './command.ts';

function parseArgument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const callCommand: Command = {
  usage: 'call MODULE SYMBOL [ARG...]',
  summary: "call a module's export (arguments as JSON) and print the result",
  run: ([name, symbol, ...args]) => {
    if (!name || !symbol) throw new Error('usage: call MODULE SYMBOL [ARG...]');
    return withModule<Record<string, unknown>, number>(name, async (exports) => {
      const target = exports[symbol];
      if (typeof target !== 'function') throw new Error(`${name} has no function ${symbol}`);
      let result: unknown;
      try {
        result = await target(...args.map(parseArgument));
      } catch (error) {
        printError(`call: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`);
        return 1;
      }
      // A void function's result is no output, as a shell command that prints nothing.
      if (result === undefined) return 0;
      if (typeof result === 'function') {
        print(`[Function ${result.name || 'anonymous'}]`);
        return 0;
      }
      const printed = cutResult(result, printableJson);
      if ('error' in printed) {
        printError(`call: ${name}.${symbol} returned a value that cannot be printed: ${printed.error}`);
        return 1;
      }
      print(printed.json);
      if (printed.cutFrom !== null) printError(`call: ${name}.${symbol} returned ${printed.cutFrom} characters of JSON: the first ${RESULT_CHARACTERS} are printed`);
      return 0;
    });
  },
};
