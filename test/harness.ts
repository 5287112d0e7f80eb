/*
 * The test harness: build keel into a memfs volume and boot it in-process, then drive the
 * shell as a user would.
 *
 *   const kernel = await bootKernel();
 *   const output = await kernel.run('modprobe hello; lsmod');
 *   await kernel.halt();
 *
 * For module authors, a few steps in one line each:
 *
 *   const kernel = await bootKernel({ modules: [myModulesDir] });   // the project's modules and yours
 *   await kernel.call('kv', 'set', 'colour', 'blue');              // → the result, parsed; throws if the call fails
 *   await kernel.swap('kv');                                       // → the swap's one-line report; throws if refused or rolled back
 *   expect(await kernel.unloadGivesMemoryBack('kv')).toBe(true);   // rmmod, every frame it owned is free again
 *   expect(await kernel.zombieHolders('kv')).toEqual([]);          // and the host collected all its code (else: what holds it)
 *
 * Builds are cached per set of options: the common ones are made once per test run, the others
 * once per test file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, type BuildOptions, type BuildResult } from '../build.ts';
import type { DebugListener } from '../emulator/devices/debug-device.ts';
import { Machine } from '../emulator/machine.ts';
import { buildIntoMemory, optionsKey, readPrebuilt, WITH_FIXTURES, type SharedBuildOptions } from './prebuilt.ts';

const PROMPT = 'keel# ';
const FRAME_BYTES = 4096;
const builds = new Map<string, Promise<{ image: Uint8Array; initrd: Uint8Array; result: BuildResult }>>();

/**
 * Builds into a fresh memfs volume (nothing on disk); `rebuild` skips the caches. The builds
 * most tests use are made once for the whole test run (test/prebuilt.ts), the others once per
 * test file.
 */
export function buildInMemory(options: SharedBuildOptions = {}, rebuild = false) {
  const key = optionsKey(options);
  let cached = rebuild ? undefined : builds.get(key);
  if (!cached) {
    cached = (async () => {
      const result = (!rebuild && readPrebuilt(options)) || (await buildIntoMemory(options));
      return { image: result.image, initrd: result.initrd, result };
    })();
    builds.set(key, cached);
  }
  return cached;
}

/** Writes a build's boot.img and initrd.cpio into `folder`, for tests that run the CLI on it. */
export async function writeBuild(folder: string, options: SharedBuildOptions = {}): Promise<void> {
  const { image, initrd } = await buildInMemory(options);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'boot.img'), image);
  writeFileSync(path.join(folder, 'initrd.cpio'), initrd);
}

export interface BootOptions {
  build?: Omit<BuildOptions, 'fs' | 'outDir'>;
  /** More module folders to build beside the project's modules/ (or build.moduleDirs), e.g. a test's temporary one. */
  modules?: string[];
  /** Build afresh, not from the cache: the module sources changed since the last build with these options. */
  rebuild?: boolean;
  cmdline?: string;
  memoryBytes?: number;
  /** Changes the built ramdisk (or image) before boot, e.g. to corrupt a module. */
  tamper?: (files: { image: Uint8Array; initrd: Uint8Array }) => void;
  /** Hears what the kernel says on the debug device (owner names, module events). */
  debugListener?: DebugListener;
}

export class TestKernel {
  private output = '';
  /** Whether the shell has shown its prompt since the last line was typed. */
  private idle = false;
  private waiting: (() => void) | null = null;
  readonly machine: Machine;

  constructor(image: Uint8Array, initrd: Uint8Array, options: BootOptions) {
    this.machine = new Machine({
      image, initrd, memoryBytes: options.memoryBytes, cmdline: options.cmdline ?? 'init=shell quiet', debugListener: options.debugListener,
      output: (text) => {
        this.output += text;
        if (!this.output.endsWith(PROMPT)) return;
        this.idle = true;
        this.waiting?.();
      },
    });
  }

  /** Everything the console has shown so far. */
  get console(): string {
    return this.output;
  }

  /** Resolves once the shell shows its prompt (the machine is booted and idle). */
  async ready(): Promise<void> {
    if (!this.idle) await this.untilPrompt();
  }

  /** Types a command line and returns what it printed before the next prompt. */
  async run(line: string): Promise<string> {
    await this.ready();
    this.idle = false;
    const start = this.output.length;
    const prompt = this.untilPrompt();
    this.machine.console.type(line);
    await prompt;
    return this.output.slice(start, this.output.lastIndexOf(PROMPT));
  }

  /**
   * Calls an export through the kernel, as the shell's `call` does (loading the module if
   * needed), and returns its result parsed from the printed JSON (undefined when it prints nothing).
   * Arguments are sent as JSON. Throws an Error with the printed line if the call fails.
   */
  async call(module: string, symbol: string, ...args: unknown[]): Promise<unknown> {
    // In the shell's single quotes every character is literal; a quote inside a JSON string becomes \u0027.
    const words = args.map((argument) => `'${JSON.stringify(argument).replaceAll("'", '\\u0027')}'`);
    const output = await this.run(['call', module, symbol, ...words].join(' '));
    const printed = output.trimEnd().split('\n').pop() ?? '';
    if (printed.startsWith('call: ')) throw new Error(printed);
    return printed === '' ? undefined : JSON.parse(printed);
  }

  /** Used and free frames, and module text and data frames, as `free` shows them. */
  frames(): ReturnType<typeof frameCounts> {
    return frameCounts(this);
  }

  /**
   * Unloads a loaded module with rmmod and says whether exactly the frames it owned (its
   * lsmod size: text and data) became free. Throws if it is not loaded or rmmod refuses.
   */
  async unloadGivesMemoryBack(name: string): Promise<boolean> {
    const row = new RegExp(`^${name}\\s+(\\d+) `, 'm').exec(await this.run('lsmod'));
    if (!row) throw new Error(`${name} is not loaded`);
    const owned = Number(row[1]) / FRAME_BYTES;
    const before = await this.frames();
    const refusal = await this.run(`rmmod ${name}`);
    if (refusal) throw new Error(refusal.trimEnd());
    const after = await this.frames();
    return after.used === before.used - owned && after.moduleText + after.moduleData === before.moduleText + before.moduleData - owned;
  }

  /**
   * Swaps a loaded module to `version` (default: the newest) and returns the swap's one-line
   * report. Throws an Error with that line if the swap was refused or rolled back, as `call`
   * throws for a call that failed.
   */
  async swap(name: string, version?: string): Promise<string> {
    const report = (await this.run(version ? `swap ${name} ${version}` : `swap ${name}`)).trimEnd();
    if (!/^swap: \S+ \S+ -> \S+: quiescent in /.test(report.split('\n').pop()!)) throw new Error(report);
    return report;
  }

  /**
   * What holds the code of module `name` that the host has not collected (of every zombie,
   * without a name): one "held by <module>: <path>" line per zombie version, as the shell's
   * `zombies -w` says it, after waiting for the reclaim monitor to settle what was let go of.
   * Empty when every version of it unloaded or replaced was collected — what a module's test
   * asserts: `expect(await kernel.zombieHolders('mymodule')).toEqual([])`.
   */
  async zombieHolders(name?: string): Promise<string[]> {
    const output = await this.run(name ? `zombies -w ${name}` : 'zombies -w');
    // Lines the kernel printed meanwhile (a zombie found) begin with "keel: ".
    return output.split('\n').flatMap((line) => /^(?!keel: )[^:]+: ((?:held by|holder unknown).*)$/.exec(line)?.[1] ?? []);
  }

  /** Ends console input (Ctrl-D) and returns the machine's exit status. */
  async halt(): Promise<number> {
    this.machine.console.endInput();
    return this.machine.halted;
  }

  private untilPrompt(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting = () => {
        this.waiting = null;
        resolve();
      };
      void this.machine.halted.then(() => reject(new Error(`machine halted; console:\n${this.output}`)));
    });
  }
}

/** The build options with `modules` added to the module folders (each folder once). */
function withModules({ build: options, modules = [] }: BootOptions): BootOptions['build'] {
  if (modules.length === 0) return options;
  const moduleDirs = [...(options?.moduleDirs ?? [path.join(PROJECT_ROOT, 'modules')]), ...modules].map((folder) => path.resolve(folder));
  return { ...options, moduleDirs: [...new Set(moduleDirs)] };
}

/** Builds (cached) and boots a kernel in-process; resolves when the shell prompt is up. */
export async function bootKernel(options: BootOptions = {}): Promise<TestKernel> {
  const built = await buildInMemory(withModules(options), options.rebuild);
  const files = { image: new Uint8Array(built.image), initrd: new Uint8Array(built.initrd) };
  options.tamper?.(files);
  const kernel = new TestKernel(files.image, files.initrd, options);
  kernel.machine.powerOn();
  await kernel.ready();
  return kernel;
}

export { WITH_FIXTURES };

/**
 * Runs `line` until its output matches `pattern` (polling, for things timers do). It sets no
 * limit of its own: on a loaded machine a timer may take long, and the test runner's timeout
 * is the one limit (its message then shows the last output).
 */
export async function runUntil(kernel: TestKernel, line: string, pattern: RegExp): Promise<string> {
  for (;;) {
    const output = await kernel.run(line);
    if (pattern.test(output)) return output;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Used and free frame counts, and module data frames, as `free` shows them. */
export async function frameCounts(kernel: TestKernel): Promise<{ used: number; free: number; moduleText: number; moduleData: number }> {
  const output = await kernel.run('free');
  const [, used, free] = /^Frames:\s+\d+\s+(\d+)\s+(\d+)/m.exec(output)!;
  return { used: Number(used), free: Number(free), moduleText: Number(/module text (\d+)/.exec(output)![1]), moduleData: Number(/module data (\d+)/.exec(output)![1]) };
}
