/*
 * Runs one seed of the simulation: boots a Machine on the virtual timer with sim-driver as its
 * init module, and reads the driver's result line back from the console.
 *
 *   const result = await runSeed(await buildSimulation(), { seed: 17, steps: 10_000 });
 *   const same = await runSeedInThread(image, { seed: 17, steps: 10_000 });   // in a fresh thread
 *
 * runSeedInThread gives the run a worker thread, and so a V8 isolate, of its own: a halted
 * machine's vm realm stays in its isolate until V8 clears its compilation cache, which ordinary
 * collections do not, so each machine booted in one thread makes every later collection slower
 * (the kernel's reclaim monitor collects often).
 */
import { Worker } from 'node:worker_threads';
import { VirtualTimer } from '../emulator/devices/virtual-timer-device.ts';
import { Machine } from '../emulator/machine.ts';
import { watchOtherRejections } from '../emulator/unhandled-rejections.ts';
import type { SeedResult } from './modules/sim-driver/index.ts';

/** Small, so that the hog fills it quickly and frame scans stay cheap. */
const MEMORY_BYTES = 8 * 1024 * 1024;
const WORKER_ENTRY = new URL('./seed-worker-entry.mjs', import.meta.url);

export interface SimulationImage {
  image: Uint8Array;
  initrd: Uint8Array;
}

export interface SeedOptions {
  seed: number;
  steps: number;
  /** Breaks an invariant on purpose (KIND@STEP: frames, refcount or ledger), to see the checker catch it. */
  break?: string;
}

export type { SeedResult };

export async function runSeed({ image, initrd }: SimulationImage, options: SeedOptions): Promise<SeedResult> {
  let output = '';
  const cmdline = ['init=sim-driver', 'quiet', `sim.seed=${options.seed}`, `sim.steps=${options.steps}`, ...(options.break ? [`sim.break=${options.break}`] : [])].join(' ');
  const machine = new Machine({ image, initrd, memoryBytes: MEMORY_BYTES, cmdline, timer: new VirtualTimer(), output: (text) => (output += text) });
  // The machine's own rejections are its kernel's to report (oopses the driver counts); any other is a fault of the run.
  const stopWatching = watchOtherRejections((reason) => machine.panic(`unhandled rejection outside the machine: ${(reason as Error)?.message ?? String(reason)}`));
  let status: number;
  try {
    machine.powerOn();
    status = await machine.halted;
  } finally {
    stopWatching();
  }
  const line = output.split('\n').find((text) => text.startsWith('sim-result '));
  if (line) return JSON.parse(line.slice('sim-result '.length)) as SeedResult;
  const last = output.trimEnd().split('\n').slice(-3).join(' | ');
  return {
    ok: false, seed: options.seed, steps: options.steps, step: 0, invariant: 'boot', details: `the machine halted with status ${status} and no result: ${last}`,
    operations: {}, faults: {}, baselineFrames: 0, totalFrames: 0, virtualMs: 0, trace: '', recent: [],
  };
}

/** runSeed in a worker thread of its own (sim/seed-worker.ts). */
export function runSeedInThread(image: SimulationImage, options: SeedOptions): Promise<SeedResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_ENTRY, { workerData: { image, options } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the thread of seed ${options.seed} exited (${code}) without a result`)));
  });
}
