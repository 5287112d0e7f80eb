/*
 * The browser's bundles (build/browser-bundle.ts): the machine worker holds the browser host
 * in place of Node's and nothing of the Node side, in strict mode; the page-side class
 * (emulator/browser-machine-thread.ts) bundles for the browser with no host at all — the host
 * seals the global it loads in, which must be the worker's, never the page's.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleBrowserWorker } from '../browser-bundle.ts';
import { bundle } from '../esbuild-bundle.ts';
import { PROJECT_ROOT } from '../paths.ts';

describe('the browser bundles', () => {
  it('put the browser host in the machine worker, and nothing of Node', async () => {
    const { code, metafile } = await bundleBrowserWorker({ minify: false });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('emulator/host/browser-host.ts');
    expect(inputs).toContain('emulator/machine-runner.ts');
    expect(inputs.filter((input) => /node-host|\/machine-thread\.ts|\/machine-worker\.ts|heap-|inspector/.test(input))).toEqual([]);
    expect(code.startsWith("'use strict';")).toBe(true);
  });

  it('bundle the page-side class without any host', async () => {
    const { metafile } = await bundle(path.join(PROJECT_ROOT, 'emulator/browser-machine-thread.ts'), { platform: 'browser', format: 'esm' });
    expect(Object.keys(metafile.inputs).filter((input) => input.startsWith('emulator/host/') || input === 'emulator/machine.ts')).toEqual([]);
  });
});
