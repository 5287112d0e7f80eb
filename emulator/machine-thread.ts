/*
 * A machine in its own thread, watched from the host's.
 *
 *   const thread = new MachineThread({ image, initrd, output: write, watchdogSeconds: 10 });
 *   thread.console.type('lsmod');               // thread.channel.send(header, bytes) likewise
 *   const status = await thread.halted;     // as Machine's: 0, 1, or 2 for a panic
 *
 * A module that never returns blocks its thread, never the host: the host keeps reading the
 * terminal, and a watchdog here sees the machine's heartbeat stop (emulator/machine-worker.ts
 * beats it while the machine's event loop is free). After `watchdogSeconds` without a beat
 * it reads which module was running — the kernel writes that into shared memory on every
 * call — prints the panic line naming it, and stops the machine's thread.
 */
import { Worker } from 'node:worker_threads';
import { describeRunning, HEARTBEAT_WORD, rememberName } from './devices/watchdog-device.ts';
import { BootError } from './firmware.ts';
import type { WorkerData } from './machine-worker.ts';
import { stuckModule } from './stall-inspector.ts';
import { PANIC_STATUS, type MachineOptions } from './machine.ts';

/** Messages from the machine's thread. */
export type ToHost =
  | { kind: 'output'; text: string }
  | { kind: 'module-name'; id: number; name: string | null }
  | { kind: 'watchdog'; words: Int32Array }
  | { kind: 'halted'; status: number }
  | { kind: 'boot-failed'; message: string };

/** Messages to it: a console line, the end of console input, a message for the host channel. */
export type FromHost = { kind: 'line'; line: string } | { kind: 'end-input' } | { kind: 'channel'; header: string; bytes: Uint8Array };

export interface MachineThreadOptions extends Omit<MachineOptions, 'output' | 'onModuleName' | 'timer'> {
  output: (text: string) => void;
  /** Seconds without a heartbeat before the watchdog panics the machine; 0 turns it off. */
  watchdogSeconds?: number;
  /**
   * End the machine once nothing can ever wake it (console input over and unread, no timer
   * set: Machine.stuckForever). For input that is a script (--exec), where no Ctrl-C can come.
   */
  endWhenStuck?: boolean;
}

const WORKER_ENTRY = new URL('./machine-worker-entry.mjs', import.meta.url);
/** How long the watchdog waits for the inspector to pause a stuck machine and read its stack. */
const INSPECTION_TIMEOUT_MS = 2000;

export class MachineThread {
  /** Resolves with the exit status; rejects with a BootError if the machine could not boot. */
  readonly halted: Promise<number>;
  readonly console = {
    type: (line: string) => this.post({ kind: 'line', line }),
    endInput: () => this.post({ kind: 'end-input' }),
  };
  /** The host channel into the machine (the dev loop sends rebuilt modules through it). */
  readonly channel = {
    send: (header: string, bytes: Uint8Array) => this.post({ kind: 'channel', header, bytes }),
  };
  private readonly worker: Worker;
  private readonly moduleNames = new Map<number, string>();
  private stopped = false;

  constructor(options: MachineThreadOptions) {
    const { output, watchdogSeconds = 0, ...machineOptions } = options;
    this.worker = new Worker(WORKER_ENTRY, { workerData: machineOptions satisfies WorkerData });
    this.halted = new Promise<number>((resolve, reject) => {
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (status: number) => {
        this.stopped = true;
        clearInterval(watchdog);
        resolve(status);
      };
      this.worker.on('message', (message: ToHost) => {
        if (message.kind === 'output') output(message.text);
        else if (message.kind === 'module-name') rememberName(this.moduleNames, message.id, message.name);
        else if (message.kind === 'halted') finish(message.status);
        else if (message.kind === 'boot-failed') reject(new BootError(message.message));
        else if (watchdogSeconds > 0) {
          watchdog = this.watch(message.words, watchdogSeconds, async (word) => {
            clearInterval(watchdog);
            // The stack says whose code it is, wherever it runs; the running word is the fallback.
            const module = await stuckModule(this.worker.threadId, INSPECTION_TIMEOUT_MS);
            const running = module === null ? word : module === 'the kernel' ? module : `module ${module}`;
            output(`Kernel panic - not syncing: watchdog: machine stuck for ${watchdogSeconds}s in ${running}\n`);
            void this.worker.terminate();
            finish(PANIC_STATUS);
          });
        }
      });
      this.worker.on('error', (error) => reject(error));
      this.worker.on('exit', () => finish(PANIC_STATUS));
    });
  }

  /** Checks the heartbeat a few times per period; calls `onStuck` once it stood still a whole period. */
  private watch(words: Int32Array, seconds: number, onStuck: (running: string) => void): NodeJS.Timeout {
    const periodMs = seconds * 1000;
    let lastBeat = Atomics.load(words, HEARTBEAT_WORD);
    let lastChange = performance.now();
    return setInterval(() => {
      const beat = Atomics.load(words, HEARTBEAT_WORD);
      if (beat !== lastBeat) {
        lastBeat = beat;
        lastChange = performance.now();
      } else if (performance.now() - lastChange >= periodMs) {
        onStuck(describeRunning(words, this.moduleNames));
      }
    }, Math.min(250, periodMs / 4));
  }

  private post(message: FromHost): void {
    if (!this.stopped) this.worker.postMessage(message);
  }
}
