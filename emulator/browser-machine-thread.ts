/*
 * A machine in a Web Worker, watched from the page: the browser sibling of machine-thread.ts,
 * with the same interface, so that a page session can drive either.
 *
 *   const thread = new BrowserMachineThread({ workerUrl: 'machine-worker.js', image, initrd, output: write, watchdogSeconds: 10 });
 *   thread.console.type('lsmod');           // interrupt(), complete(line), endInput(), thread.channel.send(header, bytes) likewise
 *   const status = await thread.halted;     // 0, 1, or 2 for a panic; rejects with a BootError if it could not boot
 *   thread.powerOff();                      // pulls the plug; a new BrowserMachineThread powers on again
 *
 * `workerUrl` is the machine worker's bundle (build/browser-bundle.ts). The page must be
 * cross-origin isolated (COOP same-origin, COEP require-corp: the machine shares memory with the
 * page), and should serve the worker with BROWSER_WORKER_POLICY (host/browser-worker-policy.ts).
 *
 * A module that never returns blocks its worker, never the page: the heartbeat stops, and
 * after `watchdogSeconds` this reads which module was running — the kernel writes that into
 * shared memory on every call — prints the panic line naming it, as under Node, and
 * terminates the worker. A browser has no inspector to pause the worker and read its stack, so
 * the running word is all it goes by (under Node it is the fallback), and no heap limit of the
 * thread's own: the browser ends a worker that exhausts its heap, which reaches the page as an
 * error, and that ends the machine with one panic line.
 */
import { BootError } from './boot-error.ts';
import type { ConsoleMode } from './devices/console-device.ts';
import { describeRunning, rememberName } from './devices/watchdog-device.ts';
import { watchHeartbeat } from './heartbeat-watch.ts';
import type { Completion } from './machine-interface.ts';
import { PANIC_STATUS, relay, type FromHost, type MachineDebugger, type MachineWorkerData, type ToHost } from './machine-messages.ts';
import { threadFailure } from './thread-failure.ts';

export type { MachineDebugger };

export interface BrowserMachineThreadOptions extends Omit<MachineWorkerData, 'consoleMode' | 'endWhenStuck' | 'debug'> {
  /** The machine worker's bundle. */
  workerUrl: string | URL;
  output: (text: string) => void;
  /** Who is at the console (devices/console-device.ts); with 'terminal', `onRead` hears when a read waits. */
  consoleMode?: ConsoleMode;
  onRead?: (prompt: string, linesTaken: number) => void;
  /** Seconds without a heartbeat before the watchdog panics the machine; 0 turns it off. */
  watchdogSeconds?: number;
  /** End the machine once nothing can ever wake it (Machine.stuckForever). */
  endWhenStuck?: boolean;
  /** Told what the kernel says on the debug device, and handed its frame table. */
  debugger?: MachineDebugger;
}

/** The page's Worker, as far as this uses it (the project is typed without the DOM's types). */
interface PageWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(kind: 'message', listener: (event: { data: ToHost }) => void): void;
  addEventListener(kind: 'error', listener: (event: { message?: string; preventDefault(): void }) => void): void;
}
declare const Worker: new (url: string | URL, options?: { name?: string }) => PageWorker;

/** Why a page cannot run the machine: it is not cross-origin isolated, so it has no SharedArrayBuffer to share with the machine. */
export const NOT_ISOLATED = 'this page is not cross-origin isolated, and the machine shares memory with it: serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

export class BrowserMachineThread {
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
  /** The host channel into the machine. */
  readonly channel = {
    send: (header: string, bytes: Uint8Array) => this.post({ kind: 'channel', header, bytes }),
  };
  private readonly worker: PageWorker;
  private readonly moduleNames = new Map<number, string>();
  private readonly completions = new Map<number, (completion: Completion) => void>();
  private nextCompletion = 0;
  private stopped = false;
  private finish: (status: number) => void = () => {};

  constructor(options: BrowserMachineThreadOptions) {
    const { workerUrl, output, onRead, watchdogSeconds = 0, debugger: debug, ...machineOptions } = options;
    if (typeof SharedArrayBuffer === 'undefined') {
      this.stopped = true;
      this.worker = { postMessage() {}, terminate() {}, addEventListener() {} };
      this.halted = Promise.reject(new BootError(NOT_ISOLATED));
      return;
    }
    this.worker = new Worker(workerUrl, { name: 'keel machine' });
    this.halted = new Promise<number>((resolve, reject) => {
      let watchdog: ReturnType<typeof setInterval> | undefined;
      let words: Int32Array | undefined;
      const runningModule = () => {
        const running = words ? describeRunning(words, this.moduleNames) : 'the kernel';
        return running === 'the kernel' ? null : running;
      };
      /** Ends the machine with its panic line, once, however many ways it ended at once. */
      const panic = (reason: string) => {
        if (this.stopped) return;
        output(`Kernel panic - not syncing: ${reason}\n`);
        this.worker.terminate();
        this.finish(PANIC_STATUS);
      };
      this.finish = (status: number) => {
        if (this.stopped) return;
        this.stopped = true;
        for (const answer of this.completions.values()) answer([[], '']);
        this.completions.clear();
        clearInterval(watchdog);
        resolve(status);
      };
      this.worker.addEventListener('message', ({ data: message }) => {
        if (message.kind === 'output') output(message.text);
        else if (message.kind === 'read') onRead?.(message.prompt, message.linesTaken);
        else if (message.kind === 'completion') this.completions.get(message.id)?.(message.completion), this.completions.delete(message.id);
        else if (message.kind === 'module-name') rememberName(this.moduleNames, message.id, message.name);
        else if (message.kind === 'halted') this.finish(message.status);
        else if (message.kind === 'boot-failed') this.stopped = true, this.worker.terminate(), reject(new BootError(message.message));
        else if (message.kind === 'debug-memory') debug?.attach(message.frameTable, message.doorbell);
        else if (message.kind === 'debug') for (const report of message.reports) relay(report, debug);
        else if (message.kind === 'code-bytes') debug?.codeBytes(message.bytes);
        else if (message.kind === 'watchdog') {
          words = message.words;
          if (watchdogSeconds === 0) return;
          watchdog = watchHeartbeat(words, watchdogSeconds, this.moduleNames, (running) => {
            clearInterval(watchdog);
            panic(`watchdog: machine stuck for ${watchdogSeconds}s in ${running}`);
          });
        }
      });
      // The worker failed under the machine (its heap, most often): one panic line, as the watchdog's.
      this.worker.addEventListener('error', (event) => {
        event.preventDefault();
        panic(threadFailure({ message: event.message ?? 'the worker failed' }, runningModule(), 0));
      });
    });
    this.worker.postMessage({ kind: 'start', data: { ...machineOptions, debug: debug !== undefined } });
  }

  /** Ends the machine at once, as pulling its plug does (status 0: nobody was left to see it). */
  powerOff(): Promise<void> {
    this.worker.terminate();
    this.finish(0);
    return Promise.resolve();
  }

  private post(message: FromHost): void {
    if (!this.stopped) this.worker.postMessage(message);
  }
}
