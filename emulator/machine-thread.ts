/*
 * A machine in its own thread, watched from the host's.
 *
 *   const thread = new MachineThread({ image, initrd, output: write, watchdogSeconds: 10 });
 *   thread.console.type('lsmod');               // interrupt(), complete(line), thread.channel.send(header, bytes) likewise
 *   const status = await thread.halted;     // as Machine's: 0, 1, or 2 for a panic
 *
 * A module that never returns blocks its thread, never the host: the host keeps reading the
 * terminal, and a watchdog here sees the machine's heartbeat stop (emulator/machine-runner.ts
 * beats it while the machine's event loop is free). After `watchdogSeconds` without a beat
 * it reads which module was running — the kernel writes that into shared memory on every
 * call — prints the panic line naming it, and stops the machine's thread.
 *
 * The thread has a heap limit of its own (`heapMegabytes`, watched from here: heap-monitor.ts): a
 * module that exhausts it ends its machine with one panic line naming the module
 * (thread-failure.ts), never the host; the engine may still abort the whole process for one
 * allocation that jumps far past the limit at once (docs/bad-input.md, Memory).
 *
 * A debugger (`debugger`: the web page's server) hears what the kernel says on the debug
 * device and is handed the kernel's frame table, shared memory it reads while the machine runs
 * (emulator/devices/debug-device.ts). `powerOff()` pulls the plug: the thread is ended at once.
 */
import { Worker } from 'node:worker_threads';
import type { ConsoleMode } from './devices/console-device.ts';
import { engineLimit, watchHeap } from './heap-monitor.ts';
import { PANIC_STATUS, type MachineDebugger, type MachineWorkerData, type ReadListener } from './machine-messages.ts';
import { MachineWatcher } from './machine-watcher.ts';
import { stuckModule } from './stall-inspector.ts';
import { threadFailure } from './thread-failure.ts';

export type { DebugReport, FromHost, MachineDebugger, MachineWorkerData, ToHost } from './machine-messages.ts';

/** The machine thread's own heap limit, unless told otherwise: room for a module's large data, not for the host's whole memory. */
export const DEFAULT_HEAP_MEGABYTES = 512;

export interface MachineThreadOptions extends Omit<MachineWorkerData, 'consoleMode' | 'endWhenStuck' | 'debug'> {
  output: (text: string) => void;
  /** Who is at the console (devices/console-device.ts). */
  consoleMode?: ConsoleMode;
  /** Hears when a read waits, at any console (a terminal draws its prompt then). */
  onRead?: ReadListener;
  /** Seconds without a heartbeat before the watchdog panics the machine; 0 turns it off. */
  watchdogSeconds?: number;
  /**
   * The thread's heap limit in MiB (its JS heap, where modules' objects live; physical memory is
   * apart). Reaching it ends the machine with a panic line naming the module that was running.
   */
  heapMegabytes?: number;
  /**
   * End the machine once nothing can ever wake it (console input over and unread, no timer
   * set: Machine.stuckForever). For input that is a script (--exec), where no Ctrl-C can come.
   */
  endWhenStuck?: boolean;
  /** Told what the kernel says on the debug device, and handed its frame table. */
  debugger?: MachineDebugger;
}

const WORKER_ENTRY = new URL('./machine-worker-entry.mjs', import.meta.url);
const OUT_OF_MEMORY = { code: 'ERR_WORKER_OUT_OF_MEMORY' };
/** How long the watchdog waits for the inspector to pause a stuck machine and read its stack. */
const INSPECTION_TIMEOUT_MS = 2000;

export class MachineThread {
  /** Resolves with the exit status; rejects with a BootError if the machine could not boot. */
  readonly halted: Promise<number>;
  readonly console: MachineWatcher['console'];
  /** The host channel into the machine (the dev loop sends rebuilt modules through it). */
  readonly channel: MachineWatcher['channel'];
  private readonly worker: Worker;
  private poweredOff = false;

  constructor(options: MachineThreadOptions) {
    const { output, onRead, watchdogSeconds = 0, heapMegabytes = DEFAULT_HEAP_MEGABYTES, debugger: debug, ...machineOptions } = options;
    const worker = (this.worker = new Worker(WORKER_ENTRY, {
      workerData: { ...machineOptions, debug: debug !== undefined } satisfies MachineWorkerData,
      resourceLimits: { maxOldGenerationSizeMb: engineLimit(heapMegabytes) },
    }));
    /** Whose code is running, as the stack says wherever it runs; the running word is the fallback. */
    const stackSays = async (running: string | null) => {
      const module = await stuckModule(worker.threadId, INSPECTION_TIMEOUT_MS);
      return module === null ? running : module === 'the kernel' ? module : `module ${module}`;
    };
    const watcher = new MachineWatcher(
      { output, onRead, watchdogSeconds, debugger: debug },
      {
        post: (message) => worker.postMessage(message),
        terminate: () => void worker.terminate(),
        stuckIn: async (running) => (await stackSays(running))!,
        ended: () => heap.stop(),
      },
    );
    const heap = watchHeap(worker.threadId, heapMegabytes, async () => watcher.panic(threadFailure(OUT_OF_MEMORY, await stackSays(watcher.runningModule()), heapMegabytes)));
    worker.on('message', watcher.receive);
    // The thread died under the machine (its heap limit, most often): one panic line, as the watchdog's.
    worker.on('error', (error) => watcher.panic(threadFailure(error, watcher.runningModule(), heapMegabytes)));
    worker.on('exit', () => watcher.finish(this.poweredOff ? 0 : PANIC_STATUS));
    this.halted = watcher.halted;
    this.console = watcher.console;
    this.channel = watcher.channel;
  }

  /** Ends the machine at once, as pulling its plug does (status 0: nobody was left to see it); resolves once its thread is gone. */
  async powerOff(): Promise<void> {
    this.poweredOff = true;
    await this.worker.terminate();
  }
}
