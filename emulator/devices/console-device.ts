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
  private everRead = false;

  constructor(
    private readonly output: (text: string) => void,
    private readonly echoInput: boolean,
  ) {}

  write = (text: string): void => {
    this.output(text);
  };

  /**
   * Input has ended, and nothing waits for a line: what is left will be read only if the
   * reader comes back (`never` if no line was ever asked for: the kernel reads no console).
   */
  unattended(): 'never read' | 'reader busy' | null {
    if (!this.ended || this.readers.length > 0) return null;
    return this.everRead ? 'reader busy' : 'never read';
  }

  readLine = (): Promise<string | null> => {
    this.everRead = true;
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
