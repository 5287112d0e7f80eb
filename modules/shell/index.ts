/*
 * shell — the console shell, keel's usual init module.
 *
 * It prints a prompt, reads a line, runs the commands on it (separated by ";", output sent to
 * a file with "> /tmp/file"), and repeats until input ends or `halt`; the machine's exit
 * status is 1 if any command failed, else 0.
 * Commands live in commands/, one file per family; `help` lists them.
 */
import { consoleReadLine, consoleWrite, halt } from 'keel:kernel';
import type * as Rootfs from 'keel:rootfs';
import { commands, type CommandResult } from './commands/index.ts';
import { splitCommandLine } from './command-line.ts';
import { captureOutput, print } from './print.ts';
import { withModule } from './with-module.ts';

const PROMPT = 'keel# ';
let anyFailed = false;
let halting = false;

/** Runs one command; a failure is printed as "name: message". */
async function runCommand([name, ...args]: string[]): Promise<CommandResult> {
  const command = commands.get(name!);
  if (!command) {
    print(`${name}: command not found (try help)`);
    return 1;
  }
  try {
    return await command.run(args);
  } catch (error) {
    print(`${name}: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

/** Runs a command whose output goes to a file (`command > /tmp/file`). */
async function runRedirected(words: string[], path: string): Promise<CommandResult> {
  const { result, text } = await captureOutput(() => runCommand(words));
  await withModule<typeof Rootfs, void>('rootfs', (rootfs) => rootfs.writeFile(path, text));
  return result;
}

/** Runs one command line; returns false if a command on it failed. */
export async function runLine(line: string): Promise<boolean> {
  let ok = true;
  for (const words of splitCommandLine(line)) {
    const redirect = words.indexOf('>');
    let result: CommandResult;
    try {
      result = redirect < 0 ? await runCommand(words) : await runRedirected(words.slice(0, redirect), words[redirect + 1] ?? '');
    } catch (error) {
      print(`${words[0]}: ${(error as Error)?.message ?? String(error)}`);
      result = 1;
    }
    if (result === 'halt') {
      halting = true;
      halt(anyFailed || !ok ? 1 : 0);
      return ok;
    }
    if (result !== 0) ok = false;
  }
  if (!ok) anyFailed = true;
  return ok;
}

async function loop(): Promise<void> {
  consoleWrite('keel shell — type help for commands, halt or Ctrl-D to leave\n');
  for (;;) {
    consoleWrite(PROMPT);
    const line = await consoleReadLine();
    if (line === null) {
      consoleWrite('\n');
      halt(anyFailed ? 1 : 0);
      return;
    }
    await runLine(line);
    if (halting) return;
  }
}

export function init(): void {
  void Promise.resolve().then(loop);
}
