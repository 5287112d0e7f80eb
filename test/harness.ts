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
import { createFsFromVolume, Volume } from 'memfs';
import { build, type BuildOptions, type BuildResult } from '../build.ts';
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
  private waiting: (() => void) | null = null;
  readonly machine: Machine;

  constructor(image: Uint8Array, initrd: Uint8Array, options: BootOptions) {
    this.machine = new Machine({
      image, initrd, memoryBytes: options.memoryBytes, cmdline: options.cmdline ?? 'init=shell quiet',
      output: (text) => {
        this.output += text;
        if (this.output.endsWith(PROMPT) && this.waiting) this.waiting();
      },
    });
  }

  /** Everything the console has shown so far. */
  get console(): string {
    return this.output;
  }

  /** Resolves once the shell shows its prompt (the machine is booted and idle). */
  async ready(): Promise<void> {
    if (!this.output.endsWith(PROMPT)) await this.untilPrompt();
  }

  /** Types a command line and returns what it printed before the next prompt. */
  async run(line: string): Promise<string> {
    await this.ready();
    const start = this.output.length;
    const prompt = this.untilPrompt();
    this.machine.console.type(line);
    await prompt;
    return this.output.slice(start, this.output.length - PROMPT.length);
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
  const files = { image: built.image.slice(), initrd: built.initrd.slice() };
  options.tamper?.(files);
  const kernel = new TestKernel(files.image, files.initrd, options);
  kernel.machine.powerOn();
  await kernel.ready();
  return kernel;
}
