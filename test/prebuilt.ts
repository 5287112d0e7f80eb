/*
 * Builds made once for a whole test run (test/global-setup.ts writes them, the harness reads
 * them): each is the BuildResult of one set of build options, serialized with v8.serialize in
 * a file named by the options' hash. Only builds of the project's own sources are shared this
 * way; a test that builds sources it writes (a temporary module folder) builds them itself.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { createFsFromVolume, Volume } from 'memfs';
import { build, PROJECT_ROOT, type BuildOptions, type BuildResult } from '../build.ts';

export type SharedBuildOptions = Omit<BuildOptions, 'fs' | 'outDir'>;

/** The project's modules plus the test fixtures (provider, consumer, leaky, churn, ...). */
export const WITH_FIXTURES = { moduleDirs: [path.join(PROJECT_ROOT, 'modules'), path.join(PROJECT_ROOT, 'test/fixtures/modules')] };

/** What global-setup.ts builds: the options most test files boot with. */
export const PREBUILT_OPTIONS: SharedBuildOptions[] = [{}, WITH_FIXTURES];

export const optionsKey = (options: SharedBuildOptions) => JSON.stringify(options);
const fileFor = (folder: string, options: SharedBuildOptions) => path.join(folder, `${createHash('sha256').update(optionsKey(options)).digest('hex').slice(0, 16)}.build`);

/** Builds into a fresh memfs volume (nothing on disk). */
export function buildIntoMemory(options: SharedBuildOptions): Promise<BuildResult> {
  return build({ ...options, fs: createFsFromVolume(new Volume()) as never, outDir: '/dist', quiet: true });
}

export async function writePrebuilt(folder: string, options: SharedBuildOptions): Promise<void> {
  writeFileSync(fileFor(folder, options), serialize(await buildIntoMemory(options)));
}

/** The build made for this run with `options`, if global-setup.ts made one. */
export function readPrebuilt(options: SharedBuildOptions): BuildResult | undefined {
  const folder = process.env.KEEL_TEST_BUILDS;
  if (!folder) return undefined;
  const file = fileFor(folder, options);
  return existsSync(file) ? (deserialize(readFileSync(file)) as BuildResult) : undefined;
}
