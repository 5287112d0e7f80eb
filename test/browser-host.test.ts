/*
 * The machine in a browser's Web Worker (emulator/browser-machine-thread.ts and the worker
 * bundle, build/browser-bundle.ts), in Debian's Chromium: it boots the build npm start boots
 * and answers the shell; module code cannot reach the worker's or the page's globals; a stuck
 * module is stopped by the watchdog with the panic line naming it while the page stays
 * responsive, and the machine powers on again; `free` says the host's code is not measurable.
 * Every wait is for what the page shows (test/browser-host.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from './browser.ts';
import { openBrowserHost, type BrowserHostPage } from './browser-host.ts';
import { buildInMemory } from './harness.ts';

let browser: Browser;
let keel: BrowserHostPage;

beforeAll(async () => {
  browser = await launchBrowser();
  keel = await openBrowserHost(browser, await buildInMemory());
});

afterAll(async () => {
  await keel?.close();
  await browser?.close();
});

describe('the machine in a Web Worker', () => {
  it('boots and answers lsmod, load, call and rmmod', async () => {
    await keel.boot();
    // Served with the worker's policy, import() is refused, and the machine says nothing of it.
    expect(await keel.output()).not.toContain('keel: warning');
    expect(await keel.run('lsmod')).toMatch(/^shell\s/m);
    expect(await keel.run('modprobe hello')).not.toMatch(/error|refused/i);
    expect(await keel.run('call hello greet "tab"')).toContain('Hello, tab!');
    expect(await keel.run('rmmod hello')).not.toMatch(/error|refused/i);
    expect(await keel.run('lsmod')).not.toMatch(/^hello\s/m);
    expect(await keel.run('dmesg | grep hello')).toContain('hello: goodbye');
  });
});
