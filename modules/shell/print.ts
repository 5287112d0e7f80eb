/*
 * Console output for commands, and its redirection: while a command's output is captured
 * (for `command > /tmp/file`), print() appends to the capture instead of the console.
 */
import { consoleWrite } from 'keel:kernel';

let capture: string[] | null = null;

export function print(text: string): void {
  if (capture) capture.push(`${text}\n`);
  else consoleWrite(`${text}\n`);
}

/** Runs `body` with its output captured; returns its result and the text it printed. */
export async function captureOutput<Result>(body: () => Result | Promise<Result>): Promise<{ result: Result; text: string }> {
  const previous = capture;
  capture = [];
  const lines = capture;
  try {
    return { result: await body(), text: lines.join('') };
  } finally {
    capture = previous;
  }
}
