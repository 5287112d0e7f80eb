/*
 * The console end a terminal drives — a Machine's console, a MachineThread's or a
 * BrowserMachineThread's — apart from either terminal (terminal.ts under Node, line-terminal.ts
 * in a browser tab), so that code for the browser can name it without taking in node:readline.
 */
import type { Completion } from './machine-interface.ts';

export interface TerminalConsole {
  type(line: string, atPrompt?: boolean): void;
  endInput(): void;
  interrupt(): void;
  complete(line: string): Promise<Completion>;
}
