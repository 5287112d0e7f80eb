/*
 * The options every script that boots a machine takes, written once so that each says them the
 * same way and refuses the same values: where the build is (npm run boot, web, site), the
 * kernel command line and the watchdog's period (those and npm run dev), the machine thread's
 * heap (boot, dev, web). Each script's own spec (scripts/arguments.ts) spreads them in beside
 * its own, and reads the watchdog's value with `readWatchdogSeconds`, refusing a bad one its
 * own way (a boot error, a usage error).
 *
 *   options: { ...BUILD_FOLDER_OPTION, mem: { ... }, ...COMMAND_LINE_OPTION, ...WATCHDOG_OPTION }
 */
import { wholeNumberProblem, type ScriptOption } from '../scripts/arguments.ts';
import { DEFAULT_HEAP_MEGABYTES } from './machine-thread.ts';
import { DEFAULT_CMDLINE } from './machine.ts';

/** An hour: a machine stuck longer than that is not worth watching for. */
const MAX_WATCHDOG_SECONDS = 3600;

export const BUILD_FOLDER_OPTION: Record<'dist', ScriptOption> = {
  dist: { type: 'string', value: 'DIR', default: 'dist', description: 'where boot.img and initrd.cpio are' },
};

export const COMMAND_LINE_OPTION: Record<'cmdline', ScriptOption> = {
  cmdline: { type: 'string', value: '"..."', default: DEFAULT_CMDLINE, description: 'the kernel command line' },
};

export const WATCHDOG_OPTION: Record<'watchdog', ScriptOption> = {
  watchdog: { type: 'string', value: 'SECONDS', default: '10', description: 'panic a machine stuck this long, naming the module (0: off)' },
};

export const HEAP_OPTION: Record<'heap', ScriptOption> = {
  heap: { type: 'string', value: 'SIZE', default: `${DEFAULT_HEAP_MEGABYTES}M`, description: "the machine thread's heap (its modules' objects), from 32M; reaching it panics that machine" },
};

/**
 * `--watchdog TEXT` as seconds, a whole number from 0 (off) to an hour; for anything else,
 * `refuse` is given the one line that says why.
 */
export function readWatchdogSeconds(text: string, refuse: (problem: string) => never): number {
  const problem = wholeNumberProblem('watchdog', text, 0, MAX_WATCHDOG_SECONDS);
  return problem === null ? Number(text) : refuse(problem);
}
