/*
 * The image the simulation boots: keel built with the project's modules and sim/modules, into
 * memory, once per process.
 *
 *   const image = await buildSimulation();   // { image, initrd }, for runSeed or runSeedInThread
 */
import path from 'node:path';
import { createFsFromVolume, Volume } from 'memfs';
import { build, PROJECT_ROOT } from '../build.ts';
import type { SimulationImage } from './run-seed.ts';

let cached: Promise<SimulationImage> | undefined;

export function buildSimulation(): Promise<SimulationImage> {
  cached ??= (async () => {
    const volume = new Volume();
    const moduleDirs = [path.join(PROJECT_ROOT, 'modules'), path.join(PROJECT_ROOT, 'sim/modules')];
    const { image, initrd } = await build({ moduleDirs, etcModules: [], fs: createFsFromVolume(volume) as never, outDir: '/dist', quiet: true });
    return { image, initrd };
  })();
  return cached;
}
