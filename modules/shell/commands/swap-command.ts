/*
 * swap — replaces a running module by another version of it (the swap module does the work,
 * loaded on first use), and prints its one-line report.
 */
import type * as Swap from 'keel:swap';
import { expectOperands, parseOptions } from '../options.ts';
import { print } from '../print.ts';
import { withModule } from '../with-module.ts';
import type { Command } from './command.ts';
import { checkVersion } from './module-commands.ts';

export const swapCommand: Command = {
  usage: 'swap NAME [VERSION]',
  summary: 'hot-swap a loaded module to VERSION (default: the newest), state kept',
  run(args) {
    const { operands } = parseOptions(args, {});
    expectOperands(operands, 1, 2, this.usage);
    const [name, version] = operands as [string, string | undefined];
    checkVersion(version, this.usage);
    return withModule<typeof Swap, number>('swap', async (swapModule) => {
      const report = await swapModule.swap(name, version);
      print(report.summary);
      return report.ok ? 0 : 1;
    });
  },
};
