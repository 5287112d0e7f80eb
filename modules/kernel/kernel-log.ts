/*
 * The kernel log: printk and the ring buffer that `dmesg` reads.
 *
 * Lines carry the time since power-on as Linux prints it ("[    0.004211] ..."). The buffer
 * keeps the newest lines up to a fixed count, so a long-running kernel cannot grow it without
 * bound. With `quiet` on the command line, informational lines go only to the buffer; warnings
 * and errors still reach the console, as with Linux's loglevel. The lines and the quiet flag
 * are a LogTable of plain data, which the log works on: the kernel's tables hold it.
 */
import type { MachineInterface } from '../../emulator/machine-interface.ts';
import { visibleText } from '../../ramdisk/visible-text.ts';

const RING_LINES = 1000;

export type LogLevel = 'info' | 'warn' | 'error';

/** The longest a thrown value that is no Error is shown, as JSON, in a log line. */
const VALUE_CHARS = 200;

/**
 * What a log line says of something thrown: its message, or the value itself if it is no Error
 * (an object as JSON, `{"code":"EPROBE"}`, cut at 200 characters, not "[object Object]"); never throws.
 */
export function messageOf(error: unknown): string {
  try {
    if (error !== null && typeof error === 'object' && !('message' in error) && Object.getPrototypeOf(error) === Object.prototype) {
      const json = JSON.stringify(error);
      return json.length > VALUE_CHARS ? `${json.slice(0, VALUE_CHARS)}...` : json;
    }
    return String((error as Error)?.message ?? error);
  } catch {
    // A Proxy whose traps throw, a getter that throws, an object with no toString: say so instead.
    return 'a value that cannot be read';
  }
}

/** The ring buffer's lines, oldest first, and whether informational lines stay off the console. */
export interface LogTable {
  lines: string[];
  quiet: boolean;
}

export class KernelLog {
  readonly #lines: string[];
  readonly #machine: MachineInterface;

  constructor(
    machine: MachineInterface,
    readonly table: LogTable,
  ) {
    this.#machine = machine;
    this.#lines = table.lines;
  }

  get quiet(): boolean {
    return this.table.quiet;
  }

  set quiet(quiet: boolean) {
    this.table.quiet = quiet;
  }

  printk = (message: string, level: LogLevel = 'info'): void => {
    const seconds = (this.#machine.timer.now() / 1000).toFixed(6).padStart(12);
    // A message may carry names and text from the ramdisk: no control character reaches the console raw.
    const line = `[${seconds}] ${visibleText(message)}`;
    this.#lines.push(line);
    if (this.#lines.length > RING_LINES) this.#lines.shift();
    if (level !== 'info' || !this.table.quiet) this.#machine.console.write(line + '\n');
  };

  dmesg = (): string[] => [...this.#lines];
}
