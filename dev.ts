/*
 * npm run dev [-- --mem 64M --cmdline "init=shell quiet"]: boot keel with its interactive
 * shell and hot-swap every module you save (dev/dev-loop.ts). Ctrl-D or `halt` to leave.
 */
import { startDevLoop } from './dev/dev-loop.ts';
import { BuildError } from './build/esbuild-bundle.ts';
import { BootError } from './emulator/firmware.ts';
import { PANIC_STATUS } from './emulator/machine.ts';
import { COMMAND_LINE_OPTION } from './emulator/machine-options.ts';
import { DEFAULT_HEAP_MEGABYTES } from './emulator/machine-thread.ts';
import { parseHeapSize, parseMemorySize } from './emulator/memory-size.ts';
import { feedLines, Terminal } from './emulator/terminal.ts';
import { readArguments } from './scripts/arguments.ts';

const { values } = readArguments<{ mem: string; cmdline: string; watchdog: string; heap: string }>({
  name: 'npm run dev',
  summary: 'Boots keel with its shell and watches modules/: a module you save is rebuilt and hot-swapped into the running kernel.',
  options: {
    mem: { type: 'string', value: 'SIZE', default: '64M', description: 'physical memory: bytes, or K, M, G' },
    ...COMMAND_LINE_OPTION,
    watchdog: { type: 'string', value: 'SECONDS', default: '10', description: 'panic a machine stuck this long, naming the module (0: off)' },
    heap: { type: 'string', value: 'SIZE', default: `${DEFAULT_HEAP_MEGABYTES}M`, description: "the machine thread's heap (its modules' objects), from 32M; reaching it panics the machine" },
  },
});

try {
  const watchdogSeconds = Number(values.watchdog);
  if (!(watchdogSeconds >= 0)) throw new BootError(`--watchdog ${values.watchdog}: expected a number of seconds (0: off)`);
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
