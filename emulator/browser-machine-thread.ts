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
import type { ConsoleMode } from './devices/console-device.ts';
import type { MachineDebugger, MachineWorkerData, ReadListener, ToHost } from './machine-messages.ts';
import { MachineWatcher } from './machine-watcher.ts';
import { threadFailure } from './thread-failure.ts';

export type { MachineDebugger };

export interface BrowserMachineThreadOptions extends Omit<MachineWorkerData, 'consoleMode' | 'endWhenStuck' | 'debug'> {
  /** The machine worker's bundle. */
  workerUrl: string | URL;
  output: (text: string) => void;
  /** Who is at the console (devices/console-device.ts). */
  consoleMode?: ConsoleMode;
  /** Hears when a read waits, at any console (a terminal draws its prompt then). */
  onRead?: ReadListener;
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
  readonly console: MachineWatcher['console'];
  /** The host channel into the machine. */
  readonly channel: MachineWatcher['channel'];
  private readonly watcher: MachineWatcher;
  private readonly worker: PageWorker;

  constructor(options: BrowserMachineThreadOptions) {
    const { workerUrl, output, onRead, watchdogSeconds = 0, debugger: debug, ...machineOptions } = options;
    const isolated = typeof SharedArrayBuffer !== 'undefined';
    const worker: PageWorker = (this.worker = isolated ? new Worker(workerUrl, { name: 'keel machine' }) : { postMessage() {}, terminate() {}, addEventListener() {} });
    this.watcher = new MachineWatcher(
      { output, onRead, watchdogSeconds, debugger: debug },
      { post: (message) => worker.postMessage(message), terminate: () => worker.terminate(), stuckIn: (running) => running },
    );
    this.halted = this.watcher.halted;
    this.console = this.watcher.console;
    this.channel = this.watcher.channel;
    if (!isolated) {
      this.watcher.receive({ kind: 'boot-failed', message: NOT_ISOLATED });
      return;
    }
    worker.addEventListener('message', ({ data }) => this.watcher.receive(data));
    // The worker failed under the machine (its heap, most often): one panic line, as the watchdog's.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.watcher.panic(threadFailure({ message: event.message ?? 'the worker failed' }, this.watcher.runningModule(), 0));
    });
    worker.postMessage({ kind: 'start', data: { ...machineOptions, debug: debug !== undefined } });
  }

  /** Ends the machine at once, as pulling its plug does (status 0: nobody was left to see it). */
  powerOff(): Promise<void> {
    this.worker.terminate();
    this.watcher.finish(0);
    return Promise.resolve();
  }
}
