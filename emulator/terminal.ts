/*
 * The terminal: a person's keyboard and screen, wired to a machine's console. It works on any
 * pair of byte streams — process.stdin and process.stdout for `npm start`, a socket for a web
 * page — and edits lines with node:readline, as a tty's line discipline and bash's readline
 * would: history (up and down), Ctrl-U, Ctrl-L, Ctrl-A/E, Tab completion (asked of the kernel's
 * shell), Ctrl-C (abandons the line being typed, or tells the kernel to abandon the command
 * it runs) and Ctrl-D on an empty line (end of input).
 *
 *   const terminal = new Terminal({ input: process.stdin, output: process.stdout });
 *   const machine = new MachineThread({ ..., consoleMode: 'terminal', output: terminal.write, onRead: terminal.reading });
 *   terminal.connect(machine.console, machine.halted);
 *
 * The prompt is the kernel's: it comes with each read (`reading`), and every redraw uses it.
 * Output that arrives while a line is being typed is printed above it, and the line is
 * redrawn below with its prompt. At a screen of known width, output is wrapped at spaces
 * (word-wrap.ts), so that a long line does not break in the middle of a word.
 */
import readline from 'node:readline';
import type { Completion } from './machine-interface.ts';
import type { TerminalConsole } from './terminal-console.ts';
import { WordWrapper } from './word-wrap.ts';

export interface TerminalStreams {
  /** Keystrokes. */
  input: NodeJS.ReadableStream;
  /** The screen: bytes for a terminal (ANSI escape sequences), with `columns` if it knows its width. */
  output: NodeJS.WritableStream & { columns?: number };
}

/** Input that is not a terminal (a pipe): each line goes to the console as typed, its end ends input. */
export function feedLines(console: TerminalConsole, halted: Promise<unknown>, input: NodeJS.ReadableStream): void {
  const lines = readline.createInterface({ input, terminal: false });
  lines.on('line', (line) => console.type(line));
  lines.on('close', () => console.endInput());
  void halted.finally(() => lines.close());
}

export class Terminal {
  private readonly editor: readline.Interface;
  private readonly screen: TerminalStreams['output'];
  private readonly wrapper: WordWrapper;
  private console: TerminalConsole | null = null;
  /** Lines handed to the console; a read whose count of lines taken is behind will be answered by one of them. */
  private linesSent = 0;
  /** A read waits and its prompt is on the screen: the line being typed is its answer. */
  private prompting = false;
  /** Whether the screen's cursor is at the start of a line (the last output ended in a newline). */
  private atLineStart = true;
  /** Input has ended (Ctrl-D, or the machine halted): output is only printed now. */
  private closed = false;

  constructor(streams: TerminalStreams) {
    this.screen = streams.output;
    this.wrapper = new WordWrapper(() => this.screen.columns);
    this.editor = readline.createInterface({
      input: streams.input,
      output: streams.output,
      terminal: true,
      prompt: '',
      historySize: 1000,
      removeHistoryDuplicates: true,
      completer: (line: string, answer: (error: null, completion: Completion) => void) => {
        void (this.console?.complete(line) ?? Promise.resolve<Completion>([[], line])).then((completion) => answer(null, completion));
      },
    });
    this.editor.on('line', (line) => {
      const atPrompt = this.prompting;
      this.prompting = false;
      this.editor.setPrompt('');
      this.atLineStart = true;
      this.wrapper.atLineStart();
      this.linesSent++;
      this.console?.type(line, atPrompt);
    });
    this.editor.on('SIGINT', () => this.interrupt());
    // No job control in keel, and a stopped host would look stuck to the watchdog: Ctrl-Z does nothing.
    this.editor.on('SIGTSTP', () => {});
    this.editor.on('close', () => {
      this.closed = true;
      this.prompting = false;
      this.console?.endInput();
    });
  }

  /** Starts driving `console`; the terminal lets go of its streams once `halted` settles. */
  connect(console: TerminalConsole, halted: Promise<unknown>): void {
    this.console = console;
    // Both ways: a machine that fails to boot rejects, and whoever started it hears why; a
    // finally() here would make a second rejection that nobody hears, which ends the host.
    const close = () => this.close();
    halted.then(close, close);
  }

  /** Console output: printed as it comes, or above the line being typed, which is then redrawn. */
  write = (text: string): void => {
    if (text === '') return;
    if (this.closed || (!this.prompting && this.editor.line === '')) {
      this.screen.write(this.wrapper.wrap(text));
      this.atLineStart = text.endsWith('\n');
      return;
    }
    const rows = this.clearLine();
    this.wrapper.atLineStart();
    this.screen.write(this.wrapper.wrap(text.endsWith('\n') ? text : `${text}\n`));
    this.redraw(rows);
  };

  /** A read waits after `prompt`: show it, unless a line already on its way answers that read. */
  reading = (prompt: string, linesTaken: number): void => {
    if (this.closed || linesTaken !== this.linesSent) return;
    if (!this.atLineStart) this.screen.write('\n');
    this.atLineStart = true;
    this.wrapper.atLineStart();
    this.prompting = true;
    this.editor.setPrompt(prompt);
    this.editor.prompt(true);
  };

  close(): void {
    this.console = null;
    this.editor.close();
  }

  /** Ctrl-C, as bash answers it: `^C`, the line abandoned; and while a command runs, the kernel told. */
  private interrupt(): void {
    if (this.editor.line !== '') this.editor.write(null, { ctrl: true, name: 'e' });
    const rows = this.editor.getCursorPos().rows;
    this.screen.write(`^C\r\n${'\n'.repeat(rows)}`);
    this.wrapper.atLineStart();
    if (this.editor.line !== '') this.editor.write(null, { ctrl: true, name: 'u' });
    if (this.prompting) this.editor.prompt(true);
    else this.console?.interrupt();
  }

  /** Clears the prompt and the line being typed from the screen; returns the rows they took below the first. */
  private clearLine(): number {
    const rows = this.editor.getCursorPos().rows;
    readline.moveCursor(this.screen, 0, -rows);
    readline.cursorTo(this.screen, 0);
    readline.clearScreenDown(this.screen);
    return rows;
  }

  /**
   * Draws the prompt and the line again below what was printed. readline's redraw starts by
   * going up the rows the cursor was below the prompt's first; as many new lines first make
   * that land just under the printed text.
   */
  private redraw(rows: number): void {
    this.screen.write('\n'.repeat(rows));
    this.editor.prompt(true);
  }
}
