/*
 * A machine in a worker thread with nobody watching it — as `npm start -- --exec` runs one, no
 * page, no debugger — driven from the benchmark: type a line, read what it printed before the
 * next prompt. The baseline of the web page figure (bench/figures/web-page.ts).
 */
import { MachineThread } from '../../emulator/machine-thread.ts';

const PROMPT = 'keel# ';

export interface ThreadSession {
  run(line: string): Promise<string>;
  powerOff(): Promise<void>;
}

export async function startThreadSession(image: Uint8Array, initrd: Uint8Array, memoryBytes: number): Promise<ThreadSession> {
  let output = '';
  let prompted: (() => void) | null = null;
  const machine = new MachineThread({
    image, initrd, memoryBytes, cmdline: 'init=shell quiet', consoleMode: 'plain', watchdogSeconds: 10,
    output(text) {
      output += text;
      if (output.endsWith(PROMPT)) prompted?.();
    },
  });
  const untilPrompt = () => new Promise<void>((resolve) => (prompted = resolve));
  if (!output.endsWith(PROMPT)) await untilPrompt();
  return {
    async run(line) {
      const start = output.length;
      const done = untilPrompt();
      machine.console.type(line);
      await done;
      return output.slice(start, output.length - PROMPT.length).trim();
    },
    powerOff: () => machine.powerOff(),
  };
}
