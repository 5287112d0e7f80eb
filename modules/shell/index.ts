/*
 * shell — the console shell, keel's usual init module.
 *
 * It prints a prompt, reads a line, runs the commands on it (separated by ";"), and repeats
 * until input ends or `halt`; the machine's exit status is 1 if any command failed, else 0.
 * Commands live in commands/, one file per family; `help` lists them.
 */
import { consoleReadLine, consoleWrite, halt } from 'keel:kernel';
import { commands, type CommandResult } from './commands/index.ts';
import { splitCommandLine } from './command-line.ts';

const PROMPT = 'keel# ';
let anyFailed = false;

/** Runs one command line; returns false if a command on it failed. */
export async function runLine(line: string): Promise<boolean> {
  let ok = true;
  for (const words of splitCommandLine(line)) {
    const [name, ...args] = words as [string, ...string[]];
    const command = commands.get(name);
    let result: CommandResult;
    if (!command) {
      consoleWrite(`${name}: command not found (try help)\n`);
      result = 1;
    } else {
      try {
        result = await command.run(args);
      } catch (error) {
        consoleWrite(`${name}: ${(error as Error)?.message ?? String(error)}\n`);
        result = 1;
      }
    }
    if (result === 'halt') {
      halt(anyFailed || !ok ? 1 : 0);
      return ok;
    }
    if (result !== 0) ok = false;
  }
  if (!ok) anyFailed = true;
  return ok;
}

async function loop(): Promise<void> {
  for (;;) {
    consoleWrite(PROMPT);
    const line = await consoleReadLine();
    if (line === null) {
      consoleWrite('\n');
      halt(anyFailed ? 1 : 0);
      return;
    }
    await runLine(line);
  }
}

export function init(): void {
  consoleWrite('keel shell — type help for commands, halt or Ctrl-D to leave\n');
  void Promise.resolve().then(loop);
}
