/*
 * The shell's command table. A command gets its arguments and returns 0 (success), another
 * number (failure) or 'halt'; it may be async. Throwing prints "name: message" and fails.
 */
import { callCommand } from './call-command.ts';
import { fileCommands } from './file-commands.ts';
import { moduleCommands } from './module-commands.ts';
import { swapCommand } from './swap-command.ts';
import { systemCommands } from './system-commands.ts';

export type CommandResult = number | 'halt';

export interface Command {
  usage: string;
  summary: string;
  run(args: string[]): CommandResult | Promise<CommandResult>;
}

export const commands = new Map<string, Command>([
  ...Object.entries(moduleCommands),
  ['swap', swapCommand],
  ['call', callCommand],
  ...Object.entries(fileCommands),
  ...Object.entries(systemCommands),
]);
