/*
 * The test harness: build keel into a memfs volume and boot it in-process, then drive the
 * shell as a user would.
 *
 *   const kernel = await bootKernel();
 *   const output = await kernel.run('modprobe hello; lsmod');
 *   await kernel.halt();
 *
 * Builds are cached per set of options, so a test file pays for esbuild once.
 */
import path from 'node:path';
import { createFsFromVolume, Volume } from 'memfs';
import { build, PROJECT_ROOT, type BuildOptions, type BuildResult } from '../build.ts';
import { Machine } from '../emulator/machine.ts';

const PROMPT = 'keel# ';
const builds = new Map<string, Promise<{ image: Uint8Array; initrd: Uint8Array; result: BuildResult }>>();

/** Builds into a fresh memfs volume and reads the image and ramdisk back from it. */
export function buildInMemory(options: Omit<BuildOptions, 'fs' | 'outDir'> = {}) {
  const key = JSON.stringify(options);
  let cached = builds.get(key);
  if (!cached) {
    cached = (async () => {
      const volume = new Volume();
      const result = await build({ ...options, fs: createFsFromVolume(volume) as never, outDir: '/dist', quiet: true });
      return { image: volume.readFileSync('/dist/boot.img') as Uint8Array, initrd: volume.readFileSync('/dist/initrd.cpio') as Uint8Array, result };
    })();
    builds.set(key, cached);
  }
  return cached;
}

export interface BootOptions {
  build?: Omit<BuildOptions, 'fs' | 'outDir'>;
  cmdline?: string;
  memoryBytes?: number;
  /** Changes the built ramdisk (or image) before boot, e.g. to corrupt a module. */
  tamper?: (files: { image: Uint8Array; initrd: Uint8Array }) => void;
}

export class TestKernel {
  private output = '';
  /** Whether the shell has shown its prompt since the last line was typed. */
  private idle = false;
  private waiting: (() => void) | null = null;
  readonly machine: Machine;

  constructor(image: Uint8Array, initrd: Uint8Array, options: BootOptions) {
    this.machine = new Machine({
      image, initrd, memoryBytes: options.memoryBytes, cmdline: options.cmdline ?? 'init=shell quiet',
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

/** Builds (cached) and boots a kernel in-process; resolves when the shell prompt is up. */
export async function bootKernel(options: BootOptions = {}): Promise<TestKernel> {
  const built = await buildInMemory(options.build);
  const files = { image: new Uint8Array(built.image), initrd: new Uint8Array(built.initrd) };
  options.tamper?.(files);
  const kernel = new TestKernel(files.image, files.initrd, options);
  kernel.machine.powerOn();
  await kernel.ready();
  return kernel;
}

/** The project's modules plus the test fixtures (provider, consumer, leaky, churn, ...). */
export const WITH_FIXTURES = { moduleDirs: [path.join(PROJECT_ROOT, 'modules'), path.join(PROJECT_ROOT, 'test/fixtures/modules')] };

/** Runs `line` until its output matches `pattern` (polling, for things timers do). */
export async function runUntil(kernel: TestKernel, line: string, pattern: RegExp, attempts = 100): Promise<string> {
  let output = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    output = await kernel.run(line);
    if (pattern.test(output)) return output;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`"${line}" never matched ${pattern}; last output:\n${output}`);
}

/** Used and free frame counts, and module data frames, as `free` shows them. */
export async function frameCounts(kernel: TestKernel): Promise<{ used: number; free: number; moduleText: number; moduleData: number }> {
  const output = await kernel.run('free');
  const [, used, free] = /^Frames:\s+\d+\s+(\d+)\s+(\d+)/m.exec(output)!;
  return { used: Number(used), free: Number(free), moduleText: Number(/module text (\d+)/.exec(output)![1]), moduleData: Number(/module data (\d+)/.exec(output)![1]) };
}
