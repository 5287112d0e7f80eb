/*
 * The shell's panel: an xterm.js terminal, sized to its element (the fit addon). What is typed
 * in it goes to the machine's watcher as `keys` — the bytes a terminal sends, which its terminal
 * (node:readline on the server, as for `npm start`; the line terminal in a tab) edits into
 * lines — and its size as `resize`; the watcher's `output` is written into it. The kernel ends
 * lines with a bare \n, hence convertEol.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

export interface TerminalPanel {
  write(text: string): void;
  focus(): void;
  /** Clears the screen and the scrollback, for a new machine. */
  reset(): void;
}

export function createTerminalPanel(element: HTMLElement, onKeys: (keys: string) => void, onResize: (columns: number, rows: number) => void): TerminalPanel {
  const terminal = new Terminal({
    convertEol: true,
    // A steady cursor: a blinking one has the browser draw the page twice a second, a third of its work while nothing happens.
    cursorBlink: false,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
    fontSize: 14,
    scrollback: 5000,
    theme: { background: '#14171a', foreground: '#e8eaed', cursor: '#e8eaed' },
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(element);
  terminal.onData((keys) => onKeys(keys));
  terminal.onResize(({ cols, rows }) => onResize(cols, rows));
  new ResizeObserver(() => fit.fit()).observe(element);
  fit.fit();
  onResize(terminal.cols, terminal.rows);
  return {
    write: (text) => terminal.write(text),
    focus: () => terminal.focus(),
    reset: () => terminal.reset(),
  };
}
