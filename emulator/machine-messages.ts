/*
 * What a machine's thread and the thread that watches it say to each other — the same under
 * Node (machine-thread.ts, machine-worker.ts) and in a browser (browser-machine-thread.ts,
 * browser-machine-worker.ts): console text, reads and completions, module names, the shared
 * words of the watchdog and the debug device, the debugger's reports, the halt status; and
 * the other way console input and host-channel messages. Types, and the one function that
 * hands a report to a debugger.
 */
import type { ConsoleMode } from './devices/console-device.ts';
import type { DebugListener } from './devices/debug-device.ts';
import type { Completion } from './machine-interface.ts';


/**
 * The machine thread's own time for a line, from its arrival in that thread to the next read
 * (its answer sent), by the thread's clock; and of that, where the host can tell
 * (host/host.ts, threadWaiting), the time it was runnable but waited for a CPU — what other
 * threads and processes on the same cores cost it.
 */
export interface LineWork {
  ms: number;
  waitingMs: number | null;
}

/** Hears when a read waits at the console, with its prompt, the lines taken so far, and the machine's work for the line before (null before any line). */
export type ReadListener = (prompt: string, linesTaken: number, work: LineWork | null) => void;

/** The exit status of a machine that panicked (Machine.halted, MachineThread.halted). */
export const PANIC_STATUS = 2;

/** Messages from the machine's thread. */
export type ToHost =
  | { kind: 'output'; text: string }
  | { kind: 'read'; prompt: string; linesTaken: number; work: LineWork | null }
  | { kind: 'completion'; id: number; completion: Completion }
  | { kind: 'module-name'; id: number; name: string | null }
  | { kind: 'watchdog'; words: Int32Array }
  | { kind: 'debug-memory'; frameTable: Int32Array; doorbell: Int32Array }
  | { kind: 'debug'; reports: DebugReport[] }
  | { kind: 'code-bytes'; bytes: number | null }
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
 * What the worker builds its Machine from: the options of machine.ts's MachineOptions that can
 * cross to a thread (spelt out, so that a page's type check of browser-machine-thread.ts takes
 * in nothing of the machine and its host; machine-runner.ts, which hands them to the Machine,
 * checks that they agree), and whether to end the machine once nothing can ever wake it
 * (`endWhenStuck`).
 */
export interface MachineWorkerData {
  image: Uint8Array;
  initrd: Uint8Array;
  memoryBytes?: number;
  cmdline?: string;
  consoleMode?: ConsoleMode;
  endWhenStuck?: boolean;
  debug?: boolean;
}

/** A debugger's end of the machine's debug device, in the host's thread. */
export interface MachineDebugger extends DebugListener {
  /** The kernel's frame table and its doorbell: shared memory the kernel writes while it runs. */
  attach(frameTable: Int32Array, doorbell: Int32Array): void;
  /** The host engine's compiled code in the machine's thread (what `free` prints), a few times a second; null where the host cannot measure it. */
  codeBytes(bytes: number | null): void;
}

/** Hands one report of the debug device to the debugger, if one is attached. */
export function relay(report: DebugReport, debug: MachineDebugger | undefined): void {
  if (report.kind === 'owner-named') debug?.nameOwner(report.id, report.ownerKind, report.label);
  else if (report.kind === 'owner-forgotten') debug?.forgetOwner(report.id);
  else debug?.moduleEvent(report.json);
}

