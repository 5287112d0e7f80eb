/*
 * The swap soak: thousands of swaps of kv under load (a workload calling kv and the scheduler
 * all along, and a driver asking kv between swaps) lose no call, run none twice, keep the
 * state, and leave frames exact and host code flat. 1,000 swaps in npm test, 10,000 in
 * npm run soak (soak/length.ts).
 */
import { getHeapCodeStatistics } from 'node:v8';
import { afterAll, expect, it } from 'vitest';
import { bootKernel, frameCounts, WITH_FIXTURES, type TestKernel } from '../harness.ts';
import { soakLength } from './length.ts';

const SWAPS = soakLength(10_000);
let kernel: TestKernel | undefined;
afterAll(async () => {
  if (kernel) await kernel.halt();
});

const boot = (cmdline: string) => bootKernel({ build: WITH_FIXTURES, cmdline });

it(`${SWAPS} swaps under load: no call lost or run twice, state kept, frames exact, code flat`, async () => {
  kernel = await boot('init=shell quiet kv.capacity=100000');
  await kernel.run('modprobe kv; modprobe swap; call workload start 1 5');
  await kernel.run('call swap-driver swapUnderLoad 200');
  const gc = (globalThis as { gc?: () => void }).gc!;
  const settledCode = async () => {
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    const statistics = getHeapCodeStatistics();
    return { bytecode: statistics.bytecode_and_metadata_size, machineCode: statistics.code_and_metadata_size };
  };
  const framesBefore = await frameCounts(kernel);
  const codeBefore = await settledCode();

  // kv holds the driver's 500 keys and the workload's 64. call() reads the last line: on a loaded
  // machine the reclaim monitor may print a warning meanwhile (a version whose collection lags).
  const consoleBefore = kernel.console.length;
  const result = await kernel.call('swap-driver', 'swapUnderLoad', SWAPS);
  const warnings = kernel.console.slice(consoleBefore).split('\n').filter((line) => line.startsWith('['));
  if (warnings.length > 0) console.log(`kernel lines during the swaps:\n${warnings.slice(0, 5).join('\n')}`);
  expect(result).toEqual({ swaps: SWAPS, failures: [], asked: SWAPS / 50, answered: SWAPS / 50, answeredTwice: 0, wrong: 0, size: 500 + 64 });

  await kernel.run('call workload stop');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const workload = JSON.parse(await kernel.run('call workload report'));
  expect(workload.asyncAnswered).toBe(workload.asyncCalls);
  expect(workload).toMatchObject({ wrongAnswers: 0, errors: 0 });
  await kernel.run('call workload start 1 5; call workload stop');

  expect(await frameCounts(kernel)).toEqual(framesBefore);
  const codeAfter = await settledCode();
  const bytecodeGrowth = codeAfter.bytecode - codeBefore.bytecode;
  console.log(`${SWAPS} swaps: host bytecode grew ${bytecodeGrowth} bytes, machine code ${codeAfter.machineCode - codeBefore.machineCode} bytes`);
  expect(bytecodeGrowth).toBeLessThan(256 * 1024);
}, 300_000);
