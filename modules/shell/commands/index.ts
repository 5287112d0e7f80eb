/*
 * The shell's command table, built here where the commands are listed: each command file stands
 * on commands/command.ts (what a command is) and none imports the table back; help, which lists
 * the table, is given it.
 */
import { callCommand } from './call-command.ts';
import type { Command } from './command.ts';
import { fileCommands } from './file-commands.ts';
import { moduleCommands } from './module-commands.ts';
import { swapCommand } from './swap-command.ts';
import { systemCommands } from './system-commands.ts';
import { textCommands } from './text-commands.ts';
import { zombieCommand } from './zombie-command.ts';

export const commands = new Map<string, Command>([
  ...Object.entries(moduleCommands),
  ['swap', swapCommand],
  ['call', callCommand],
  ...Object.entries(fileCommands),
  ...Object.entries(textCommands),
]);
for (const [name, command] of Object.entries(systemCommands(commands))) commands.set(name, command);
commands.set('zombies', zombieCommand);
