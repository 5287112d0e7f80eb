/*
 * npm run dev [-- --mem 64M --cmdline "init=shell quiet"]: boot keel with its interactive
 * shell and hot-swap every module you save (dev/dev-loop.ts). Ctrl-D or `halt` to leave.
 */
import { parseArgs } from 'node:util';
import { startDevLoop } from './dev/dev-loop.ts';
import { BuildError } from './build/esbuild-bundle.ts';
import { BootError } from './emulator/firmware.ts';
import { DEFAULT_CMDLINE, PANIC_STATUS } from './emulator/machine.ts';
import { attachTerminal, parseMemorySize, stdinIsTerminal } from './emulator/terminal.ts';

const { values } = parseArgs({ options: { mem: { type: 'string', default: '64M' }, cmdline: { type: 'string', default: DEFAULT_CMDLINE } } });

try {
  const loop = await startDevLoop({
    output: (text) => process.stdout.write(text),
    cmdline: values.cmdline,
    memoryBytes: parseMemorySize(values.mem),
    echoInput: !stdinIsTerminal(),
  });
  attachTerminal(loop.machine);
  process.exit(await loop.machine.halted);
} catch (error) {
  if (error instanceof BuildError) console.error(`dev: build failed: ${error.message}`);
  else console.error(error instanceof BootError ? `dev: boot failed: ${error.message}` : error);
  process.exit(PANIC_STATUS);
}
