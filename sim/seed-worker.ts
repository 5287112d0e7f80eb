/*
 * A seed's worker thread (started by runSeedInThread in sim/run-seed.ts): runs the seed given
 * in workerData and posts its result back; the thread then ends, and its isolate with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed, type SeedOptions, type SimulationImage } from './run-seed.ts';

const { image, options } = workerData as { image: SimulationImage; options: SeedOptions };
parentPort!.postMessage(await runSeed(image, options));
