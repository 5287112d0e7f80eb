/*
 * Console output for commands, and its capture: while a command's output is captured (for a
 * pipe or `> FILE`), print() appends to the capture instead of the console. Errors are
 * another stream, as stderr is: printError() always reaches the console, so that
 * `cat /nosuch | wc -l` shows the error and counts nothing.
 */
import { consoleWrite } from 'keel:kernel';

let capture: string[] | null = null;

/** Prints `text` as it is, without a newline (escape sequences, for clear). */
export function write(text: string): void {
  if (capture) capture.push(text);
  else consoleWrite(text);
}

export function print(text: string): void {
  write(`${text}\n`);
}

export function printError(text: string): void {
  consoleWrite(`${text}\n`);
}

/** Runs `body` with its output captured; returns its result and the text it printed. */
export async function captureOutput<Result>(body: () => Result | Promise<Result>): Promise<{ result: Result; text: string }> {
  const previous = capture;
  capture = [];
  const lines = capture;
  try {
    return { result: await body(), text: lines.join('') };
  } finally {
    // A command abandoned with Ctrl-C settles later: by then its capture is no longer current.
    if (capture === lines) capture = previous;
  }
}

/** Ctrl-C: output goes to the console again, whatever the abandoned command was capturing. */
export function endCaptures(): void {
  capture = null;
}
