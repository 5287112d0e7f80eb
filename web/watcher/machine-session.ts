/*
 * One page and the machine it shows, on whichever side of the page the machine is watched
 * from: the server (`npm run web`, web/server/page-session.ts, a MachineThread and node:readline's
 * Terminal) or the page itself (`npm run site`, web/site/, a BrowserMachineThread and the line
 * terminal). Either way the page hears the protocol's server messages (web/protocol/messages.ts)
 * and says its page messages, each read with the protocol's check: keys go to the terminal —
 * the one way a page reaches the machine — resize to its width, drawn to the picture
 * (memory-picture.ts), which also hears each line typed at the prompt, for the chart's labels;
 * anything else is refused, logged and answered with `refused`.
 *
 * What the terminal writes for the page goes through `output`. From an Enter until the machine
 * asks for its next line (at most COMMAND_HOLD_MS, as the picture holds what the command
 * changed), it is kept and sent as one message: the page then draws the Enter's newline and a
 * short command's answer at once, once the machine has answered, rather than on the cores the
 * machine works on while it works.
 *
 *   const session = new MachineSession({ send, log, terminal, frames, start: (hooks) => new MachineThread({ ...settings, ...hooks }) });
 *   session.output(text);            // what the terminal writes for the page
 *   session.receive(text);           // a page message, as the wire carries it
 *   await session.ended;             // { status, reason }, once `halted` has been sent
 */
import type { LineWork, MachineDebugger, ReadListener } from '../../emulator/machine-messages.ts';
import type { TerminalConsole } from '../../emulator/terminal-console.ts';
import { PROTOCOL_VERSION, readPageMessage, type ServerMessage } from '../protocol/messages.ts';
import { AnswerHold } from './answer-hold.ts';
import { MemoryPicture } from './memory-picture.ts';

/** What drives the console: node:readline's Terminal over the page's keys, or the line terminal. */
export interface SessionTerminal {
  write(text: string): void;
  reading(prompt: string, linesTaken: number): void;
  connect(console: TerminalConsole, halted: Promise<unknown>): void;
  /** Keys typed in the page, as the bytes a terminal sends. */
  keys(data: string): void;
  resize(columns: number, rows: number): void;
}

/** A machine in a thread of its own: MachineThread or BrowserMachineThread. */
export interface SessionMachine {
  console: TerminalConsole;
  halted: Promise<number>;
  powerOff(): Promise<void>;
}

/** What the session hands the machine it starts: its console's output and reads, and its debugger. */
export interface MachineHooks {
  consoleMode: 'terminal';
  output(text: string): void;
  onRead: ReadListener;
  debugger: MachineDebugger;
}

export interface SessionOptions {
  send(message: ServerMessage): void;
  /** A line for the log: refused messages, refused kernel reports. */
  log(line: string): void;
  terminal: SessionTerminal;
  /** Frames of the machine's memory, and their size, for the page's `hello`. */
  frames: number;
  frameSize: number;
  start(hooks: MachineHooks): SessionMachine;
}

/**
 * When the last line typed went where, in milliseconds since 1970 (so that the page's clock can
 * be set beside them): its Enter reached the session, the line went to the machine's console,
 * and the machine asked for the next line — its answer already sent; and `work`, the machine
 * thread's own time from the line's arrival to that ask (LineWork). The benchmark
 * (figure 8) splits a typed command's time with them: the server's share, the machine's, the
 * page's.
 */
export interface LineTimes {
  keys: number;
  typed: number;
  answered: number;
  work: LineWork | null;
}

const clock = () => performance.timeOrigin + performance.now();

/** Refused messages a page may send before the log stops naming them (the page is still answered). */
export const LOGGED_REFUSALS = 20;

export class MachineSession {
  /** Resolves with the machine's exit status and why it ended, once `halted` has been sent. */
  readonly ended: Promise<{ status: number; reason: string }>;
  readonly picture: MemoryPicture;
  readonly machine: SessionMachine;
  readonly lastLine: LineTimes = { keys: 0, typed: 0, answered: 0, work: null };
  private refusals = 0;
  /** Output kept from an Enter until the machine answers. */
  private heldOutput = '';
  private readonly outputHold = new AnswerHold(() => this.sendHeldOutput());

  constructor(private readonly options: SessionOptions) {
    const { terminal } = options;
    this.picture = new MemoryPicture({ send: (update) => options.send(update), log: options.log });
    const onRead: ReadListener = (prompt, linesTaken, work) => {
      this.lastLine.answered = clock();
      this.lastLine.work = work;
      this.picture.answered();
      terminal.reading(prompt, linesTaken);
      this.outputHold.end();
    };
    this.machine = options.start({ consoleMode: 'terminal', output: terminal.write, onRead, debugger: this.picture });
    const machineConsole = this.machine.console;
    terminal.connect({
      ...machineConsole,
      type: (line, atPrompt) => {
        this.lastLine.typed = clock();
        if (atPrompt && line.trim() !== '') this.picture.command(line.trim());
        machineConsole.type(line, atPrompt);
      },
    }, this.machine.halted);
    options.send({ type: 'hello', protocol: PROTOCOL_VERSION, frames: options.frames, frameSize: options.frameSize });
    this.ended = this.machine.halted.then(
      (status) => this.finish(status, `the machine halted with status ${status}`),
      (error: Error) => this.finish(2, error?.name === 'BootError' ? `boot failed: ${error.message}` : String(error)),
    );
  }

  /** A page message as the wire carries it (null: a binary one, which no page sends). */
  receive(text: string | null): void {
    const message = text === null ? { refused: 'a binary message' } : readPageMessage(text);
    if ('refused' in message) return this.refuse(message.refused);
    if (message.type === 'keys') {
      if (message.data.includes('\r')) {
        this.lastLine.keys = clock();
        this.outputHold.start();
      }
      this.options.terminal.keys(message.data);
    }
    else if (message.type === 'resize') this.options.terminal.resize(message.columns, message.rows);
    else if (!this.picture.drawn(message.sequence)) this.refuse(`drawn: update ${message.sequence} is not the one being drawn`);
  }

  /** What the terminal writes for the page: sent at once, or kept while a line typed runs. */
  output(text: string): void {
    if (this.outputHold.holding) this.heldOutput += text;
    else this.options.send({ type: 'output', text });
  }

  private sendHeldOutput(): void {
    const text = this.heldOutput;
    this.heldOutput = '';
    if (text) this.options.send({ type: 'output', text });
  }

  private refuse(reason: string): void {
    this.refusals++;
    if (this.refusals <= LOGGED_REFUSALS) this.options.log(`refused a message: ${reason}`);
    if (this.refusals === LOGGED_REFUSALS) this.options.log('further refused messages are not logged');
    this.options.send({ type: 'refused', reason });
  }

  private finish(status: number, reason: string): { status: number; reason: string } {
    this.outputHold.end();
    this.picture.stop();
    this.options.send({ type: 'halted', status, reason });
    return { status, reason };
  }
}
