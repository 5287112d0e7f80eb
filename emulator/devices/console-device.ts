/*
 * The console: lines between the host and the kernel.
 *
 * The kernel reads a line with `readLine({ prompt, complete, interrupt })` and writes text; the
 * host types lines in (`type`), ends input (`endInput`, Ctrl-D), interrupts (`interrupt`,
 * Ctrl-C) and asks for completions (`complete`, Tab). Who shows the prompt and the typed
 * line depends on what is at the host's end (`ConsoleMode`):
 *
 *   plain       a program (the test harness): the prompt is written when a read starts, lines are not echoed
 *   transcript  input that is not a terminal (--exec, a pipe): the prompt as above, and each line echoed
 *               when the kernel takes it, so the output reads as if it had been typed
 *   terminal    a person at a terminal (emulator/terminal.ts), which edits the line and draws the prompt:
 *               `onRead` tells it a read waits; a line typed before the read (type-ahead, or typed while
 *               the prompt was on its way) is echoed after the prompt, as bash shows type-ahead
 */
import type { Completion, ConsoleDevice, LineRequest } from '../machine-interface.ts';

export type ConsoleMode = 'plain' | 'transcript' | 'terminal';

export interface ConsoleOptions {
  mode?: ConsoleMode;
  /** A read waits after `prompt` (in every mode: a terminal draws the prompt then); `linesTaken` counts the lines the kernel has taken (or Ctrl-C threw away) so far. */
  onRead?: (prompt: string, linesTaken: number) => void;
}

interface TypedLine {
  text: string;
  /** Typed at the prompt of the read waiting for it, so the terminal already shows it. */
  atPrompt: boolean;
}

export class Console implements ConsoleDevice {
  readonly interactive: boolean;
  private readonly mode: ConsoleMode;
  private readonly pending: TypedLine[] = [];
  private readonly readers: Array<{ prompt: string; deliver: (line: string | null) => void }> = [];
  /** The request of the latest read: its handlers serve Tab and Ctrl-C until the next read. */
  private request: LineRequest = {};
  private linesTaken = 0;
  private ended = false;
  private everRead = false;

  constructor(
    private readonly output: (text: string) => void,
    private readonly options: ConsoleOptions = {},
  ) {
    this.mode = options.mode ?? 'plain';
    this.interactive = this.mode === 'terminal';
  }

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

  readLine = (given?: LineRequest): Promise<string | null> => {
    this.everRead = true;
    const request: LineRequest = typeof given === 'object' && given !== null ? given : {};
    this.request = request;
    const prompt = typeof request.prompt === 'string' ? request.prompt : '';
    if (this.mode !== 'terminal') this.output(prompt);
    const line = this.pending.shift();
    if (line) return Promise.resolve(this.take(prompt, line));
    if (this.ended) return Promise.resolve(null);
    return new Promise((deliver) => {
      this.readers.push({ prompt, deliver });
      this.options.onRead?.(prompt, this.linesTaken);
    });
  };

  type(text: string, atPrompt = false): void {
    const line = { text, atPrompt };
    const reader = this.readers.shift();
    if (reader) reader.deliver(this.take(reader.prompt, line, true));
    else this.pending.push(line);
  }

  endInput(): void {
    this.ended = true;
    for (const reader of this.readers.splice(0)) reader.deliver(null);
  }

  /** Ctrl-C: throws away type-ahead and, if no read waits (a command runs), tells the reader of the last line. */
  interrupt(): void {
    this.linesTaken += this.pending.splice(0).length;
    if (this.readers.length > 0) return;
    try {
      this.request.interrupt?.();
    } catch {
      // The kernel's handler failing must not take the host's console down with it.
    }
  }

  /** Tab: the completions the reader offers for `line` (none, if it offers none or fails). */
  async complete(line: string): Promise<Completion> {
    try {
      const [candidates, word] = (await this.request.complete?.(line)) ?? [[], ''];
      return [Array.from(candidates, String), String(word)];
    } catch {
      return [[], ''];
    }
  }

  /** Hands a line to the kernel, echoing it where nobody else shows it. */
  private take(prompt: string, line: TypedLine, waited = false): string {
    this.linesTaken++;
    if (this.mode === 'transcript') this.output(`${line.text}\n`);
    else if (this.mode === 'terminal' && !(waited && line.atPrompt)) this.output(`${prompt}${line.text}\n`);
    return line.text;
  }
}
