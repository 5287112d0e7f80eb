/*
 * The dev loop: boot a kernel, watch the module sources, and hot-swap what changes.
 *
 *   const loop = await startDevLoop({ output: (text) => process.stdout.write(text) });
 *   ...                        // edit modules/kv/index.ts: the running kernel swaps kv
 *   await loop.stop();
 *
 * It builds keel (into memory) with the devload module in etc/modules, boots it, and on every
 * save rebuilds just that module as version <version>-dev.<n>, sends record and bundle
 * through the machine's host channel, and lets devload in the kernel swap it in (state kept)
 * or add it to the index. A build error, or a type error (build/type-check.ts: the saved
 * module is checked against the others before it is sent), is printed and nothing is sent: the
 * kernel keeps running the version it has. The first build type-checks every module, as
 * npm start's does.
 */
import path from 'node:path';
import { createFsFromVolume, Volume } from 'memfs';
import { build } from '../build.ts';
import { modulePath } from '../ramdisk/module-index.ts';
import type { BuiltModule } from '../build/module-bundle.ts';
import { signRecord } from '../build/module-signing.ts';
import { typeCheckModules, typeErrorMessage } from '../build/type-check.ts';
import { DEFAULT_CMDLINE } from '../emulator/machine.ts';
import type { ConsoleMode } from '../emulator/devices/console-device.ts';
import { sharedBytes } from '../emulator/built-files.ts';
import { MachineThread } from '../emulator/machine-thread.ts';
import { PROJECT_ROOT } from '../build/paths.ts';
import { ModuleWatcher } from './module-watcher.ts';

export interface DevLoopOptions {
  moduleDirs?: string[];
  output: (text: string) => void;
  cmdline?: string;
  memoryBytes?: number;
  /** Who is at the console, and how a terminal hears that a read waits (emulator/terminal.ts). */
  consoleMode?: ConsoleMode;
  onRead?: (prompt: string, linesTaken: number) => void;
  /** Seconds a stuck machine may go without a heartbeat before the watchdog panics it (0: off). */
  watchdogSeconds?: number;
  /** The machine thread's heap limit in MiB (MachineThread's heapMegabytes). */
  heapMegabytes?: number;
}

export interface DevLoop {
  machine: MachineThread;
  stop(): Promise<void>;
}

export async function startDevLoop(options: DevLoopOptions): Promise<DevLoop> {
  const moduleDirs = options.moduleDirs ?? [path.join(PROJECT_ROOT, 'modules')];
  const volume = new Volume();
  await build({ fs: createFsFromVolume(volume) as never, outDir: '/dist', moduleDirs, etcModules: ['devload'], quiet: true, typeCheck: true });
  let machine: MachineThread | undefined;
  let rebuilds = 0;
  /** Saves are checked and sent one at a time, in the order they were built: a quick check of a later save never overtakes a slow one. */
  let sending = Promise.resolve();
  const send = async ({ record, code }: BuiltModule, folder: string) => {
    const typeErrors = await typeCheckModules([folder], moduleDirs).catch((error: Error) => [error.message]);
    if (typeErrors.length > 0) {
      options.output(`dev: ${typeErrorMessage(typeErrors, `in ${record.name}, the running version stays`)}\n`);
      return;
    }
    const version = `${record.version}-dev.${++rebuilds}`;
    options.output(`dev: rebuilt ${record.name} as ${version}, sending it to the kernel\n`);
    const devRecord = { ...record, version, path: modulePath(record.name, version) };
    machine?.channel.send(JSON.stringify({ ...devRecord, signature: signRecord(devRecord) }), code);
  };
  const watcher = new ModuleWatcher(moduleDirs, {
    rebuilt(module, folder) {
      sending = sending.then(() => send(module, folder));
    },
    failed(message) {
      options.output(`dev: build failed, the running version stays: ${message}\n`);
    },
  });
  await watcher.start();
  options.output(`dev: watching ${moduleDirs.map((folder) => path.relative(process.cwd(), folder) || '.').join(', ')}: save a module to swap it into the running kernel\n`);
  // The machine runs in its own thread: a module that never returns is the watchdog's, not the terminal's.
  machine = new MachineThread({
    image: volume.readFileSync('/dist/boot.img') as Uint8Array,
    initrd: sharedBytes(volume.readFileSync('/dist/initrd.cpio') as Uint8Array),
    cmdline: options.cmdline ?? DEFAULT_CMDLINE,
    memoryBytes: options.memoryBytes,
    output: options.output,
    consoleMode: options.consoleMode,
    onRead: options.onRead,
    watchdogSeconds: options.watchdogSeconds ?? 10,
    heapMegabytes: options.heapMegabytes,
  });
  const running = machine;
  void running.halted.then(() => watcher.stop(), () => watcher.stop());
  return {
    machine: running,
    async stop() {
      await watcher.stop();
      running.console.endInput();
      await running.halted;
    },
  };
}
