/*
 * The browser host under test: a keel build served by a tiny static server (node:http) with
 * the headers that make the page cross-origin isolated (COOP same-origin, COEP require-corp:
 * the machine shares memory with the page) and the machine worker's Content-Security-Policy,
 * opened in Chromium (test/browser.ts), where test/browser-host-page.ts powers the machine on
 * in a Web Worker through the real worker bundle (build/browser-bundle.ts).
 *
 *   const keel = await openBrowserHost(browser, build);      // build: { image, initrd }
 *   await keel.boot();                                        // resolves at the first prompt
 *   const printed = await keel.run('lsmod');                  // what the command printed
 *   await keel.close();
 *
 * Every wait is for something the page shows (no clock): playwright's waitForFunction, with no
 * time limit of its own (the test runner's applies).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { bundleBrowserWorker } from '../build/browser-bundle.ts';
import { bundle } from '../build/esbuild-bundle.ts';
import { PROJECT_ROOT } from '../build/paths.ts';
import { BROWSER_WORKER_POLICY } from '../emulator/host/browser-worker-policy.ts';
import type { Browser } from './browser.ts';

const PROMPT = 'keel# ';

const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>keel browser host test</title><script src="page.js"></script>';

export interface BrowserHostPage {
  page: Page;
  url: string;
  /** Powers a machine on (again) and resolves once its shell prompts. */
  boot(options?: { watchdogSeconds?: number; cmdline?: string; debug?: boolean }): Promise<void>;
  /** Types `line` at the prompt; resolves with what it printed once the next prompt is up. */
  run(line: string): Promise<string>;
  /** Types `line` and resolves once the machine halts, with its status and what it printed. */
  runToHalt(line: string): Promise<{ status: number; printed: string }>;
  output(): Promise<string>;
  close(): Promise<void>;
}

interface TestState {
  output: string;
  status: number | null;
  bootError: string | null;
  boot(options: object): Promise<void>;
  type(line: string): void;
}
declare const window: { keelTest: TestState };

/** Serves the page, its script, the worker bundle and the build's files; resolves with the server and its address. */
async function serve(isolated: boolean, files: Map<string, { body: Uint8Array | string; type: string; policy?: string }>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const file = files.get(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, {
      'Content-Type': file.type,
      ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
      ...(file.policy ? { 'Content-Security-Policy': file.policy } : {}),
    });
    response.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

export async function openBrowserHost(browser: Browser, build: { image: Uint8Array; initrd: Uint8Array }, options: { workerPolicy?: boolean; isolated?: boolean } = {}): Promise<BrowserHostPage> {
  const worker = await bundleBrowserWorker();
  const page = await bundle(path.join(PROJECT_ROOT, 'test/browser-host-page.ts'), { platform: 'browser', format: 'iife', minify: false });
  const javascript = 'text/javascript';
  const { server, url } = await serve(options.isolated !== false, new Map([
    ['/', { body: PAGE_HTML, type: 'text/html' }],
    ['/page.js', { body: page.text, type: javascript }],
    ['/machine-worker.js', { body: worker.code, type: javascript, policy: options.workerPolicy === false ? undefined : BROWSER_WORKER_POLICY }],
    ['/boot.img', { body: build.image, type: 'application/octet-stream' }],
    ['/initrd.cpio', { body: build.initrd, type: 'application/octet-stream' }],
  ]));
  const tab = await browser.context.newPage();
  await tab.goto(url);
  const output = () => tab.evaluate(() => window.keelTest.output);
  /** Waits until the output past `from` ends at a prompt (or the machine stopped); returns that part. */
  const untilPrompt = async (from: number) => {
    await tab.waitForFunction(([start, prompt]) => {
      const { output: text, status, bootError } = window.keelTest;
      return (text.length > start && text.endsWith(prompt)) || status !== null || bootError !== null;
    }, [from, PROMPT] as const, { timeout: 0, polling: 50 });
    const state = await tab.evaluate(() => ({ output: window.keelTest.output, status: window.keelTest.status, bootError: window.keelTest.bootError }));
    if (state.bootError !== null) throw new Error(`boot failed: ${state.bootError}`);
    if (state.status !== null) throw new Error(`the machine halted (status ${state.status}): ${state.output.slice(from)}`);
    return state.output.slice(from);
  };
  return {
    page: tab,
    url,
    async boot(bootOptions = {}) {
      await tab.evaluate((given) => window.keelTest.boot(given), bootOptions);
      await untilPrompt(0);
    },
    async run(line) {
      const from = (await output()).length;
      await tab.evaluate((typed) => window.keelTest.type(typed), line);
      return untilPrompt(from);
    },
    async runToHalt(line) {
      const from = (await output()).length;
      await tab.evaluate((typed) => window.keelTest.type(typed), line);
      await tab.waitForFunction(() => window.keelTest.status !== null, undefined, { timeout: 0, polling: 50 });
      const state = await tab.evaluate(() => ({ output: window.keelTest.output, status: window.keelTest.status! }));
      return { status: state.status, printed: state.output.slice(from) };
    },
    output,
    async close() {
      await tab.close();
      // Chromium may keep a connection of a closed tab open for minutes, and close() waits for every one.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
