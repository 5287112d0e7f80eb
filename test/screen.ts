/*
 * A screen for terminal tests: the bytes a terminal program writes, fed into a real terminal
 * emulator (xterm.js, headless), read back as the lines a person would see.
 *
 *   const screen = new Screen();
 *   stream.on('data', (bytes) => screen.write(bytes));
 *   await screen.until((lines) => lines.at(-1) === 'keel# ');
 *   screen.cursorLine();     // the line the cursor is on, e.g. "keel# lsm"
 *
 * Nothing waits on a clock: `until` checks its condition each time the emulator has parsed
 * more output, and the test runner's own timeout is the only limit.
 */
import headless from '@xterm/headless';

const { Terminal } = headless;

export class Screen {
  private readonly terminal = new Terminal({ cols: 120, rows: 40, scrollback: 1000, convertEol: true, allowProposedApi: true });
  private readonly waiters = new Set<() => void>();

  constructor() {
    this.terminal.onWriteParsed(() => {
      for (const check of [...this.waiters]) check();
    });
  }

  write(bytes: string | Uint8Array): void {
    this.terminal.write(typeof bytes === 'string' ? bytes : new Uint8Array(bytes));
  }

  /** Every line of the screen and its scrollback, trailing blanks trimmed, up to the cursor's line. */
  lines(): string[] {
    const buffer = this.terminal.buffer.active;
    const last = buffer.baseY + buffer.cursorY;
    return Array.from({ length: last + 1 }, (_, row) => buffer.getLine(row)?.translateToString(true) ?? '');
  }

  /** The text of the line the cursor is on, and the cursor's column. */
  cursorLine(): string {
    return this.lines().at(-1)!;
  }

  cursorColumn(): number {
    return this.terminal.buffer.active.cursorX;
  }

  /** The lines from the last one that matches `marker` on. */
  since(marker: string): string[] {
    const lines = this.lines();
    return lines.slice(lines.lastIndexOf(marker));
  }

  /** Resolves once `condition(lines)` holds, checked after each write the emulator parses. */
  until(condition: (lines: string[]) => boolean): Promise<string[]> {
    return new Promise((resolve) => {
      const check = () => {
        const lines = this.lines();
        if (!condition(lines)) return;
        this.waiters.delete(check);
        resolve(lines);
      };
      this.waiters.add(check);
      check();
    });
  }
}
