/*
 * The shell's panel: an xterm.js terminal, sized to its element (the fit addon). What is typed
 * in it goes to the server as `keys` — the bytes a terminal sends, which the server's terminal
 * (node:readline) edits into lines, exactly as for `npm start` — and its size as `resize`; the
 * server's `output` is written into it. The kernel ends lines with a bare \n, hence convertEol.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

export interface TerminalPanel {
  write(text: string): void;
  focus(): void;
  /** Stops taking keys (the machine has halted); what is on the screen stays. */
  disable(): void;
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
  let enabled = true;
  terminal.onData((keys) => enabled && onKeys(keys));
  terminal.onResize(({ cols, rows }) => onResize(cols, rows));
  new ResizeObserver(() => fit.fit()).observe(element);
  fit.fit();
  onResize(terminal.cols, terminal.rows);
  return {
    write: (text) => terminal.write(text),
    focus: () => terminal.focus(),
    disable() {
      enabled = false;
    },
  };
}
