/*
 * The watching end of a machine thread, shared by its two hosts' siblings (machine-thread.ts
 * under Node, browser-machine-thread.ts in a page): the console and the host channel as a
 * terminal and the dev loop drive them, what the machine's thread says (machine-messages.ts)
 * handed on, the watchdog on its heartbeat, and the one way a machine ends — its status, or a
 * panic line printed once, however many ways it ended at once. What differs between the hosts
 * comes in as a WatcherHost: how a message reaches the thread, how the thread is ended, whose
 * code a stuck machine is in (the stack, read by the inspector, under Node; the running word
 * alone in a browser), and what else stops watching once the machine has ended.
 *
 *   const watcher = new MachineWatcher({ output, onRead, watchdogSeconds, debugger }, { post, terminate, stuckIn, ended });
 *   worker.on('message', watcher.receive);
 *   watcher.panic('the thread failed');      // or watcher.finish(status)
 *   const status = await watcher.halted;
 */
import { BootError } from './boot-error.ts';
import { describeRunning, rememberName } from './devices/watchdog-device.ts';
import { watchHeartbeat } from './heartbeat-watch.ts';
import type { Completion } from './machine-interface.ts';
import { PANIC_STATUS, relay, type FromHost, type MachineDebugger, type ReadListener, type ToHost } from './machine-messages.ts';

export interface WatcherOptions {
  output: (text: string) => void;
  /** Hears when a read waits at the console, with its prompt. */
  onRead?: ReadListener;
  /** Seconds without a heartbeat before the watchdog panics the machine; 0 turns it off. */
  watchdogSeconds: number;
  /** Told what the kernel says on the debug device, and handed its frame table. */
  debugger?: MachineDebugger;
}

export interface WatcherHost {
  post(message: FromHost): void;
  terminate(): void;
  /** Whose code a machine whose heartbeat stopped is in, given what the running word names ("module x", "the kernel"). */
  stuckIn(running: string): string | Promise<string>;
  /** What else stops watching once the machine has ended, however it ended. */
  ended?(): void;
}

export class MachineWatcher {
  /** Resolves with the exit status; rejects with a BootError if the machine could not boot. */
  readonly halted: Promise<number>;
  readonly console = {
    type: (line: string, atPrompt = false) => this.post({ kind: 'line', line, atPrompt }),
    endInput: () => this.post({ kind: 'end-input' }),
    interrupt: () => this.post({ kind: 'interrupt' }),
    complete: (line: string): Promise<Completion> => {
      const id = this.nextCompletion++;
      this.post({ kind: 'complete', id, line });
      return this.stopped ? Promise.resolve([[], '']) : new Promise((resolve) => this.completions.set(id, resolve));
    },
  };
  /** The host channel into the machine (the dev loop sends rebuilt modules through it). */
  readonly channel = {
    send: (header: string, bytes: Uint8Array) => this.post({ kind: 'channel', header, bytes }),
  };
  private readonly moduleNames = new Map<number, string>();
  private readonly completions = new Map<number, (completion: Completion) => void>();
  private nextCompletion = 0;
  private stopped = false;
  private words: Int32Array | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private resolve!: (status: number) => void;
  private reject!: (error: Error) => void;

  constructor(
    private readonly options: WatcherOptions,
    private readonly host: WatcherHost,
  ) {
    this.halted = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The module the running word names, or null for the kernel (or code no stub saw). */
  runningModule(): string | null {
    const running = this.words ? describeRunning(this.words, this.moduleNames) : 'the kernel';
    return running === 'the kernel' ? null : running;
  }

  /** What the machine's thread says, handed on; bound, to be a thread's message listener as it is. */
  readonly receive = (message: ToHost): void => {
    const { output, onRead, debugger: debug } = this.options;
    if (message.kind === 'output') output(message.text);
    else if (message.kind === 'read') onRead?.(message.prompt, message.linesTaken, message.work);
    else if (message.kind === 'completion') this.completions.get(message.id)?.(message.completion), this.completions.delete(message.id);
    else if (message.kind === 'module-name') rememberName(this.moduleNames, message.id, message.name);
    else if (message.kind === 'halted') this.finish(message.status);
    else if (message.kind === 'boot-failed') this.end(), this.host.terminate(), this.reject(new BootError(message.message));
    else if (message.kind === 'debug-memory') debug?.attach(message.frameTable, message.doorbell);
    else if (message.kind === 'debug') for (const report of message.reports) relay(report, debug);
    else if (message.kind === 'code-bytes') debug?.codeBytes(message.bytes);
    else if (message.kind === 'watchdog') this.watch(message.words);
  };

  /** Ends the machine with its panic line, once, however many ways it ended at once. */
  panic(reason: string): void {
    if (this.stopped) return;
    this.options.output(`Kernel panic - not syncing: ${reason}\n`);
    this.host.terminate();
    this.finish(PANIC_STATUS);
  }

  finish(status: number): void {
    if (this.stopped) return;
    this.end();
    this.resolve(status);
  }

  private watch(words: Int32Array): void {
    this.words = words;
    const seconds = this.options.watchdogSeconds;
    if (seconds === 0) return;
    this.watchdog = watchHeartbeat(words, seconds, this.moduleNames, async (running) => {
      clearInterval(this.watchdog);
      this.panic(`watchdog: machine stuck for ${seconds}s in ${await this.host.stuckIn(running)}`);
    });
  }

  private end(): void {
    this.stopped = true;
    for (const answer of this.completions.values()) answer([[], '']);
    this.completions.clear();
    clearInterval(this.watchdog);
    this.host.ended?.();
  }

  private post(message: FromHost): void {
    if (!this.stopped) this.host.post(message);
  }
}
