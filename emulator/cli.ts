/*
 * The host's command line: boot a built keel in the emulator.
 *
 *   npm run boot -- [--dist DIR] [--mem 64M] [--cmdline "init=shell"] [--exec "cmd; cmd"] [--watchdog 10]
 *
 * With --exec the shell runs the commands, prints their output and halts; the exit status is
 * 0 if all succeeded, 1 if one failed, 2 if the machine could not boot or panicked. Without
 * it the console is interactive (node:readline); Ctrl-D or `halt` leaves. The machine runs in
 * a thread of its own; if it stops answering for --watchdog seconds (a module in an endless
 * loop), the watchdog panics it, naming the module that was running (0 turns it off).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BootImageError } from './boot-image.ts';
import { BootError } from './firmware.ts';
import { MachineThread } from './machine-thread.ts';
import { DEFAULT_CMDLINE, PANIC_STATUS } from './machine.ts';
import { attachTerminal, parseMemorySize, stdinIsTerminal } from './terminal.ts';

const USAGE = 'usage: npm run boot -- [--dist DIR] [--mem SIZE] [--cmdline "..."] [--exec "cmd; cmd"] [--watchdog SECONDS]';
const DEFAULT_WATCHDOG_SECONDS = '10';

function readFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch {
    throw new BootError(`cannot read ${file} (run npm run build first)`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { dist: { type: 'string', default: 'dist' }, mem: { type: 'string', default: '64M' }, cmdline: { type: 'string', default: DEFAULT_CMDLINE }, exec: { type: 'string' }, watchdog: { type: 'string', default: DEFAULT_WATCHDOG_SECONDS }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const watchdogSeconds = Number(values.watchdog);
  if (!(watchdogSeconds >= 0)) throw new BootError(`--watchdog ${values.watchdog}: expected a number of seconds (0: off)`);
  const interactive = values.exec === undefined && stdinIsTerminal();
  const machine = new MachineThread({
    image: readFile(path.join(values.dist, 'boot.img')),
    initrd: readFile(path.join(values.dist, 'initrd.cpio')),
    memoryBytes: parseMemorySize(values.mem),
    cmdline: values.cmdline,
    output: (text) => process.stdout.write(text),
    echoInput: !interactive,
    watchdogSeconds,
    endWhenStuck: values.exec !== undefined,
  });
  if (values.exec !== undefined) {
    machine.console.type(values.exec);
    machine.console.endInput();
  } else {
    attachTerminal(machine);
  }
  return machine.halted;
}

main().then(
  (status) => process.exit(status),
  (error: Error) => {
    const known = error instanceof BootError || error instanceof BootImageError;
    console.error(known ? `keel: boot failed: ${error.message}` : error);
    process.exit(PANIC_STATUS);
  },
);
