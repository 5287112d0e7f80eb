/*
 * shell — the console shell, keel's usual init module.
 *
 * It reads a line after its prompt, runs it (command-line.ts: commands separated by ";",
 * pipes, `> FILE` and `>> FILE`), and repeats until input ends or `halt`. The host's terminal
 * edits the line; the shell answers its Tab (completion.ts) and its Ctrl-C, which abandons
 * the command running (a `call` that waits) for a fresh prompt. Commands live in commands/,
 * one file per family; `help` lists them.
 *
 * The exit status: 0 for a person's session at a terminal; for commands that came from a
 * script or --exec, 1 if any of them failed, else 0.
 */
import { abandonCalls, consoleReadLine, consoleWrite, halt, kernelInternals, type LineRequest } from 'keel:kernel';
import type * as Rootfs from 'keel:rootfs';
import type { Command, CommandResult } from './commands/command.ts';
import { commands } from './commands/index.ts';
import { parseCommandLine, ShellSyntaxError, type Pipeline, type Redirect } from './command-line.ts';
import { completeLine } from './completion.ts';
import { fileErrorText } from './commands/file-commands.ts';
import { captureOutput, endCaptures, printError } from './print.ts';
import { releaseAll, withModule } from './with-module.ts';

const PROMPT = 'keel# ';
const interactive = kernelInternals().machine.console.interactive === true;
let anyFailed = false;
let halting = false;

/** A command line being run; Ctrl-C marks it abandoned. */
interface Job {
  abandoned: boolean;
}

/** Runs one command; a failure is printed as "name: message". */
async function runCommand([name, ...args]: string[], input: string | undefined): Promise<CommandResult> {
  const command: Command | undefined = commands.get(name!);
  if (!command) {
    printError(`${name}: command not found (try help)`);
    return 1;
  }
  try {
    return await command.run(args, input);
  } catch (error) {
    printError(`${name}: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

/** Writes (or appends) a command's output to a file; only /tmp is writable. Says whether it could. */
function writeOutput(command: string, redirect: Redirect, text: string): Promise<boolean> {
  return withModule<typeof Rootfs, boolean>('rootfs', (rootfs) => {
    const error = rootfs.writeFile(redirect.path, text, redirect.append);
    if (error) printError(`${command}: ${error.code === 'EROFS' ? '' : `${redirect.path}: `}${fileErrorText(error)}`);
    return !error;
  });
}

/** Runs a pipeline: each command's output is the next one's input; its status is the last one's. */
async function runPipeline({ commands: stages }: Pipeline, job: Job): Promise<CommandResult> {
  let input: string | undefined;
  let result: CommandResult = 0;
  for (const [position, stage] of stages.entries()) {
    if (job.abandoned) return 1;
    const last = position === stages.length - 1;
    if (last && !stage.redirect) return stage.words.length > 0 ? runCommand(stage.words, input) : 0;
    const captured = stage.words.length > 0 ? await captureOutput(() => runCommand(stage.words, input)) : { result: 0, text: '' };
    result = captured.result;
    if (result === 'halt') return result;
    input = captured.text;
    if (stage.redirect) {
      if (!(await writeOutput(stage.words[0] ?? 'shell', stage.redirect, captured.text))) result = 1;
      input = '';
    }
  }
  return result;
}

/** Runs one command line; returns false if it could not be parsed or a command on it failed. */
export async function runLine(line: string, job: Job = { abandoned: false }): Promise<boolean> {
  let pipelines: Pipeline[];
  try {
    pipelines = parseCommandLine(line);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    printError(`shell: ${error.message}`);
    anyFailed = true;
    return false;
  }
  let ok = true;
  for (const pipeline of pipelines) {
    const result = await runPipeline(pipeline, job);
    if (job.abandoned) return false;
    if (result === 'halt') {
      halting = true;
      halt(interactive || (!anyFailed && ok) ? 0 : 1);
      return ok;
    }
    if (result !== 0) ok = false;
  }
  if (!ok) anyFailed = true;
  return ok;
}

/** Settles when Ctrl-C abandons the command line running. */
let abandon: (() => void) | null = null;

const request: LineRequest = {
  prompt: PROMPT,
  complete: completeLine,
  interrupt: () => abandon?.(),
};

/**
 * Runs `line` until it ends or Ctrl-C abandons it. Abandoning lets go of all the command held:
 * its calls in flight stop counting against it and their modules (abandonCalls: the work runs
 * on, and its result, when it comes, is dropped with a line in dmesg, since nobody waits for it
 * and printing it would land in the middle of another command), the modules it requested, its
 * captured output; and the rest of the line does not run.
 */
async function runInterruptibly(line: string): Promise<void> {
  const job: Job = { abandoned: false };
  const abandoned = new Promise<void>((resolve) => (abandon = resolve));
  await Promise.race([
    runLine(line, job),
    abandoned.then(() => {
      job.abandoned = true;
      abandonCalls();
      releaseAll();
      endCaptures();
    }),
  ]);
  abandon = null;
}

async function loop(): Promise<void> {
  if (interactive) consoleWrite('keel shell — type help for commands, Tab to complete, halt or Ctrl-D to leave\n');
  for (;;) {
    const line = await consoleReadLine(request);
    if (line === null) {
      consoleWrite('\n');
      halt(interactive || !anyFailed ? 0 : 1);
      return;
    }
    await runInterruptibly(line);
    if (halting) return;
  }
}

export function init(): void {
  void Promise.resolve().then(loop);
}
