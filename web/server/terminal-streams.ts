/*
 * The pair of byte streams a Terminal (emulator/terminal.ts) works on, for a terminal that is
 * xterm.js in a web page: keystrokes come from the page's `keys` messages, the screen's bytes
 * leave as `output` messages, and the screen is as wide as the page says (`resize`), so that
 * readline wraps a long line where xterm.js does.
 *
 *   const streams = new PageTerminalStreams((text) => socket.send(...));
 *   const terminal = new Terminal(streams);
 *   streams.type('lsmod\r');
 */
import { PassThrough, Writable } from 'node:stream';

export const DEFAULT_COLUMNS = 80;

export class PageTerminalStreams {
  readonly input = new PassThrough();
  readonly output: Writable & { columns: number; rows: number };

  constructor(send: (text: string) => void) {
    const screen = new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, done) {
        send(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        done();
      },
    });
    this.output = Object.assign(screen, { columns: DEFAULT_COLUMNS, rows: 24 });
  }

  /** Keys typed in the page, as the bytes a terminal sends (escape sequences for arrows, \x03 for Ctrl-C). */
  type(keys: string): void {
    if (!this.input.writableEnded) this.input.write(keys);
  }

  /** The page's terminal changed size: readline hears it as a tty's resize. */
  resize(columns: number, rows: number): void {
    this.output.columns = columns;
    this.output.rows = rows;
    this.output.emit('resize');
  }
}
