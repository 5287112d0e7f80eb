/*
 * What a shell command is. A command gets its arguments and, in a pipeline, the text the command
 * before it printed (`input`); it returns 0 (success), another number (failure) or 'halt', and
 * may be async. Throwing prints "name: message" on the console and fails. The commands' files
 * stand on this one; the table of them is built in commands/index.ts, which none imports back.
 */
export type CommandResult = number | 'halt';

export interface Command {
  usage: string;
  summary: string;
  run(args: string[], input: string | undefined): CommandResult | Promise<CommandResult>;
}
