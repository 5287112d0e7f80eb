/*
 * The shell's command table. A command gets its arguments and, in a pipeline, the text the
 * command before it printed (`input`); it returns 0 (success), another number (failure) or
 * 'halt', and may be async. Throwing prints "name: message" on the console and fails.
 */
import { callCommand } from './call-command.ts';
import { fileCommands } from './file-commands.ts';
import { moduleCommands } from './module-commands.ts';
import { swapCommand } from './swap-command.ts';
import { systemCommands } from './system-commands.ts';
import { textCommands } from './text-commands.ts';
import { zombieCommand } from './zombie-command.ts';

export type CommandResult = number | 'halt';

export interface Command {
  usage: string;
  summary: string;
  run(args: string[], input: string | undefined): CommandResult | Promise<CommandResult>;
}

export const commands = new Map<string, Command>([
  ...Object.entries(moduleCommands),
  ['swap', swapCommand],
  ['call', callCommand],
  ...Object.entries(fileCommands),
  ...Object.entries(textCommands),
  ...Object.entries(systemCommands),
  ['zombies', zombieCommand],
]);
