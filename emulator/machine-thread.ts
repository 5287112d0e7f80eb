/*
 * A machine in its own thread, watched from the host's.
 *
 *   const thread = new MachineThread({ image, initrd, output: write, watchdogSeconds: 10 });
 *   thread.console.type('lsmod');               // interrupt(), complete(line), thread.channel.send(header, bytes) likewise
 *   const status = await thread.halted;     // as Machine's: 0, 1, or 2 for a panic
 *
 * A module that never returns blocks its thread, never the host: the host keeps reading the
 * terminal, and a watchdog here sees the machine's heartbeat stop (emulator/machine-worker.ts
 * beats it while the machine's event loop is free). After `watchdogSeconds` without a beat
 * it reads which module was running — the kernel writes that into shared memory on every
 * call — prints the panic line naming it, and stops the machine's thread.
 *
 * A debugger (`debugger`: the web page's server) hears what the kernel says on the debug
 * device and is handed the kernel's frame table, shared memory it reads while the machine runs
 * (emulator/devices/debug-device.ts). `powerOff()` pulls the plug: the thread is ended at once.
 */
import { Worker } from 'node:worker_threads';
import type { ConsoleMode } from './devices/console-device.ts';
import type { DebugListener } from './devices/debug-device.ts';
import { describeRunning, HEARTBEAT_WORD, rememberName } from './devices/watchdog-device.ts';
import { BootError } from './firmware.ts';
import type { Completion } from './machine-interface.ts';
import { stuckModule } from './stall-inspector.ts';
import { PANIC_STATUS, type MachineOptions } from './machine.ts';

/** Messages from the machine's thread. */
export type ToHost =
  | { kind: 'output'; text: string }
  | { kind: 'read'; prompt: string; linesTaken: number }
  | { kind: 'completion'; id: number; completion: Completion }
  | { kind: 'module-name'; id: number; name: string | null }
  | { kind: 'watchdog'; words: Int32Array }
  | { kind: 'debug-memory'; frameTable: Int32Array; doorbell: Int32Array }
  | { kind: 'debug'; reports: DebugReport[] }
  | { kind: 'code-bytes'; bytes: number }
  | { kind: 'halted'; status: number }
  | { kind: 'boot-failed'; message: string };

/** What the kernel said on the debug device, in order; the worker sends a turn's worth at once. */
export type DebugReport = { kind: 'owner-named'; id: number; ownerKind: string; label: string } | { kind: 'owner-forgotten'; id: number } | { kind: 'module-event'; json: string };

/** Messages to it: console input (a line, its end, Ctrl-C, Tab), a message for the host channel. */
export type FromHost =
  | { kind: 'line'; line: string; atPrompt: boolean }
  | { kind: 'end-input' }
  | { kind: 'interrupt' }
  | { kind: 'complete'; id: number; line: string }
  | { kind: 'channel'; header: string; bytes: Uint8Array };

/**
 * What the worker builds its Machine from: the options that can cross to a thread, and whether
 * to end the machine once nothing can ever wake it (`endWhenStuck`, below).
 */
export type MachineWorkerData = Omit<MachineOptions, 'output' | 'onModuleName' | 'timer' | 'console' | 'debugListener'> & { consoleMode?: ConsoleMode; endWhenStuck?: boolean; debug?: boolean };

/** A debugger's end of the machine's debug device, in the host's thread. */
export interface MachineDebugger extends DebugListener {
  /** The kernel's frame table and its doorbell: shared memory the kernel writes while it runs. */
  attach(frameTable: Int32Array, doorbell: Int32Array): void;
  /** The host engine's compiled code in the machine's thread (what `free` prints), a few times a second. */
  codeBytes(bytes: number): void;
}

export interface MachineThreadOptions extends Omit<MachineWorkerData, 'consoleMode' | 'endWhenStuck' | 'debug'> {
  output: (text: string) => void;
  /** Who is at the console (devices/console-device.ts); with 'terminal', `onRead` hears when a read waits. */
  consoleMode?: ConsoleMode;
  onRead?: (prompt: string, linesTaken: number) => void;
  /** Seconds without a heartbeat before the watchdog panics the machine; 0 turns it off. */
  watchdogSeconds?: number;
  /**
   * End the machine once nothing can ever wake it (console input over and unread, no timer
   * set: Machine.stuckForever). For input that is a script (--exec), where no Ctrl-C can come.
   */
  endWhenStuck?: boolean;
  /** Told what the kernel says on the debug device, and handed its frame table. */
  debugger?: MachineDebugger;
}

function relay(report: DebugReport, debug: MachineDebugger | undefined): void {
  if (report.kind === 'owner-named') debug?.nameOwner(report.id, report.ownerKind, report.label);
  else if (report.kind === 'owner-forgotten') debug?.forgetOwner(report.id);
  else debug?.moduleEvent(report.json);
}

const WORKER_ENTRY = new URL('./machine-worker-entry.mjs', import.meta.url);
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
    const { output, onRead, watchdogSeconds = 0, debugger: debug, ...machineOptions } = options;
    this.worker = new Worker(WORKER_ENTRY, { workerData: { ...machineOptions, debug: debug !== undefined } satisfies MachineWorkerData });
    this.halted = new Promise<number>((resolve, reject) => {
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (status: number) => {
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
      this.worker.on('exit', () => finish(this.poweredOff ? 0 : PANIC_STATUS));
    });
  }

  /** Ends the machine at once, as pulling its plug does (status 0: nobody was left to see it); resolves once its thread is gone. */
  async powerOff(): Promise<void> {
    this.poweredOff = true;
    await this.worker.terminate();
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
