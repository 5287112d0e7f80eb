/*
 * npm run web: keel in a browser tab — the shell beside a live map of physical memory.
 *
 *   npm run web [-- --port 8080 --host 127.0.0.1 --machines 4 --mem 16M]
 *
 * Serves the page (web/page/, bundled by esbuild when this starts) and gives every page that
 * opens a machine of its own, booted from the build in --dist (`npm run web` builds it first)
 * and run as `npm start` runs one, in a worker thread with the watchdog; closing the page ends
 * it. Listens on 127.0.0.1 only unless --host says otherwise. Ctrl-C stops the server and
 * every machine.
 */
import { BuildError } from './build/esbuild-bundle.ts';
import { BootImageError } from './emulator/boot-image.ts';
import { readBuiltFiles } from './emulator/built-files.ts';
import { BootError } from './emulator/firmware.ts';
import { PANIC_STATUS } from './emulator/machine.ts';
import { BUILD_FOLDER_OPTION, COMMAND_LINE_OPTION, HEAP_OPTION, WATCHDOG_OPTION, readWatchdogSeconds } from './emulator/machine-options.ts';
import { parseHeapSize, parseMemorySize } from './emulator/memory-size.ts';
import { exitWithUsageError, readArguments, wholeNumberProblem, type ScriptSpec } from './scripts/arguments.ts';
import { bundlePage } from './web/server/page-assets.ts';
import { WebServer } from './web/server/web-server.ts';

const WEB_SPEC: ScriptSpec = {
  name: 'npm run web',
  summary: 'Serves keel in a browser tab: the shell beside a live map of the machine\'s physical memory, a machine per open page.',
  options: {
    port: { type: 'string', value: 'PORT', default: '8080', description: 'the port to listen on (0: any free one)' },
    host: { type: 'string', value: 'ADDRESS', default: '127.0.0.1', description: 'the address to listen on (0.0.0.0: every interface)' },
    machines: { type: 'string', value: 'N', default: '4', description: 'machines (open pages) at once; a page past that is refused' },
    ...BUILD_FOLDER_OPTION,
    mem: { type: 'string', value: 'SIZE', default: '16M', description: "physical memory of each machine: bytes, or K, M, G (16M, not npm start's 64M: a map of 4,096 frames a screen shows at a size you can see, and each open page's machine costs a quarter as much)" },
    ...COMMAND_LINE_OPTION,
    ...WATCHDOG_OPTION,
    ...HEAP_OPTION,
  },
  examples: ['npm run web', 'npm run web -- --port 9000 --machines 2 --mem 16M'],
};

type WebValues = { port: string; host: string; machines: string; dist: string; mem: string; cmdline: string; watchdog: string; heap: string };

/** A whole-number option from `min` to `max`, or the script's usage error. */
function wholeNumber(option: string, text: string, min: number, max: number): number {
  const problem = wholeNumberProblem(option, text, min, max);
  if (problem) exitWithUsageError(WEB_SPEC, problem);
  return Number(text);
}

/** The --mem option in bytes (--heap in MiB), or the script's usage error saying why it is not a size a machine can have. */
function memorySize(text: string, parse = parseMemorySize): number {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof BootError) exitWithUsageError(WEB_SPEC, error.message);
    throw error;
  }
}

/** Why the server could not listen, in one line. */
function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  if (error.code === 'EADDRINUSE') return `cannot listen on ${where}: the port is in use (another npm run web? try --port)`;
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') return `cannot listen on ${where}: no such address on this machine`;
  if (error.code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need root)`;
  return `cannot listen on ${where}: ${error.message}`;
}

async function main(): Promise<void> {
  const { values } = readArguments<WebValues>(WEB_SPEC);
  const port = wholeNumber('port', values.port, 0, 65535);
  const maxMachines = wholeNumber('machines', values.machines, 1, 64);
  const watchdogSeconds = readWatchdogSeconds(values.watchdog, (problem) => exitWithUsageError(WEB_SPEC, problem));
  const machine = { memoryBytes: memorySize(values.mem), heapMegabytes: memorySize(values.heap, parseHeapSize), cmdline: values.cmdline, watchdogSeconds, ...readBuiltFiles(values.dist) };
  const server = new WebServer({ machine, assets: await bundlePage(), maxMachines, log: (line) => console.log(`keel: ${line}`) });
  let url: string;
  try {
    ({ url } = await server.listen(port, values.host));
  } catch (error) {
    console.error(`keel: ${listenFailure(error as NodeJS.ErrnoException, values.host, port)}`);
    process.exit(PANIC_STATUS);
  }
  console.log(`keel: open ${url}`);
  process.once('SIGINT', () => {
    const running = server.sessions.size;
    void server.close().then(() => {
      console.log(`keel: stopped${running > 0 ? `, ${running} machine${running === 1 ? '' : 's'} ended` : ''}`);
      process.exit(0);
    });
  });
}

main().catch((error: Error) => {
  const known = error instanceof BootError || error instanceof BootImageError || error instanceof BuildError;
  console.error(known ? `keel: ${error.message}` : error);
  process.exit(PANIC_STATUS);
});
