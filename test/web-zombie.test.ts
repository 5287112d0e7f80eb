/*
 * The web page's module list says what holds a zombie: under the row's Zombie state and as the
 * row's tooltip, in the words dmesg uses (the kernel's module event carries them). A real
 * `npm run web` and Chromium, as test/web.test.ts, with the test fixtures built in for a module
 * that leaks on purpose (leaky puts a function on the realm's global object).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, type Browser } from './browser.ts';
import { WITH_FIXTURES, writeBuild } from './harness.ts';
import { openKeel } from './web-page.ts';
import { startWebServer, type WebServerProcess } from './web-server-process.ts';

let folder: string;
let server: WebServerProcess;
let browser: Browser;

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'keel-web-zombie-'));
  await writeBuild(path.join(folder, 'dist'), WITH_FIXTURES);
  server = await startWebServer(['--dist', path.join(folder, 'dist'), '--port', '0', '--machines', '1']);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  expect(await server?.stop()).toBe(0);
  rmSync(folder, { recursive: true, force: true });
});

it('shows what holds a zombie on its row of the module list', async () => {
  const keel = await openKeel(browser.context, server.url);
  await keel.run('modprobe leaky; rmmod leaky');
  const holder = 'held by global leakyHandler (a function of leaky 1.0.0)';
  const rows = await keel.untilModules((all) => all.some((row) => row[0] === 'leaky' && row[4] === `Zombie${holder}`));
  expect(rows.find((row) => row[0] === 'leaky')!.slice(1, 4)).toEqual(['1.0.0', '0', '0']);
  expect(await keel.page.getAttribute('#module-rows tr[data-module="leaky"]', 'title')).toBe(holder);
});
