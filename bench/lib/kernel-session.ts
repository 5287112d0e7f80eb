/*
 * Driving a booted keel from the benchmark, through the test harness's TestKernel: boot built
 * files, and call a module's export with the shell's `call` command, reading its JSON result.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../../build.ts';
import { TestKernel, WITH_FIXTURES } from '../../test/harness.ts';

/** The project's modules, the test fixtures (cycler, churn) and the benchmark's own fixtures. */
export const BENCH_FIXTURES = path.join(PROJECT_ROOT, 'bench/fixtures/modules');
export const WITH_BENCH_FIXTURES = { moduleDirs: [...WITH_FIXTURES.moduleDirs, BENCH_FIXTURES] };

/** Boots a built image and ramdisk; resolves at the shell prompt. */
export async function bootFiles(image: Uint8Array, initrd: Uint8Array, memoryBytes?: number): Promise<TestKernel> {
  const kernel = new TestKernel(image, initrd, { memoryBytes });
  kernel.machine.powerOn();
  await kernel.ready();
  return kernel;
}

/** Runs `call MODULE SYMBOL ARGS...` and parses what it printed. */
export async function callJson<Result>(kernel: TestKernel, line: string): Promise<Result> {
  const output = await kernel.run(`call ${line}`);
  try {
    return JSON.parse(output) as Result;
  } catch {
    throw new Error(`call ${line} printed: ${output}`);
  }
}
