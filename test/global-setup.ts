/*
 * Runs once per `vitest run`, before any test file: builds keel the two ways most test files
 * boot it — the project's modules, and those with the test fixtures — and leaves the builds in
 * a temporary folder named by KEEL_TEST_BUILDS, where the harness's buildInMemory finds them
 * (test/prebuilt.ts) instead of running esbuild again in every test process. A vitest started
 * inside a test (the generated module test, say) finds the folder already there and uses it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PREBUILT_OPTIONS, writePrebuilt } from './prebuilt.ts';

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.KEEL_TEST_BUILDS) return undefined;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'keel-test-builds-'));
  for (const options of PREBUILT_OPTIONS) await writePrebuilt(folder, options);
  process.env.KEEL_TEST_BUILDS = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
