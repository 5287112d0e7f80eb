/*
 * A real browser for the web page's tests and the benchmark: Debian's Chromium
 * (/usr/bin/chromium, the `chromium` package that npm test installs: scripts/test-tools.ts), driven by playwright-core,
 * which downloads nothing. Headless, with a fresh profile in a temporary folder and without
 * any of Chromium's own network traffic (this machine's network is closed).
 *
 *   const browser = await launchBrowser();
 *   const withGc = await launchBrowser(undefined, ['--js-flags=--expose-gc']);   // more flags for Chromium
 *   const page = await browser.context.newPage();
 *   await browser.close();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { requireTool } from './tools.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1600, height: 1000 }, flags: string[] = []): Promise<Browser> {
  requireTool('chromium');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'keel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, ...flags], viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
