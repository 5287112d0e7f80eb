/*
 * Figure 11 — keel in a browser tab with no server (`npm run site`). Three things, each against
 * a baseline measured in the same run:
 *
 *   - the time from opening the page to the shell's prompt, in Chromium, the site served by a
 *     plain file server (its service worker installed by a first visit, as for a returning
 *     reader) against `npm run web`'s page opened the same way, whose machine boots on the
 *     server: what booting in the tab costs over booting under Node;
 *   - figure 4's stub costs (bench-caller's `measure`: a trivial function, one of about a
 *     microsecond, an awaited one) in the tab's Web Worker, on Chromium's V8, against the same
 *     calls in a machine under Node (in-process, as figure 4 boots it); the ~1 µs function runs
 *     the loop length Node calibrated, on both;
 *   - the size of the site, before compression (target: under 1.5 MB, kernel and modules in).
 *
 * Machines of 16 MiB throughout (the site's and npm run web's default; figure 4 boots 64 MiB,
 * which a call does not touch).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleSite, fileBytes } from '../../build/site-bundle.ts';
import { DEFAULT_CMDLINE } from '../../emulator/machine.ts';
import { launchBrowser, type Browser } from '../../test/browser.ts';
import { buildInMemory } from '../../test/harness.ts';
import { serveFolder } from '../../test/static-server.ts';
import { openKeel, type KeelPage } from '../../test/web-page.ts';
import { bundlePage } from '../../web/server/page-assets.ts';
import { WebServer } from '../../web/server/web-server.ts';
import { compare, keelOnly, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { temporaryDirectory } from '../lib/generate-modules.ts';
import { bootFiles, callJson, WITH_BENCH_FIXTURES } from '../lib/kernel-session.ts';
import { median } from '../lib/statistics.ts';

const MEMORY_BYTES = 16 * 1024 * 1024;
const TARGET_BYTES = 1.5e6;
const FUNCTIONS = ['trivial', 'spin', 'asynchronous'] as const;

interface CallCost {
  direct: number;
  stub: number;
  calls: number;
}
type Measured = { spinIterations: number; results: Record<(typeof FUNCTIONS)[number], CallCost> };

/** Opens a page and resolves once its shell prompts; the milliseconds it took. */
async function timeToPrompt(browser: Browser, url: string): Promise<{ milliseconds: number; keel: KeelPage }> {
  const started = performance.now();
  const keel = await openKeel(browser.context, url);
  return { milliseconds: performance.now() - started, keel };
}

/** What bench-caller's measure printed in the tab: one line of JSON, which the terminal wraps at its width. */
async function measureInTab(keel: KeelPage, line: string): Promise<Measured> {
  const printed = (await keel.run(`call ${line}`)).join('');
  try {
    return JSON.parse(printed) as Measured;
  } catch {
    throw new Error(`call ${line} printed in the tab: ${printed}`);
  }
}

export async function site({ quick }: FigureOptions): Promise<Figure> {
  const rounds = quick ? 1 : 7;
  const calls = quick ? 100_000 : 1_000_000;
  const callRounds = quick ? 3 : 5;
  const callBursts = quick ? 2 : 3;
  const { image, initrd } = await buildInMemory(WITH_BENCH_FIXTURES);
  // Node's side first, while nothing else runs in this process: no web server, no browser driver.
  const node = await bootFiles(image, initrd, MEMORY_BYTES);
  const underNode = await callJson<Measured>(node, `bench-caller measure ${calls} ${callRounds} 0 0 ${callBursts}`);
  await node.halt();
  const folder = temporaryDirectory('site');
  const files = await bundleSite({ memoryBytes: MEMORY_BYTES, cmdline: DEFAULT_CMDLINE, watchdogSeconds: 0 }, { image, initrd });
  for (const [file, body] of files) writeFileSync(path.join(folder, file), body);
  // The size is npm run site's: the project's modules only, not the bench's fixtures.
  const shipped = await bundleSite({ memoryBytes: MEMORY_BYTES, cmdline: DEFAULT_CMDLINE, watchdogSeconds: 10 }, await buildInMemory());
  const size = [...shipped.values()].reduce((total, body) => total + fileBytes(body), 0);
  const siteServer = await serveFolder(folder);
  const server = new WebServer({ machine: { image, initrd, memoryBytes: MEMORY_BYTES, cmdline: DEFAULT_CMDLINE, watchdogSeconds: 0 }, assets: await bundlePage(), maxMachines: 2, log: () => {} });
  const { url: webUrl } = await server.listen(0, '127.0.0.1');
  const browser = await launchBrowser();
  const rows: Row[] = [];
  try {
    // The first visit installs the site's service worker and reloads: a reader's first visit, not counted.
    await (await timeToPrompt(browser, siteServer.url)).keel.page.close();
    const times = { site: [] as number[], web: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const [side, url] of [['site', siteServer.url], ['web', webUrl]] as const) {
        const { milliseconds, keel } = await timeToPrompt(browser, url);
        times[side].push(milliseconds);
        await keel.page.close();
      }
      // The last page's machine ends once its page has closed: none runs beside the next measurement.
      await Promise.all([...server.sessions].map((session) => session.ended));
    }
    rows.push(compare('page opened to the prompt', median(times.site), median(times.web), 'ms', rounds, 'the machine booting in the tab (its Web Worker) against npm run web’s page, its machine booting on the server under Node'));

    const { keel } = await timeToPrompt(browser, siteServer.url);
    const inTab = await measureInTab(keel, `bench-caller measure ${calls} ${callRounds} ${underNode.spinIterations} 0 ${callBursts}`);
    await keel.page.close();
    const labels = { trivial: 'trivial function (value + 1)', spin: `~1 µs function (loop of ${underNode.spinIterations})`, asynchronous: 'async function, awaited' };
    for (const name of FUNCTIONS) {
      const tab = inTab.results[name];
      const nodeCost = underNode.results[name];
      rows.push(compare(`stub call, ${labels[name]}: Chromium tab vs Node`, tab.stub, nodeCost.stub, 'ns/call', callRounds * callBursts,
        `the stub adds ${(tab.stub - tab.direct).toFixed(1)} ns to a direct call in the tab, ${(nodeCost.stub - nodeCost.direct).toFixed(1)} ns under Node; direct calls ${tab.direct.toFixed(1)} vs ${nodeCost.direct.toFixed(1)} ns; each the least of ${callBursts} bursts of ${callRounds} rounds`));
    }
  } finally {
    await browser.close();
    await server.close();
    await siteServer.close();
    rmSync(folder, { recursive: true, force: true });
  }
  rows.push(keelOnly('dist/site/, before compression', size, 'bytes', 1, `index.html, the page's script and style, the machine's worker, the service worker, boot.img and initrd.cpio (every module); target < 1.5 MB: ${size < TARGET_BYTES ? 'met' : 'NOT met'}`));
  return {
    number: 11,
    id: 'site',
    title: 'keel in a browser tab, no server',
    baseline: "npm run web's page (boot under Node) for the time to the prompt; the same calls under Node for the stubs",
    rows,
  };
}
