/*
 * npm run dev [-- --mem 64M --cmdline "init=shell quiet"]: boot keel with its interactive
 * shell and hot-swap every module you save (dev/dev-loop.ts). Ctrl-D or `halt` to leave.
 */
import { startDevLoop } from './dev/dev-loop.ts';
import { BuildError } from './build/esbuild-bundle.ts';
import { BootError } from './emulator/firmware.ts';
import { PANIC_STATUS } from './emulator/machine.ts';
import { COMMAND_LINE_OPTION, HEAP_OPTION, WATCHDOG_OPTION, readWatchdogSeconds } from './emulator/machine-options.ts';
import { parseHeapSize, parseMemorySize } from './emulator/memory-size.ts';
import { feedLines, Terminal } from './emulator/terminal.ts';
import { readArguments } from './scripts/arguments.ts';

const { values } = readArguments<{ mem: string; cmdline: string; watchdog: string; heap: string }>({
  name: 'npm run dev',
  summary: 'Boots keel with its shell and watches modules/: a module you save is rebuilt and hot-swapped into the running kernel.',
  options: {
    mem: { type: 'string', value: 'SIZE', default: '64M', description: 'physical memory: bytes, or K, M, G' },
    ...COMMAND_LINE_OPTION,
    ...WATCHDOG_OPTION,
    ...HEAP_OPTION,
  },
});

try {
  const watchdogSeconds = readWatchdogSeconds(values.watchdog, (problem) => {
    throw new BootError(problem);
  });
  const interactive = process.stdin.isTTY === true;
  const terminal = interactive ? new Terminal({ input: process.stdin, output: process.stdout }) : undefined;
  const loop = await startDevLoop({
    output: terminal?.write ?? ((text) => process.stdout.write(text)),
    onRead: terminal?.reading,
    cmdline: values.cmdline,
    memoryBytes: parseMemorySize(values.mem),
    heapMegabytes: parseHeapSize(values.heap),
    consoleMode: interactive ? 'terminal' : 'transcript',
    watchdogSeconds,
  });
  if (terminal) terminal.connect(loop.machine.console, loop.machine.halted);
  else feedLines(loop.machine.console, loop.machine.halted, process.stdin);
  process.exit(await loop.machine.halted);
} catch (error) {
  if (error instanceof BuildError) console.error(`dev: build failed: ${error.message}`);
  else console.error(error instanceof BootError ? `dev: boot failed: ${error.message}` : error);
  process.exit(PANIC_STATUS);
}
