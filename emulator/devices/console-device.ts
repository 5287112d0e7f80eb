/*
 * The console: a line-oriented terminal between the host and the kernel.
 *
 * The host types lines in (`type`) and closes input (`endInput`, like Ctrl-D); the kernel
 * reads them with `readLine` and writes text back. When the host's input is not a terminal
 * (a script, `--exec`), the console echoes each line it delivers, so a transcript reads as if
 * it had been typed.
 */
import type { ConsoleDevice } from '../machine-interface.ts';

export class Console implements ConsoleDevice {
  private readonly pending: string[] = [];
  private readonly readers: Array<(line: string | null) => void> = [];
  private ended = false;

  constructor(
    private readonly output: (text: string) => void,
    private readonly echoInput: boolean,
  ) {}

  write = (text: string): void => {
    this.output(text);
  };

  readLine = (): Promise<string | null> => {
    const line = this.pending.shift();
    if (line !== undefined) return Promise.resolve(this.deliver(line));
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.readers.push(resolve));
  };

  type(line: string): void {
    const reader = this.readers.shift();
    if (reader) reader(this.deliver(line));
    else this.pending.push(line);
  }

  endInput(): void {
    this.ended = true;
    for (const reader of this.readers.splice(0)) reader(null);
  }

  private deliver(line: string): string {
    if (this.echoInput) this.output(line + '\n');
    return line;
  }
}
