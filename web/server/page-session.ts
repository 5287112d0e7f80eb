/*
 * One open page and the machine it shows, served over the page's WebSocket. The machine starts
 * when the socket opens, as `npm start` runs one — in a worker thread, watched by the watchdog
 * (MachineThread) — with its console driven by node:readline's Terminal whose streams are the
 * socket (terminal-streams.ts); what it says to the page and hears from it is the session's
 * (web/watcher/machine-session.ts), which the page in a tab (`npm run site`) runs too. Closing
 * the page ends the machine; a machine that halts tells its page and closes the socket.
 */
import type { WebSocket } from 'ws';
import { FRAME_SIZE } from '../../emulator/machine-interface.ts';
import { MachineThread } from '../../emulator/machine-thread.ts';
import { Terminal } from '../../emulator/terminal.ts';
import { encodeMessage, type ServerMessage } from '../protocol/messages.ts';
import { MachineSession, type LineTimes } from '../watcher/machine-session.ts';
import type { MemoryPicture } from '../watcher/memory-picture.ts';
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

const OPEN = 1;

export class PageSession {
  /** Resolves with the machine's exit status once its thread is gone. */
  readonly ended: Promise<number>;
  readonly picture: MemoryPicture;
  /** When the last line typed went where (the benchmark's, figure 8). */
  readonly lastLine: LineTimes;

  constructor(
    /** The page's number in the server's log. */
    readonly number: number,
    private readonly socket: WebSocket,
    settings: MachineSettings,
    private readonly log: (line: string) => void,
  ) {
    // The terminal writes nothing before the session connects it: the session exists by then.
    const streams = new PageTerminalStreams((text) => session.output(text));
    const terminal = new Terminal(streams);
    const session: MachineSession = new MachineSession({
      send: (message) => this.send(message),
      log: (line) => this.log(`page ${number}: ${line}`),
      terminal: {
        write: terminal.write, reading: terminal.reading, connect: (console, halted) => terminal.connect(console, halted),
        keys: (data) => streams.type(data), resize: (columns, rows) => streams.resize(columns, rows),
      },
      frames: settings.memoryBytes / FRAME_SIZE,
      frameSize: FRAME_SIZE,
      start: (hooks) => new MachineThread({ ...settings, ...hooks }),
    });
    this.picture = session.picture;
    this.lastLine = session.lastLine;
    socket.on('message', (data, isBinary) => session.receive(isBinary ? null : String(data)));
    socket.on('close', () => void session.machine.powerOff());
    this.ended = session.ended.then(({ status, reason }) => {
      this.log(`page ${number}: machine ended (${this.socket.readyState !== OPEN ? 'its page closed' : reason})`);
      this.socket.close(1000, 'the machine has halted');
      return status;
    });
  }

  private send(message: ServerMessage): void {
    if (this.socket.readyState === OPEN) this.socket.send(encodeMessage(message));
  }
}
