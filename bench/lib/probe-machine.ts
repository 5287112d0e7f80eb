/*
 * What the benchmark's probes share — each a process of its own that boots one machine and
 * reports on it (peak-memory-probe.ts, zombie-holders-probe.ts): the machine at the console,
 * and the process's peak resident set.
 *
 *   const { machine, untilPrompt } = probeMachine(dist);
 *   await untilPrompt();                 // power on, up to the first prompt
 *   const lsmod = await untilPrompt('lsmod');
 *
 * The peak is VmHWM from /proc/self/status, not resourceUsage().maxRSS: on Linux a child's
 * maxRSS starts from its parent's RSS at fork and survives exec, so a probe spawned by a large
 * benchmark process would report the benchmark's peak. maxRSS is the fallback elsewhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Machine } from '../../emulator/machine.ts';

const PROMPT = 'keel# ';

export interface ProbeMachine {
  machine: Machine;
  /** Types a line (or, without one, powers on) and returns what was printed up to the next prompt, the prompt left out. */
  untilPrompt(line?: string): Promise<string>;
}

/** A machine booting the boot.img and initrd.cpio in `dist`, not yet powered on. */
export function probeMachine(dist: string, memoryBytes?: number): ProbeMachine {
  let output = '';
  let atPrompt = () => {};
  const machine = new Machine({
    image: readFileSync(path.join(dist, 'boot.img')),
    initrd: readFileSync(path.join(dist, 'initrd.cpio')),
    memoryBytes,
    output: (text) => {
      output += text;
      if (output.endsWith(PROMPT)) atPrompt();
    },
  });
  const untilPrompt = async (line?: string) => {
    const start = output.length;
    const prompt = new Promise<void>((resolve) => (atPrompt = resolve));
    if (line === undefined) machine.powerOn();
    else machine.console.type(line);
    await prompt;
    return output.slice(start, output.length - PROMPT.length);
  };
  return { machine, untilPrompt };
}

/** The peak resident set since start, or since the last resetPeak (Linux's VmHWM); elsewhere the process's whole peak, an overestimate. */
export function peakRss(): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  } catch {
    return process.resourceUsage().maxRSS * 1024;
  }
}

/** Starts the peak over from the resident set now (Linux: "5" to /proc/self/clear_refs); elsewhere nothing. */
export function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux: the peak stays the whole process's.
  }
}
