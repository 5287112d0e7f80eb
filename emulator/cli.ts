/*
 * The host's command line: boot a built keel in the emulator (`npm run boot -- --help`).
 *
 *   npm run boot -- [--dist DIR] [--mem 64M] [--cmdline "init=shell"] [--exec "cmd; cmd"] [--watchdog 10] [--heap 512M]
 *
 * With --exec the shell runs the commands, prints their output and halts; the exit status is
 * 0 if all succeeded, 1 if one failed, 2 if the machine could not boot or panicked. Without
 * it, at a terminal, the console is interactive (emulator/terminal.ts); Ctrl-D or `halt`
 * leaves, with status 0. Input from a pipe is run as --exec's is. The machine runs in a thread
 * of its own; if it stops answering for --watchdog seconds (a module in an endless loop), the
 * watchdog panics it, naming the module that was running (0 turns it off). Its thread has a heap
 * of --heap; a module that exhausts it panics the machine too (`out of memory: ...`), status 2.
 */
import { readArguments, type ScriptSpec } from '../scripts/arguments.ts';
import { BootImageError } from './boot-image.ts';
import { readBuiltFiles } from './built-files.ts';
import { BootError } from './firmware.ts';
import { MachineThread } from './machine-thread.ts';
import { PANIC_STATUS } from './machine.ts';
import { BUILD_FOLDER_OPTION, COMMAND_LINE_OPTION, HEAP_OPTION, WATCHDOG_OPTION, readWatchdogSeconds } from './machine-options.ts';
import { parseHeapSize, parseMemorySize } from './memory-size.ts';
import { feedLines, Terminal } from './terminal.ts';

const BOOT_SPEC: ScriptSpec = {
  name: 'npm run boot',
  summary: 'Boots a built keel (npm run build) in the emulator: the kernel\'s shell, interactive at a terminal.',
  options: {
    ...BUILD_FOLDER_OPTION,
    mem: { type: 'string', value: 'SIZE', default: '64M', description: 'physical memory: bytes, or K, M, G' },
    ...COMMAND_LINE_OPTION,
    exec: { type: 'string', value: '"cmd; cmd"', description: 'run these shell commands, print their output and halt; exit status 1 if one failed' },
    ...WATCHDOG_OPTION,
    ...HEAP_OPTION,
  },
  examples: ['npm run boot -- --exec "lsmod; modinfo hello"', 'npm run boot -- --mem 16M --cmdline "init=shell autoclean=30"'],
};

async function main(): Promise<number> {
  const { values } = readArguments<{ dist: string; mem: string; cmdline: string; exec?: string; watchdog: string; heap: string }>(BOOT_SPEC);
  const watchdogSeconds = readWatchdogSeconds(values.watchdog, (problem) => {
    throw new BootError(problem);
  });
  const memoryBytes = parseMemorySize(values.mem);
  const heapMegabytes = parseHeapSize(values.heap);
  const interactive = values.exec === undefined && process.stdin.isTTY === true;
  const terminal = interactive ? new Terminal({ input: process.stdin, output: process.stdout }) : undefined;
  const machine = new MachineThread({
    ...readBuiltFiles(values.dist),
    memoryBytes,
    cmdline: values.cmdline,
    output: terminal?.write ?? ((text) => process.stdout.write(text)),
    onRead: terminal?.reading,
    consoleMode: interactive ? 'terminal' : 'transcript',
    watchdogSeconds,
    heapMegabytes,
    endWhenStuck: !interactive,
  });
  if (terminal) terminal.connect(machine.console, machine.halted);
  else if (values.exec !== undefined) {
    machine.console.type(values.exec);
    machine.console.endInput();
  } else feedLines(machine.console, machine.halted, process.stdin);
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
