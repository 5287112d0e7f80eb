/*
 * The terminal where node:readline does not exist (a browser tab): a person's keys and screen
 * wired to a machine's console, as terminal.ts wires them with readline under Node — the same
 * console calls, the same screen. The kernel's prompt comes with each read and every redraw
 * uses it; history, Ctrl-U, Ctrl-A/E, Ctrl-L, Tab completion asked of the kernel's shell (the
 * common prefix on the first Tab, the candidates listed on the second), Ctrl-C (abandons the
 * line being typed, or tells the kernel to abandon the command it runs), Ctrl-D on an empty
 * line (end of input); output that arrives while a line is typed is printed above it, wrapped
 * at spaces for the screen's width (word-wrap.ts), and the line redrawn below. The line's
 * editing is line-editor.ts's; this file draws it, with the escape sequences readline writes.
 *
 *   const terminal = new LineTerminal({ write: (text) => xterm.write(text), columns: () => xterm.cols });
 *   xterm.onData((keys) => terminal.keys(keys));
 *   const machine = new BrowserMachineThread({ ..., consoleMode: 'terminal', output: terminal.write, onRead: terminal.reading });
 *   terminal.connect(machine.console, machine.halted);
 */
import type { Completion } from './machine-interface.ts';
import { LineEditor, readKeys, type Key } from './line-editor.ts';
import type { TerminalConsole } from './terminal-console.ts';
import { WordWrapper } from './word-wrap.ts';

export interface LineScreen {
  write(text: string): void;
  /** Its width in columns, if it knows it. */
  columns(): number | undefined;
}

const moveUp = (rows: number) => (rows > 0 ? `\x1b[${rows}A` : '');
const moveDown = (rows: number) => (rows > 0 ? `\x1b[${rows}B` : '');
const toColumn = (column: number) => `\x1b[${column + 1}G`;
const CLEAR_DOWN = '\x1b[0J';

export class LineTerminal {
  private readonly editor = new LineEditor();
  private readonly wrapper: WordWrapper;
  private console: TerminalConsole | null = null;
  private prompt = '';
  /** Rows the cursor is below the prompt's first row, as last drawn. */
  private cursorRows = 0;
  /** Lines handed to the console; a read whose count of lines taken is behind will be answered by one of them. */
  private linesSent = 0;
  /** A read waits and its prompt is on the screen: the line being typed is its answer. */
  private prompting = false;
  /** Whether the screen's cursor is at the start of a line (the last output ended in a newline). */
  private atLineStart = true;
  private closed = false;
  /** Keys typed while the kernel is asked for a completion: read once it answers, as readline pauses its input. */
  private held: Key[] | null = null;
  private lastKeyWasTab = false;

  constructor(private readonly screen: LineScreen) {
    this.wrapper = new WordWrapper(() => screen.columns());
  }

  /** Starts driving `console`; input ends once `halted` settles (either way). */
  connect(console: TerminalConsole, halted: Promise<unknown>): void {
    this.console = console;
    const close = () => this.close();
    halted.then(close, close);
  }

  /** What the keyboard sent: characters, control keys, escape sequences. */
  keys(data: string): void {
    this.pressAll([...readKeys(data)]);
  }

  private pressAll(keys: Key[]): void {
    for (const [index, key] of keys.entries()) {
      if (this.closed) return;
      // While a completion is asked for, the rest waits for its answer.
      if (this.held !== null) return void this.held.push(...keys.slice(index));
      this.press(key);
    }
  }

  /** Console output: printed as it comes, or above the line being typed, which is then redrawn. */
  write = (text: string): void => {
    if (text === '') return;
    if (this.closed || (!this.prompting && this.editor.line === '')) {
      this.screen.write(this.wrapper.wrap(text));
      this.atLineStart = text.endsWith('\n');
      return;
    }
    this.clearLine();
    this.wrapper.atLineStart();
    this.screen.write(this.wrapper.wrap(text.endsWith('\n') ? text : `${text}\n`));
    this.refresh();
  };

  /** A read waits after `prompt`: show it, unless a line already on its way answers that read. */
  reading = (prompt: string, linesTaken: number): void => {
    if (this.closed || linesTaken !== this.linesSent) return;
    if (!this.atLineStart) this.screen.write('\n');
    this.atLineStart = true;
    this.wrapper.atLineStart();
    this.prompting = true;
    this.prompt = prompt;
    this.cursorRows = 0;
    this.refresh();
  };

  /** The screen changed width: the line is drawn again for it. */
  resize(): void {
    if (!this.closed && (this.prompting || this.editor.line !== '')) this.refresh();
  }

  close(): void {
    this.console = null;
    this.closed = true;
    this.prompting = false;
  }

  private press(key: Key): void {
    const wasTab = this.lastKeyWasTab;
    this.lastKeyWasTab = key.name === 'tab';
    const atEnd = this.editor.cursor === this.editor.line.length;
    if (key.name === 'text' && atEnd && !this.wraps(key.text)) {
      // Typing at the end of the line: the characters alone, as a terminal echoes them.
      this.editor.apply(key);
      this.screen.write(key.text);
    } else if (this.editor.apply(key)) this.refresh();
    else if (key.name === 'enter') this.enter();
    else if (key.name === 'interrupt') this.interrupt();
    else if (key.name === 'tab') this.complete(wasTab);
    else if (key.name === 'clear-screen') {
      this.screen.write(`\x1b[1;1H${CLEAR_DOWN}`);
      this.cursorRows = 0;
      this.refresh();
    } else if (key.name === 'end-of-input' && this.editor.line === '') {
      const console = this.console;
      this.close();
      console?.endInput();
    } else if (key.name === 'end-of-input' && this.editor.apply({ name: 'delete' })) this.refresh();
  }

  private enter(): void {
    this.moveToEnd();
    this.screen.write('\r\n');
    const atPrompt = this.prompting;
    const line = this.editor.take();
    this.cursorRows = 0;
    this.prompting = false;
    this.prompt = '';
    this.atLineStart = true;
    this.wrapper.atLineStart();
    this.linesSent++;
    this.console?.type(line, atPrompt);
  }

  /** Ctrl-C, as bash answers it: `^C`, the line abandoned; and while a command runs, the kernel told. */
  private interrupt(): void {
    this.moveToEnd();
    this.screen.write('^C\r\n');
    this.editor.clear();
    this.cursorRows = 0;
    this.wrapper.atLineStart();
    if (this.prompting) this.refresh();
    else this.console?.interrupt();
  }

  /** Tab: the kernel's shell says what the word before the cursor may become; a second Tab lists the candidates. */
  private complete(secondTab: boolean): void {
    const console = this.console;
    if (!console) return;
    this.held = [];
    void console.complete(this.editor.line.slice(0, this.editor.cursor)).then(
      (completion) => this.completed(completion, secondTab),
      () => this.completed([[], ''], secondTab),
    );
  }

  private completed([candidates, word]: Completion, secondTab: boolean): void {
    const held = this.held ?? [];
    this.held = null;
    if (this.closed) return;
    if (candidates.length > 0) {
      if (this.editor.complete(candidates, word)) this.refresh();
      else if (secondTab) this.list(candidates);
    }
    this.pressAll(held);
  }

  /** The candidates in columns below the line, as readline lists them; then the line again. */
  private list(candidates: string[]): void {
    const width = Math.max(...candidates.map((candidate) => candidate.length)) + 2;
    const perRow = Math.max(1, Math.floor((this.screen.columns() ?? 0) / width) || 1);
    const rows: string[] = [];
    for (let index = 0; index < candidates.length; index += perRow) rows.push(candidates.slice(index, index + perRow).map((candidate) => candidate.padEnd(width)).join('').trimEnd());
    this.moveToEnd();
    this.screen.write(`\r\n${rows.join('\r\n')}\r\n\r\n`);
    this.cursorRows = 0;
    this.refresh();
  }

  /** Where `text` (prompt and line up to a point) ends on the screen: rows below its first, and column. */
  private position(text: string): { rows: number; column: number } {
    const width = this.screen.columns();
    const length = [...text].length;
    if (!width) return { rows: 0, column: length };
    return { rows: Math.floor(length / width), column: length % width };
  }

  /** Whether typing `text` at the end moves the cursor to a new row (then the line is drawn whole). */
  private wraps(text: string): boolean {
    const before = this.position(this.prompt + this.editor.line);
    const after = this.position(this.prompt + this.editor.line + text);
    return after.rows !== before.rows || after.column === 0;
  }

  private moveToEnd(): void {
    const end = this.position(this.prompt + this.editor.line);
    this.screen.write(moveDown(end.rows - this.cursorRows) + toColumn(end.column));
    this.cursorRows = end.rows;
  }

  /** Clears the prompt and the line being typed from the screen. */
  private clearLine(): void {
    this.screen.write(`${moveUp(this.cursorRows)}\r${CLEAR_DOWN}`);
    this.cursorRows = 0;
  }

  /** Draws the prompt and the line again, the cursor where it is in the line (readline's refresh). */
  private refresh(): void {
    const all = this.prompt + this.editor.line;
    const end = this.position(all);
    const cursor = this.position(all.slice(0, this.prompt.length + this.editor.cursor));
    let text = `${moveUp(this.cursorRows)}\r${CLEAR_DOWN}${all}`;
    // At the last column the terminal has not moved to the next row yet: a space makes it.
    if (end.column === 0 && all.length > 0) text += ' ';
    text += toColumn(cursor.column) + moveUp(end.rows - cursor.rows);
    this.screen.write(text);
    this.cursorRows = cursor.rows;
  }
}
