/*
 * keel in a browser tab with no server (`npm run site`), tested in a real one: site.ts writes the
 * site from a build with the test fixtures, a plain static file server (test/static-server.ts:
 * no COOP, COEP or CSP headers) serves it, and Chromium (test/browser.ts) opens it, driven as a
 * person drives it (test/web-page.ts). The page isolates itself with its service worker and
 * boots the machine in a Web Worker; the README's shell examples work in its terminal and its
 * picture follows them (the map, the module table); a stuck module is stopped by the watchdog
 * with the panic line `npm start` prints, the page answering meanwhile, and the machine powers
 * on again. Nothing waits on a clock: every wait is for something the page shows.
 * (The sandbox's escape attempts in the browser: browser-host.test.ts.)
 *
 * The README's screenshot is made here, at 1280×720:
 *   KEEL_SCREENSHOT=docs/site-page.png npx vitest run test/site.test.ts
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { FREE_COLOUR } from '../web/page/owner-colours.ts';
import { SITE_FILES } from '../web/site/site-files.ts';
import { launchBrowser, type Browser } from './browser.ts';
import { WITH_FIXTURES, writeBuild } from './harness.ts';
import { serveFolder, type StaticServer } from './static-server.ts';
import { expectShellLineEditing, openKeel, PROMPT } from './web-page.ts';

let folder: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'keel-site-'));
  await writeBuild(path.join(folder, 'dist'), WITH_FIXTURES);
  // As a user runs it (npm run site does the build first, then this).
  const written = spawnSync(process.execPath, ['--import', 'tsx', 'site.ts', '--dist', path.join(folder, 'dist'), '--out', path.join(folder, 'site'), '--watchdog', '1'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect(written.stderr).toBe('');
  expect(written.status).toBe(0);
  server = await serveFolder(path.join(folder, 'site'));
  browser = await launchBrowser();
  await firstVisit();
});

/**
 * The first visit to the site: the page registers its service worker and reloads once, isolated
 * (openKeel waits across the reload). Later pages of the browser's profile are isolated from
 * their first load.
 */
async function firstVisit(): Promise<void> {
  const keel = await openKeel(browser.context, server.url);
  await keel.page.close();
}

afterEach(async () => {
  for (const page of browser.context.pages()) await page.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Resolves once the page shows its notice (why there is no machine), waiting again in the new document if the page reloads first. */
async function untilNotice(page: Page): Promise<void> {
  for (;;) {
    try {
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(selector: string): { hidden: boolean } } }).document.querySelector('#notice').hidden === false, undefined, { timeout: 0 });
      return;
    } catch (error) {
      if (!/context was destroyed|navigat/i.test((error as Error).message)) throw error;
    }
  }
}

const framesIn = (colours: string[], colour: string) => colours.flatMap((each, frame) => (each === colour ? [frame] : []));

describe('npm run site, served by a plain file server', () => {
  it('writes index.html and its assets, nothing else, with the build’s boot.img and initrd.cpio as they are', () => {
    expect(readdirSync(path.join(folder, 'site')).sort()).toEqual(Object.values(SITE_FILES).sort());
    for (const file of [SITE_FILES.image, SITE_FILES.initrd]) expect(readFileSync(path.join(folder, 'site', file)).equals(readFileSync(path.join(folder, 'dist', file)))).toBe(true);
  });

  it('boots in the tab to the prompt, the page isolated by its own service worker, reloaded once on the first visit', async () => {
    // The page, its service worker, the page again (the reload): then the machine's files.
    const worker = server.requests.indexOf('/' + SITE_FILES.serviceWorker);
    expect(server.requests.indexOf('/')).toBeLessThan(worker);
    expect(server.requests.indexOf('/', worker)).toBeGreaterThan(worker);
    const keel = await openKeel(browser.context, server.url);
    expect(await keel.page.textContent('#status')).toMatch(/^machine running in this tab · 16 MiB: 4,096 frames of 4 KiB/);
    expect(await keel.page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
    expect(server.requests).toEqual(expect.arrayContaining(['/' + SITE_FILES.serviceWorker, '/' + SITE_FILES.machineWorker, '/' + SITE_FILES.image, '/' + SITE_FILES.initrd]));
    expect(await keel.run('uname')).toEqual(['keel']);
  });

  it('says in one line why there is no machine where the page cannot be isolated (opened as a file)', async () => {
    const page = await browser.context.newPage();
    await page.goto(`file://${path.join(folder, 'site', SITE_FILES.page)}`);
    await untilNotice(page);
    expect(await page.textContent('#notice')).toBe('this page is not cross-origin isolated, so the machine cannot share memory with it: open it through a web server (python3 -m http.server -d dist/site), not as a file');
    expect(await page.textContent('#status')).toBe('no machine');
  });

  it('says in one line that there is no machine when a file of the site is missing (initrd.cpio)', async () => {
    const broken = path.join(folder, 'broken');
    cpSync(path.join(folder, 'site'), broken, { recursive: true });
    rmSync(path.join(broken, SITE_FILES.initrd));
    const elsewhere = await serveFolder(broken);
    try {
      const page = await browser.context.newPage();
      await page.goto(elsewhere.url);
      // Its first visit reloads the page once (another origin: another service worker); the notice comes after.
      await untilNotice(page);
      expect(await page.textContent('#notice')).toBe("keel: could not load the machine's files: initrd.cpio: 404 Not Found");
      expect(await page.textContent('#status')).toBe('no machine');
    } finally {
      await elsewhere.close();
    }
  });

  it('runs the README’s examples: load, call, swap with state kept, rmmod with its frames freed on the map, swap kernel', async () => {
    const keel = await openKeel(browser.context, server.url);
    expect(await keel.run('modprobe kv')).toEqual([]);
    const kv = await keel.legendColour('kv');
    const rows = await keel.untilModules((all) => all.some(([name]) => name === 'kv'));
    expect(rows.find(([name]) => name === 'kv')).toEqual(['kv', '1.0.0', '4,096', '0', 'Live']);
    const loaded = framesIn(await keel.untilColours((colours) => colours.includes(kv)), kv);
    expect(await keel.hover(loaded[0]!)).toMatch(/ · kv 1\.0\.0 text$/);
    expect(await keel.run('call kv set colour blue')).toEqual([]);
    expect((await keel.run('swap kv'))[0]).toMatch(/^swap: kv 1\.0\.0 -> 2\.0\.0: quiescent/);
    await keel.untilModules((all) => all.some(([name, version]) => name === 'kv' && version === '2.0.0'));
    expect(await keel.run('call kv get colour')).toEqual(['"blue"']);
    const swapped = framesIn(await keel.untilColours((colours) => loaded.every((frame) => colours[frame] !== kv) && colours.includes(kv)), kv);
    expect(await keel.run('rmmod kv')).toEqual([]);
    await keel.untilColours((colours) => swapped.every((frame) => colours[frame] === FREE_COLOUR));
    await keel.untilModules((all) => !all.some(([name]) => name === 'kv'));
    expect(await keel.hover(swapped[0]!)).toMatch(/ · free$/);
    expect((await keel.run('free')).join('\n')).toMatch(/not measurable/);

    await keel.run('modprobe workload; call workload start');
    expect((await keel.run('swap kernel'))[0]).toMatch(/^swap: kernel 1\.0\.0 -> 1\.1\.0: quiescent/);
    expect(await keel.run('cat /proc/meminfo | grep FramePolicy')).toEqual([expect.stringMatching(/^FramePolicy:\s+next-fit$/)]);
    // One line of JSON without spaces, which the terminal wraps at its width.
    expect((await keel.run('call workload report')).join('')).toMatch(/"wrongAnswers":0,"errors":0/);
    await keel.untilModules((all) => all.some(([name, version]) => name === 'kernel' && version === '1.1.0'));

    // The README's screenshot, at 1280×720 as web-layout.test.ts takes npm run web's.
    await keel.page.setViewportSize({ width: 1280, height: 720 });
    await keel.run('lsmod | head -4');
    const screenshot = process.env.KEEL_SCREENSHOT ?? path.join(folder, 'site-page.png');
    await keel.page.screenshot({ path: screenshot });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  });

  it('edits lines as npm start does: Tab completes, Ctrl-C abandons the line, Up recalls the last one', async () => {
    const keel = await openKeel(browser.context, server.url);
    await expectShellLineEditing(keel);
  });

  it('stops a stuck module with the watchdog’s panic line while the page answers, and powers on again (the button, or Enter)', async () => {
    const keel = await openKeel(browser.context, server.url);
    await keel.run('modprobe crasher');
    await keel.type('call crasher spin\r');
    await keel.untilRow((row) => row === 'Kernel panic - not syncing: watchdog: machine stuck for 1s in module crasher');
    // The machine's worker is stuck, the page is not: it redrew its status and takes clicks.
    expect(await keel.page.textContent('#status')).toMatch(/^machine ended: the machine halted with status 2/);
    await keel.page.click('#power-on');
    await keel.untilRow((row) => row === PROMPT);
    expect(await keel.page.textContent('#status')).toMatch(/^machine running in this tab/);
    await keel.untilModules((all) => all.some(([name]) => name === 'shell') && !all.some(([name]) => name === 'crasher'));
    expect(await keel.run('lsmod | grep -c crasher')).toEqual(['0']);

    // A machine that halts is powered on again with Enter as well.
    await keel.type('halt\r');
    await keel.untilRow((row) => row === '[press Enter or the button above to power on again]');
    expect(await keel.page.textContent('#status')).toBe('machine ended: the machine halted with status 0');
    await keel.press('Enter');
    await keel.untilRow((row) => row === PROMPT);
    expect(await keel.run('uname')).toEqual(['keel']);
  });
});
