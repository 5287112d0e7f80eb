/*
 * One open page and the machine it shows. The machine starts when the page's socket opens, as
 * `npm start` runs one — in a worker thread, watched by the watchdog — with its console driven
 * by a Terminal whose streams are the socket (terminal-streams.ts) and its memory watched by a
 * MemoryPicture (memory-picture.ts), which also hears each line typed at the prompt, for the
 * chart's labels. Every page message is read with the protocol's check
 * (web/protocol/messages.ts): keys go to the terminal — the one way a page reaches the machine —
 * resize to its width, drawn to the picture; anything else is refused, logged and answered with
 * `refused`. Closing the page ends the machine; a machine that halts tells its page and closes
 * the socket.
 */
import type { WebSocket } from 'ws';
import { BootError } from '../../emulator/firmware.ts';
import { FRAME_SIZE } from '../../emulator/machine-interface.ts';
import { MachineThread } from '../../emulator/machine-thread.ts';
import { Terminal } from '../../emulator/terminal.ts';
import { encodeMessage, PROTOCOL_VERSION, readPageMessage, type ServerMessage } from '../protocol/messages.ts';
import { MemoryPicture } from './memory-picture.ts';
import { PageTerminalStreams } from './terminal-streams.ts';

/** What every page's machine is made from: the build's files and the machine's settings. */
export interface MachineSettings {
  image: Uint8Array;
  initrd: Uint8Array;
  memoryBytes: number;
  cmdline: string;
  watchdogSeconds: number;
  /** Each machine thread's heap limit in MiB (MachineThread's heapMegabytes). */
  heapMegabytes?: number;
}

/**
 * When the last line typed went where, in milliseconds since 1970 (so that a page's clock can be
 * set beside them): its Enter reached the server, the line went to the machine's console, and
 * the machine asked for the next line — its answer already sent. The benchmark (figure 8) splits
 * a typed command's time with them: the server's share, the machine's, the page's.
 */
export interface LineTimes {
  keys: number;
  typed: number;
  answered: number;
}

const clock = () => performance.timeOrigin + performance.now();

/** Refused messages a page may send before the log stops naming them (the page is still answered). */
export const LOGGED_REFUSALS = 20;
const OPEN = 1;

export class PageSession {
  /** Resolves with the machine's exit status once its thread is gone. */
  readonly ended: Promise<number>;
  readonly picture: MemoryPicture;
  readonly lastLine: LineTimes = { keys: 0, typed: 0, answered: 0 };
  private readonly machine: MachineThread;
  private readonly streams: PageTerminalStreams;
  private refusals = 0;

  constructor(
    /** The page's number in the server's log. */
    readonly number: number,
    private readonly socket: WebSocket,
    settings: MachineSettings,
    private readonly log: (line: string) => void,
  ) {
    this.streams = new PageTerminalStreams((text) => this.send({ type: 'output', text }));
    this.picture = new MemoryPicture({ send: (update) => this.send(update), log: (line) => this.log(`page ${number}: ${line}`) });
    const terminal = new Terminal(this.streams);
    const { watchdogSeconds, ...machineOptions } = settings;
    this.machine = new MachineThread({
      ...machineOptions, consoleMode: 'terminal', output: terminal.write, watchdogSeconds, debugger: this.picture,
      onRead: (prompt, linesTaken) => {
        this.lastLine.answered = clock();
        terminal.reading(prompt, linesTaken);
      },
    });
    const machineConsole = this.machine.console;
    terminal.connect({
      ...machineConsole,
      type: (line, atPrompt) => {
        this.lastLine.typed = clock();
        if (atPrompt && line.trim() !== '') this.picture.command(line.trim());
        machineConsole.type(line, atPrompt);
      },
    }, this.machine.halted);
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, frames: settings.memoryBytes / FRAME_SIZE, frameSize: FRAME_SIZE });
    socket.on('message', (data, isBinary) => this.receive(isBinary ? null : String(data)));
    socket.on('close', () => void this.machine.powerOff());
    this.ended = this.machine.halted.then(
      (status) => this.finish(status, `the machine halted with status ${status}`),
      (error: Error) => this.finish(2, error instanceof BootError ? `boot failed: ${error.message}` : String(error)),
    );
  }

  private receive(text: string | null): void {
    const message = text === null ? { refused: 'a binary message' } : readPageMessage(text);
    if ('refused' in message) return this.refuse(message.refused);
    if (message.type === 'keys') {
      if (message.data.includes('\r')) this.lastLine.keys = clock();
      this.streams.type(message.data);
    }
    else if (message.type === 'resize') this.streams.resize(message.columns, message.rows);
    else if (!this.picture.drawn(message.sequence)) this.refuse(`drawn: update ${message.sequence} is not the one being drawn`);
  }

  private refuse(reason: string): void {
    this.refusals++;
    if (this.refusals <= LOGGED_REFUSALS) this.log(`page ${this.number}: refused a message: ${reason}`);
    if (this.refusals === LOGGED_REFUSALS) this.log(`page ${this.number}: further refused messages are not logged`);
    this.send({ type: 'refused', reason });
  }

  private finish(status: number, reason: string): number {
    this.picture.stop();
    const closed = this.socket.readyState !== OPEN;
    this.log(`page ${this.number}: machine ended (${closed ? 'its page closed' : reason})`);
    this.send({ type: 'halted', status, reason });
    this.socket.close(1000, 'the machine has halted');
    return status;
  }

  private send(message: ServerMessage): void {
    if (this.socket.readyState === OPEN) this.socket.send(encodeMessage(message));
  }
}
