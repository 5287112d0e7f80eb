/*
 * The sandbox, end to end: a module tries every known way out to the host (test fixture
 * escaper) and each one is blocked; a module cannot require Node's modules either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootKernel, WITH_FIXTURES, type TestKernel } from './harness.ts';

describe('the sandbox', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await bootKernel({ build: WITH_FIXTURES });
  });
  afterAll(() => kernel.halt());

  it('blocks every escape path a module tries', async () => {
    const results = (await kernel.call('escaper', 'attempts')) as Record<string, string>;
    expect(Object.keys(results)).toHaveLength(16);
    for (const [path, result] of Object.entries(results)) expect(`${path}: ${result}`).toMatch(/^[^:]+: blocked: /);
  });

  it('answers import() with an error of the sandbox, not the host', async () => {
    expect(await kernel.call('escaper', 'importAttempt')).toMatch(/^blocked: import\(\) is not available in keel/);
  });

  it('refuses import() of a URL too', async () => {
    expect(await kernel.call('escaper', 'importUrlAttempt')).toMatch(/^blocked: import\(\) is not available in keel/);
  });

  it('does not warn at boot when node guards import()', () => {
    expect(kernel.console).not.toContain('--experimental-vm-modules');
  });
});
