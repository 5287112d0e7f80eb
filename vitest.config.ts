/*
 * Tests run in forked workers with --expose-gc, so reclamation is checked with real garbage
 * collection, and --experimental-vm-modules, so the sandbox can refuse import(). Unit tests sit
 * in __tests__/ beside their code; end-to-end tests in test/. The builds most files boot are
 * made once per run, before any file starts (test/global-setup.ts); the path is absolute, so a
 * vitest started elsewhere with this config (a module's generated test) finds it too.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/__tests__/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    globalSetup: [fileURLToPath(new URL('./test/global-setup.ts', import.meta.url))],
    pool: 'forks',
    // Two files at once even on two cores (vitest would run one): much of the suite waits on
    // child processes and machine threads, and no test depends on how fast it runs.
    maxWorkers: 2,
    execArgv: ['--expose-gc', '--experimental-vm-modules'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
