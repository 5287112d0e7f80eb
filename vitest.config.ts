/*
 * Tests run in forked workers with --expose-gc, so reclamation is checked with real garbage
 * collection, and --experimental-vm-modules, so the sandbox can refuse import(). Unit tests sit in __tests__/ beside their code; end-to-end tests in test/.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/__tests__/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    pool: 'forks',
    execArgv: ['--expose-gc', '--experimental-vm-modules'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
