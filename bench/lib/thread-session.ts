/*
 * A machine in a worker thread with nobody watching it — as `npm start -- --exec` runs one, no
 * page, no debugger (unless one is given) — driven from the benchmark: type a line, read what
 * it printed before the next prompt. The baseline of the web page figure
 * (bench/figures/web-page.ts), and with a debugger its machine watched by the server alone.
 */
import type { LineWork, MachineDebugger } from '../../emulator/machine-messages.ts';
import { MachineThread } from '../../emulator/machine-thread.ts';

const PROMPT = 'keel# ';

export interface ThreadSession {
  run(line: string): Promise<string>;
  /** The machine thread's own time for the last line run (ToHost's read). */
  lastWork(): LineWork | null;
  powerOff(): Promise<void>;
}

export async function startThreadSession(image: Uint8Array, initrd: Uint8Array, memoryBytes: number, debug?: MachineDebugger): Promise<ThreadSession> {
  let output = '';
  let reading: (() => void) | null = null;
  let lastWork: LineWork | null = null;
  // A command is done when the shell reads the next line: the read comes after the prompt's output, with the machine's own time for the line.
  const machine = new MachineThread({
    image, initrd, memoryBytes, cmdline: 'init=shell quiet', consoleMode: 'plain', watchdogSeconds: 10, debugger: debug,
    output: (text) => (output += text),
    onRead(_prompt, _linesTaken, work) {
      lastWork = work;
      reading?.();
    },
  });
  const untilRead = () => new Promise<void>((resolve) => (reading = resolve));
  await untilRead();
  return {
    async run(line) {
      const start = output.length;
      const done = untilRead();
      machine.console.type(line);
      await done;
      return output.slice(start, output.length - PROMPT.length).trim();
    },
    lastWork: () => lastWork,
    powerOff: () => machine.powerOff(),
  };
}
