/*
 * The Machine: physical memory, devices, and a power switch.
 *
 *   const machine = new Machine({ image, initrd, cmdline: 'init=shell', output: write });
 *   machine.powerOn();            // throws BootError / BootImageError if it cannot boot
 *   machine.console.type('lsmod');
 *   const status = await machine.halted;   // 0 ok, 1 a command failed, 2 panic
 *
 * It knows nothing of modules; it sees the kernel only as the bytes of a boot image.
 */
import { Channel } from './devices/channel-device.ts';
import { Console, type ConsoleOptions } from './devices/console-device.ts';
import { DebugPort, type DebugListener } from './devices/debug-device.ts';
import { hostDevice } from './devices/host-device.ts';
import { Timer } from './devices/timer-device.ts';
import { Watchdog } from './devices/watchdog-device.ts';
import { checkedDevices } from './device-checks.ts';
import { host } from './host/current-host.ts';
import { PANIC_STATUS } from './machine-messages.ts';
import { BootError, loadKernel } from './firmware.ts';
import { FRAME_SIZE, type MachineInterface, type TimerDevice } from './machine-interface.ts';
import { createSandbox, type Sandbox } from './sandbox.ts';
import { watchRejections } from './unhandled-rejections.ts';

export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CMDLINE = 'init=shell quiet';
export { PANIC_STATUS };

export interface MachineOptions {
  image: Uint8Array;
  initrd: Uint8Array;
  memoryBytes?: number;
  cmdline?: string;
  /** Where console output goes; the default collects it in `machine.output`. */
  output?: (text: string) => void;
  /** Who is at the console's host end, and how a terminal hears that a read waits (devices/console-device.ts). */
  console?: ConsoleOptions;
  /** The clock and timers; the default is real time, the simulator passes a virtual clock. */
  timer?: MachineTimer;
  /** Told the name of each module id the kernel gives the watchdog device (null: forgotten). */
  onModuleName?: (id: number, name: string | null) => void;
  /** Told what the kernel says on the debug device (owner names, module events): a debugger's end of it. */
  debugListener?: DebugListener;
}

/** A timer device the machine can stop at halt, so that a halted machine leaves nothing running. */
export interface MachineTimer extends TimerDevice {
  stopAll(): void;
  /** Timers set and not yet fired or cleared. */
  readonly pending: number;
}

export class Machine {
  /** The realm the kernel runs in; memory and every device the kernel holds belong to it. */
  readonly sandbox: Sandbox = createSandbox();
  readonly memory: Uint8Array;
  readonly console: Console;
  readonly timer: MachineTimer;
  /** The host channel: the dev loop sends rebuilt modules through it. */
  readonly channel = new Channel();
  readonly watchdog: Watchdog;
  /** Where the kernel keeps its frame table, readable from another thread (devices/debug-device.ts). */
  readonly debug: DebugPort;
  /** Everything written to the console, when no output function was given. */
  output = '';
  /** Resolves with the exit status once the machine halts or panics. */
  readonly halted: Promise<number>;
  private resolveHalted!: (status: number) => void;
  private running = false;
  /** The kernel's handler for unhandled rejections in its realm, and the watch that routes them here. */
  private rejectionHandler: ((reason: unknown) => void) | null = null;
  private stopWatchingRejections = () => {};

  constructor(private readonly options: MachineOptions) {
    const memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    if (memoryBytes % FRAME_SIZE !== 0 || memoryBytes <= 0) {
      throw new BootError(`memory size must be a positive multiple of ${FRAME_SIZE} bytes, not ${memoryBytes}`);
    }
    this.memory = this.sandbox.allocate(memoryBytes);
    this.timer = options.timer ?? new Timer();
    this.watchdog = new Watchdog(this.sandbox.allocateShared(2), options.onModuleName);
    this.debug = new DebugPort(this.sandbox.allocateShared(memoryBytes / FRAME_SIZE), this.sandbox.allocateShared(1), options.debugListener);
    this.console = new Console(options.output ?? ((text) => (this.output += text)), options.console);
    this.halted = new Promise((resolve) => (this.resolveHalted = resolve));
  }

  /** The interface handed to the kernel: devices as plain, checked functions, rebuilt inside the sandbox. */
  private machineInterface(): MachineInterface {
    const devices = checkedDevices({
      machine: {
        memory: this.memory,
        console: { write: this.console.write, readLine: this.console.readLine, interactive: this.console.interactive },
        timer: { now: this.timer.now, setTimer: this.timer.setTimer, clearTimer: this.timer.clearTimer },
        crypto: host.crypto,
        channel: { receive: this.channel.receive },
        power: { halt: (status) => this.stop(status), panic: (reason) => this.panic(reason) },
        host: { ...hostDevice, onUnhandledRejection: (handler) => (this.rejectionHandler = handler) },
        watchdog: this.watchdog.device(),
        debug: this.debug.device(),
      },
      memory: this.memory,
      unmap: host.unmap,
      fault: (where, error) => this.panic(`${where} threw: ${describe(error)}`),
    });
    return this.sandbox.adopt(devices);
  }

  /** A rejection nothing handled, of a promise of this machine's realm: the kernel's to report. */
  private unhandledRejection(reason: unknown): void {
    if (!this.running) return;
    if (!this.rejectionHandler) return this.panic(`unhandled rejection in the kernel: ${describe(reason)}`);
    try {
      this.rejectionHandler(reason);
    } catch (error) {
      this.panic(`unhandled rejection in the kernel: ${describe(error)}`);
    }
  }

  /** Runs the firmware and the kernel's boot. Image and memory problems throw before any jump. */
  powerOn(): void {
    const { entry, bootInfo } = loadKernel(this.sandbox, this.memory, {
      image: this.options.image,
      initrd: this.options.initrd,
      cmdline: this.options.cmdline ?? DEFAULT_CMDLINE,
    });
    this.running = true;
    this.stopWatchingRejections = watchRejections({ owns: (promise) => this.sandbox.ownsPromise(promise), report: (reason) => this.unhandledRejection(reason) });
    if (this.sandbox.importWarning !== null) this.console.write(`keel: warning: ${this.sandbox.importWarning}\n`);
    try {
      entry(this.machineInterface(), bootInfo);
    } catch (error) {
      this.panic(describe(error));
    }
  }

  /**
   * Why the machine can never do anything again, or null. With console input at its end and
   * nothing reading it, only a timer could wake the kernel (the host channel is left out: only
   * the dev loop sends on it, and it keeps input open); with no timer set either, the command
   * in progress waits forever — or, if the console was never read, init is no shell at all.
   */
  stuckForever(): string | null {
    const input = this.console.unattended();
    if (!this.running || input === null || this.timer.pending > 0) return null;
    return input === 'never read' ? 'init reads no console, so the commands given cannot run' : 'a command waits for something that can never happen (no timer is set and input has ended)';
  }

  /**
   * Ends a machine that is stuck forever: as Linux does when init is gone, a panic if init reads
   * no console; else one line saying so and status 1, as a command that failed.
   */
  endStuck(reason: string): void {
    if (reason.startsWith('init')) return this.panic(reason);
    this.console.write(`keel: ${reason}: halting\n`);
    this.stop(1);
  }

  /** Prints the panic line and stops; a machine already halted says nothing more (no line follows its end). */
  panic(reason: string): void {
    if (!this.running) return;
    this.console.write(`Kernel panic - not syncing: ${reason}\n`);
    this.stop(PANIC_STATUS);
  }

  private stop(status: number): void {
    if (!this.running) return;
    this.running = false;
    // Rejections of this turn are still the machine's (and ignored now that it is off).
    host.clock.nextTurn(this.stopWatchingRejections);
    this.timer.stopAll();
    this.console.endInput();
    this.channel.close();
    this.resolveHalted(status);
  }
}

/** A thrown value's message for a panic line; never throws, whatever was thrown. */
function describe(error: unknown): string {
  try {
    return String((error as Error)?.message ?? error);
  } catch {
    return 'a value that cannot be read';
  }
}
