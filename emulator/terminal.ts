/*
 * The host's terminal, wired to a machine's console: lines typed on stdin go to the console,
 * Ctrl-D ends its input, and the terminal closes when the machine halts. Used by the boot CLI
 * and by the dev loop. Also the memory-size parser both accept (--mem 64M).
 */
import readline from 'node:readline';
import { BootError } from './firmware.ts';
import type { Machine } from './machine.ts';

/** Whether stdin is a person at a terminal (echo is then the terminal's job, not the console's). */
export const stdinIsTerminal = () => process.stdin.isTTY === true;

/** What a terminal drives: a Machine, or a MachineThread. */
export interface ConsoleOwner {
  console: { type(line: string): void; endInput(): void };
  halted: Promise<number>;
}

export function attachTerminal(machine: ConsoleOwner): void {
  const terminal = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: stdinIsTerminal() });
  terminal.on('line', (line) => machine.console.type(line));
  terminal.on('close', () => machine.console.endInput());
  void machine.halted.then(() => terminal.close());
}

/** A kernel panic from an async path the kernel did not catch stops the machine, not the host. */
export function panicOnUnhandledRejection(machine: Machine): void {
  process.on('unhandledRejection', (reason) => machine.panic(`unhandled rejection in the kernel: ${(reason as Error)?.message ?? String(reason)}`));
}

/** "64M", "512K", "1G" or a byte count → bytes. */
export function parseMemorySize(text: string): number {
  const match = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim());
  if (!match) throw new BootError(`--mem ${text}: expected a size such as 64M`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}
