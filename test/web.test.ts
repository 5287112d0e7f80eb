/*
 * keel in a browser tab, tested in a real one: `npm run web` (web.ts, in a child process) with
 * Debian's Chromium driven by playwright-core (test/browser.ts, test/web-page.ts). The page's
 * terminal is the shell `npm start` gives; the map's pixels show kv's frames in kv's colour
 * when it loads, free when it unloads, and a swap freeing the old version's frames, matching
 * what lsmod says; clicking a module highlights its frames; closing the page ends its machine;
 * a page past --machines is refused with a page that says why. (What the server refuses over
 * raw sockets: web-refusals.test.ts.) Nothing waits on a clock: every wait is for something
 * the page shows or the server prints.
 * (The page at a laptop's sizes, and the README's screenshot: web-layout.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FREE_COLOUR } from '../web/page/owner-colours.ts';
import { launchBrowser, type Browser } from './browser.ts';
import { writeBuild } from './harness.ts';
import { expectShellLineEditing, openKeel, type KeelPage } from './web-page.ts';
import { startWebServer, type WebServerProcess } from './web-server-process.ts';

let folder: string;
let server: WebServerProcess;
let browser: Browser;

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'keel-web-'));
  await writeBuild(path.join(folder, 'dist'));
  server = await startWebServer(['--dist', path.join(folder, 'dist'), '--port', '0', '--machines', '2']);
  browser = await launchBrowser();
});

// A test that fails leaves no page open to take a machine from the next.
afterEach(async () => {
  for (const page of browser.context.pages()) await page.close();
});

afterAll(async () => {
  await browser?.close();
  expect(await server?.stop()).toBe(0);
  rmSync(folder, { recursive: true, force: true });
});

/** The frames drawn in `colour`. */
const framesIn = (colours: string[], colour: string) => colours.flatMap((each, frame) => (each === colour ? [frame] : []));

/** kv's size in lsmod, in frames. */
async function lsmodFrames(keel: KeelPage, module: string): Promise<number> {
  const [row] = (await keel.run(`lsmod | grep ${module}`)).filter((line) => line.startsWith(`${module} `));
  return Number(row!.split(/\s+/)[1]) / 4096;
}

describe('npm run web, in a real browser', () => {
  it('shows the shell beside the map: a module’s frames appear in its colour when it loads, free again when it unloads, and a swap frees the old version’s', async () => {
    const keel = await openKeel(browser.context, server.url);
    expect(keel.frames).toBe(4096);
    expect(await keel.run('modprobe kv')).toEqual([]);
    const kv = await keel.legendColour('kv');
    const rows = await keel.untilModules((all) => all.some(([name]) => name === 'kv'));
    expect(rows.find(([name]) => name === 'kv')).toEqual(['kv', '1.0.0', '4,096', '0', 'Live']);
    const loaded = framesIn(await keel.untilColours((colours) => colours.includes(kv)), kv);
    expect(loaded.length).toBe(await lsmodFrames(keel, 'kv'));
    expect(await keel.hover(loaded[0]!)).toBe(`frame ${loaded[0]} · 0x${(loaded[0]! * 4096).toString(16).padStart(8, '0')} · kv 1.0.0 text`);

    expect(await keel.run('rmmod kv')).toEqual([]);
    const freed = await keel.untilColours((colours) => loaded.every((frame) => colours[frame] === FREE_COLOUR));
    expect(framesIn(freed, kv)).toEqual([]);
    await keel.untilModules((all) => !all.some(([name]) => name === 'kv'));
    expect(await keel.hover(loaded[0]!)).toMatch(/ · free$/);

    // rootfs, ~90 frames of text: it fills them, and rmmod empties them.
    await keel.run('modprobe rootfs');
    const rootfs = await keel.legendColour('rootfs');
    const filled = framesIn(await keel.untilColours((colours) => colours.filter((each) => each === rootfs).length > 80), rootfs);
    expect(filled.length).toBe(await lsmodFrames(keel, 'rootfs'));

    await keel.run('modprobe kv');
    const before = framesIn(await keel.untilColours((colours) => colours.includes(kv)), kv);
    expect(await keel.hover(before[0]!)).toMatch(/kv 1\.0\.0 text$/);
    const [swapLine] = await keel.run('swap kv');
    expect(swapLine).toMatch(/^swap: kv 1\.0\.0 -> 2\.0\.0: quiescent/);
    await keel.untilModules((all) => all.some(([name, version]) => name === 'kv' && version === '2.0.0'));
    const after = framesIn(await keel.untilColours((colours) => before.every((frame) => colours[frame] !== kv) && colours.includes(kv)), kv);
    for (const frame of before) expect(await keel.hover(frame)).not.toMatch(/kv 1\.0\.0/);
    expect(await keel.hover(after[0]!)).toMatch(/kv 2\.0\.0 text$/);
    expect(after.length).toBe(await lsmodFrames(keel, 'kv'));
    await keel.page.close();
  });

  it('highlights a module’s frames when it is clicked in the legend or the module list, and shows them all again on a second click', async () => {
    const keel = await openKeel(browser.context, server.url);
    await keel.run('modprobe kv');
    const kv = await keel.legendColour('kv');
    const shell = await keel.legendColour('shell');
    const plain = await keel.untilColours((colours) => colours.includes(kv) && colours.includes(shell));
    await keel.page.click('#legend [data-module="kv"]');
    const highlighted = await keel.untilColours((colours) => !colours.includes(shell));
    expect(framesIn(highlighted, kv)).toEqual(framesIn(plain, kv));
    await keel.page.click('#legend [data-module="kv"]');
    await keel.untilColours((colours) => colours.includes(shell));
    await keel.page.click('#module-rows tr[data-module="shell"]');
    const shellOnly = await keel.untilColours((colours) => !colours.includes(kv));
    expect(framesIn(shellOnly, shell)).toEqual(framesIn(plain, shell));
    await keel.page.close();
  });

  it('is the shell npm start gives: Tab completes, Ctrl-C abandons the line, Up recalls the last one', async () => {
    const keel = await openKeel(browser.context, server.url);
    await expectShellLineEditing(keel);
    await keel.page.close();
  });

  it('ends a page’s machine when the page closes', async () => {
    const from = server.lines.length;
    const keel = await openKeel(browser.context, server.url);
    const connected = await server.line(/^keel: page \d+: connected, machine started/, from);
    const page = /page (\d+)/.exec(connected)![1];
    await keel.page.close();
    expect(await server.line(new RegExp(`^keel: page ${page}: machine ended`), from)).toBe(`keel: page ${page}: machine ended (its page closed)`);
  });

  it('refuses a page past --machines with a page that says why, and serves it once a machine is free', async () => {
    const first = await openKeel(browser.context, server.url);
    const second = await openKeel(browser.context, server.url);
    const third = await browser.context.newPage();
    const response = await third.goto(server.url);
    expect(response?.status()).toBe(503);
    expect(await third.textContent('#refusal')).toBe('keel: 2 machines are running, the most this server starts at once: close another keel page, then reload this one.');
    // A page that loaded before the machines ran out has its socket closed with the same words, which it shows.
    const late = new WebSocket(`${server.url.replace('http', 'ws')}machine`);
    const [code, reason] = await new Promise<[number, string]>((resolve) => late.on('close', (closeCode, closeReason) => resolve([closeCode, String(closeReason)])));
    expect([code, reason]).toEqual([1013, 'keel: 2 machines are running, the most this server starts at once: close another keel page, then reload this one']);
    const from = server.lines.length;
    await first.page.close();
    await server.line(/machine ended \(its page closed\)/, from);
    await third.close();
    const again = await openKeel(browser.context, server.url);
    expect(await again.run('uname')).toEqual(['keel']);
    await second.page.close();
    await again.page.close();
  });
});
