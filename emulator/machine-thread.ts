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
import { describeRunning, rememberName } from './devices/watchdog-device.ts';
import { watchHeartbeat } from './heartbeat-watch.ts';
import { BootError } from './firmware.ts';
import type { Completion } from './machine-interface.ts';
import { engineLimit, watchHeap } from './heap-monitor.ts';
import { stuckModule } from './stall-inspector.ts';
import { threadFailure } from './thread-failure.ts';
import { PANIC_STATUS } from './machine.ts';
import { relay, type FromHost, type MachineDebugger, type MachineWorkerData, type ToHost } from './machine-messages.ts';

export type { DebugReport, FromHost, MachineDebugger, MachineWorkerData, ToHost } from './machine-messages.ts';

/** The machine thread's own heap limit, unless told otherwise: room for a module's large data, not for the host's whole memory. */
export const DEFAULT_HEAP_MEGABYTES = 512;

export interface MachineThreadOptions extends Omit<MachineWorkerData, 'consoleMode' | 'endWhenStuck' | 'debug'> {
  output: (text: string) => void;
  /** Who is at the console (devices/console-device.ts); with 'terminal', `onRead` hears when a read waits. */
  consoleMode?: ConsoleMode;
  onRead?: (prompt: string, linesTaken: number) => void;
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
  private readonly worker: Worker;
  private readonly moduleNames = new Map<number, string>();
  private readonly completions = new Map<number, (completion: Completion) => void>();
  private nextCompletion = 0;
  private stopped = false;
  private poweredOff = false;

  constructor(options: MachineThreadOptions) {
    const { output, onRead, watchdogSeconds = 0, heapMegabytes = DEFAULT_HEAP_MEGABYTES, debugger: debug, ...machineOptions } = options;
    this.worker = new Worker(WORKER_ENTRY, {
      workerData: { ...machineOptions, debug: debug !== undefined } satisfies MachineWorkerData,
      resourceLimits: { maxOldGenerationSizeMb: engineLimit(heapMegabytes) },
    });
    this.halted = new Promise<number>((resolve, reject) => {
      let watchdog: NodeJS.Timeout | undefined;
      let words: Int32Array | undefined;
      /** The module the running word names, or null for the kernel (or code no stub saw). */
      const runningModule = () => {
        const running = words ? describeRunning(words, this.moduleNames) : 'the kernel';
        return running === 'the kernel' ? null : running;
      };
      const heap = watchHeap(this.worker.threadId, heapMegabytes, async () => {
        // Whose code is allocating: the stack says, wherever it runs; the running word is the fallback.
        const module = await stuckModule(this.worker.threadId, INSPECTION_TIMEOUT_MS);
        panic(threadFailure(OUT_OF_MEMORY, module === null ? runningModule() : module === 'the kernel' ? module : `module ${module}`, heapMegabytes));
      });
      /** Ends the machine with its panic line, once, however many ways it ended at once. */
      const panic = (reason: string) => {
        if (this.stopped) return;
        output(`Kernel panic - not syncing: ${reason}\n`);
        void this.worker.terminate();
        finish(PANIC_STATUS);
      };
      const finish = (status: number) => {
        if (this.stopped) return;
        heap.stop();
        this.stopped = true;
        for (const answer of this.completions.values()) answer([[], '']);
        this.completions.clear();
        clearInterval(watchdog);
        resolve(status);
      };
      this.worker.on('message', (message: ToHost) => {
        if (message.kind === 'output') output(message.text);
        else if (message.kind === 'read') onRead?.(message.prompt, message.linesTaken);
        else if (message.kind === 'completion') this.completions.get(message.id)?.(message.completion), this.completions.delete(message.id);
        else if (message.kind === 'module-name') rememberName(this.moduleNames, message.id, message.name);
        else if (message.kind === 'halted') finish(message.status);
        else if (message.kind === 'boot-failed') reject(new BootError(message.message));
        else if (message.kind === 'debug-memory') debug?.attach(message.frameTable, message.doorbell);
        else if (message.kind === 'debug') for (const report of message.reports) relay(report, debug);
        else if (message.kind === 'code-bytes') debug?.codeBytes(message.bytes);
        else if (message.kind === 'watchdog') {
          words = message.words;
          if (watchdogSeconds === 0) return;
          watchdog = watchHeartbeat(words, watchdogSeconds, this.moduleNames, async (word) => {
            clearInterval(watchdog);
            // The stack says whose code it is, wherever it runs; the running word is the fallback.
            const module = await stuckModule(this.worker.threadId, INSPECTION_TIMEOUT_MS);
            const running = module === null ? word : module === 'the kernel' ? module : `module ${module}`;
            panic(`watchdog: machine stuck for ${watchdogSeconds}s in ${running}`);
          });
        }
      });
      // The thread died under the machine (its heap limit, most often): one panic line, as the watchdog's.
      this.worker.on('error', (error) => panic(threadFailure(error, runningModule(), heapMegabytes)));
      this.worker.on('exit', () => finish(this.poweredOff ? 0 : PANIC_STATUS));
    });
  }

  /** Ends the machine at once, as pulling its plug does (status 0: nobody was left to see it); resolves once its thread is gone. */
  async powerOff(): Promise<void> {
    this.poweredOff = true;
    await this.worker.terminate();
  }

  private post(message: FromHost): void {
    if (!this.stopped) this.worker.postMessage(message);
  }
}
