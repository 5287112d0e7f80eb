/*
 * The claim keel exists for: thousands of load/unload cycles leave physical frames exactly at
 * their baseline and host bytecode bounded, while the same code loaded as many times with
 * import() (Node's own loader) grows linearly. Both are measured in this one run, with real
 * GC. 1,000 cycles in npm test, 10,000 in npm run soak (soak/length.ts).
 */
import { getHeapCodeStatistics } from 'node:v8';
import { afterAll, expect, it } from 'vitest';
import { bootKernel, buildInMemory, frameCounts, WITH_FIXTURES, type TestKernel } from '../harness.ts';
import { soakLength } from './length.ts';

const CYCLES = soakLength(10_000);
let kernel: TestKernel | undefined;
afterAll(async () => {
  if (kernel) await kernel.halt();
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** The recipe of docs/design.md: let go, a turn, several full GCs, a turn; then read the code size. */
async function settledBytecode(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
  for (let round = 0; round < 3; round++) {
    await turn();
    gc();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return getHeapCodeStatistics().bytecode_and_metadata_size;
}

it(`${CYCLES} load/unload cycles: frames exact, bytecode bounded; import() of the same code grows linearly`, async () => {
  kernel = await bootKernel({ build: WITH_FIXTURES });
  expect(await kernel.run('call cycler cycle hello 20')).toBe('20\n');
  const frames = await frameCounts(kernel);

  // The first live copy of churn, read at once: V8 later flushes bytecode that is not run
  // again, and compiles an identical source only once while its first copy is cached.
  const beforeCopy = await settledBytecode();
  await kernel.run('modprobe churn');
  const oneCopy = getHeapCodeStatistics().bytecode_and_metadata_size - beforeCopy;
  await kernel.run('rmmod churn');
  expect(oneCopy).toBeGreaterThan(5000);

  // The kernel's own paths for a cycle are compiled (and some optimized) the first times they
  // run: a hundred cycles first, so that the growth measured is what cycles keep, not warm-up.
  expect(await kernel.run('call cycler cycle churn 100')).toBe('100\n');
  const baseline = await settledBytecode();
  expect(await kernel.run(`call cycler cycle churn ${CYCLES}`)).toBe(`${CYCLES}\n`);
  expect(await frameCounts(kernel)).toEqual(frames);
  const keelGrowth = (await settledBytecode()) - baseline;
  expect(await kernel.run('lsmod')).not.toMatch(/Zombie/);

  const { result } = await buildInMemory(WITH_FIXTURES);
  const bundle = new TextDecoder().decode(result.modules.find(({ record }) => record.name === 'churn')!.code);
  const importBaseline = await settledBytecode();
  const kept: unknown[] = [];
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const source = `const module = { exports: {} }; const exports = module.exports;\n${bundle}\nmodule.exports.init();\nexport default module.exports.checksum; // ${cycle}`;
    kept.push((await import(`data:text/javascript,${encodeURIComponent(source)}`)).default);
    kept.length = 0;
  }
  const importGrowth = (await settledBytecode()) - importBaseline;

  console.log(`one live copy of churn: ${oneCopy} B of bytecode; after ${CYCLES} cycles keel grew ${keelGrowth} B, import() grew ${importGrowth} B (${(importGrowth / CYCLES).toFixed(0)} B per cycle)`);
  expect(keelGrowth).toBeLessThan(2 * oneCopy);
  expect(importGrowth).toBeGreaterThan((CYCLES / 2) * oneCopy);
});
