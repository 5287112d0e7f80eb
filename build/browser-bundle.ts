/*
 * The machine's Web Worker for a browser (emulator/browser-machine-worker.ts), bundled: one
 * classic-worker script, strict mode throughout (strict code hands no caller and no call-site
 * function to a stack-trace hook), with the browser host in place of Node's. The emulator
 * imports its host from emulator/host/current-host.ts, which names Node's; this bundle resolves
 * that one import to emulator/host/browser-host.ts. esbuild's browser platform refuses any
 * node: import, so a Node module reachable from the worker fails the bundle, naming it.
 *
 *   const { code } = await bundleBrowserWorker();          // serve it as machine-worker.js
 *   new BrowserMachineThread({ workerUrl: 'machine-worker.js', ... });
 */
import path from 'node:path';
import type * as esbuild from 'esbuild';
import { bundle } from './esbuild-bundle.ts';
import { PROJECT_ROOT } from './paths.ts';

export const BROWSER_WORKER_ENTRY = path.join(PROJECT_ROOT, 'emulator/browser-machine-worker.ts');
const NODE_HOST = path.join(PROJECT_ROOT, 'emulator/host/node-host.ts');
const BROWSER_HOST = path.join(PROJECT_ROOT, 'emulator/host/browser-host.ts');

/** Resolves the Node host to the browser's: the one place the two builds differ. */
const browserHost: esbuild.Plugin = {
  name: 'keel-browser-host',
  setup(build) {
    build.onResolve({ filter: /\/node-host\.ts$/ }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path);
      return resolved === NODE_HOST ? { path: BROWSER_HOST } : undefined;
    });
  },
};

/** The worker's script, and esbuild's metafile (which files it holds). */
export async function bundleBrowserWorker(options: { minify?: boolean } = {}): Promise<{ code: string; metafile: esbuild.Metafile }> {
  const { text, metafile } = await bundle(BROWSER_WORKER_ENTRY, {
    platform: 'browser', format: 'iife', minify: options.minify ?? true, banner: { js: "'use strict';" }, plugins: [browserHost],
  });
  return { code: text, metafile };
}
