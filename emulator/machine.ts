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
import { cryptoDevice, hostDevice } from './devices/host-device.ts';
import { Timer } from './devices/timer-device.ts';
import { Watchdog } from './devices/watchdog-device.ts';
import { BootError, loadKernel } from './firmware.ts';
import { FRAME_SIZE, type MachineInterface, type TimerDevice } from './machine-interface.ts';
import { createSandbox, type Sandbox } from './sandbox.ts';

export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CMDLINE = 'init=shell quiet';
export const PANIC_STATUS = 2;

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
}

/** A timer device the machine can stop at halt, so that a halted machine leaves nothing running. */
export interface MachineTimer extends TimerDevice {
  stopAll(): void;
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
  /** Everything written to the console, when no output function was given. */
  output = '';
  /** Resolves with the exit status once the machine halts or panics. */
  readonly halted: Promise<number>;
  private resolveHalted!: (status: number) => void;
  private running = false;

  constructor(private readonly options: MachineOptions) {
    const memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    if (memoryBytes % FRAME_SIZE !== 0 || memoryBytes <= 0) {
      throw new BootError(`memory size must be a positive multiple of ${FRAME_SIZE} bytes, not ${memoryBytes}`);
    }
    this.memory = this.sandbox.allocate(memoryBytes);
    this.timer = options.timer ?? new Timer();
    this.watchdog = new Watchdog(this.sandbox.allocateShared(2), options.onModuleName);
    this.console = new Console(options.output ?? ((text) => (this.output += text)), options.console);
    this.halted = new Promise((resolve) => (this.resolveHalted = resolve));
  }

  /** The interface handed to the kernel: devices as plain functions, rebuilt inside the sandbox. */
  private machineInterface(): MachineInterface {
    return this.sandbox.adopt({
      memory: this.memory,
      console: { write: this.console.write, readLine: this.console.readLine, interactive: this.console.interactive },
      timer: { now: this.timer.now, setTimer: this.timer.setTimer, clearTimer: this.timer.clearTimer },
      crypto: cryptoDevice,
      channel: { receive: this.channel.receive },
      power: { halt: (status) => this.stop(status), panic: (reason) => this.panic(reason) },
      host: hostDevice,
      watchdog: this.watchdog.device(),
    });
  }

  /** Runs the firmware and the kernel's boot. Image and memory problems throw before any jump. */
  powerOn(): void {
    const { entry, bootInfo } = loadKernel(this.sandbox, this.memory, {
      image: this.options.image,
      initrd: this.options.initrd,
      cmdline: this.options.cmdline ?? DEFAULT_CMDLINE,
    });
    this.running = true;
    if (!this.sandbox.hasImportGuard) {
      this.console.write('keel: warning: node runs without --experimental-vm-modules, so import() inside the sandbox reaches the host\n');
    }
    try {
      entry(this.machineInterface(), bootInfo);
    } catch (error) {
      this.panic(`${(error as Error)?.message ?? String(error)}`);
    }
  }

  panic(reason: string): void {
    this.console.write(`Kernel panic - not syncing: ${reason}\n`);
    this.stop(PANIC_STATUS);
  }

  private stop(status: number): void {
    if (!this.running) return;
    this.running = false;
    this.timer.stopAll();
    this.console.endInput();
    this.channel.close();
    this.resolveHalted(status);
  }
}
