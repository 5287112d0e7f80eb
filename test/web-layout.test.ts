/*
 * The web page on a laptop's screen: `npm run web` (web.ts, in a child process) in Chromium at
 * 1024×768, 1280×720 and 1600×1000, after `modprobe workload` and `swap kv`. At each size the
 * page fits the window (no scrolling either way) and every panel's content is wholly in sight:
 * no element the test names is cut by its panel, by a box that clips it or by the window; the
 * map's cells are large enough to see a module of one frame, each module in the colour its name
 * gives it (the same in every session); the terminal wraps the swap's long line between words,
 * for the width its panel gives it; the chart labels what was typed (`swap kv`, not the load of
 * the swap module it caused), says what happened when hovered, and one frame is a visible step
 * on its axis.
 *
 * The README's screenshot is made here, at 1280×720:
 *   KEEL_SCREENSHOT=docs/web-page.png npx vitest run test/web-layout.test.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textColour } from '../web/page/owner-colours.ts';
import { launchBrowser } from './browser.ts';
import { writeBuild } from './harness.ts';
import { openKeel } from './web-page.ts';
import { startWebServer, type WebServerProcess } from './web-server-process.ts';

/** The few DOM types the function run in the page uses (the tests are typed without the DOM's). */
interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}
interface PageElement {
  id: string;
  tagName: string;
  className: unknown;
  parentElement: PageElement | null;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  getBoundingClientRect(): Box;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
declare const document: { documentElement: PageElement; getElementById(id: string): PageElement | null };
declare const window: { innerWidth: number; innerHeight: number };
declare function getComputedStyle(element: PageElement): { overflowX: string; overflowY: string };

/** Each panel and the content of it that must be in sight: every element each selector finds. */
const PANELS: Record<string, string[]> = {
  'shell-panel': ['h2', '#terminal .xterm-screen'],
  'memory-panel': ['h2', '#memory-map', '#legend li'],
  'modules-panel': ['h2', '#module-table th', '#module-table tbody tr', 'h3', '#import-graph .node'],
  'chart-panel': ['h2', '#chart-key li', '#timeline'],
};

/**
 * What is out of sight, in words: a panel wider than its box, or an element not wholly inside
 * the window and every box between it and its panel that clips or scrolls. Run in the page.
 */
function outOfSight(panels: Record<string, string[]>): string[] {
  const problems: string[] = [];
  const inside = (inner: Box, outer: Box) => inner.left >= outer.left - 0.5 && inner.top >= outer.top - 0.5 && inner.right <= outer.right + 0.5 && inner.bottom <= outer.bottom + 0.5;
  const window_ = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
  const name = (element: PageElement) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${typeof element.className === 'string' && element.className ? `.${element.className.split(' ')[0]}` : ''}`;
  for (const [id, selectors] of Object.entries(panels)) {
    const panel = document.getElementById(id)!;
    if (panel.scrollWidth > panel.clientWidth) problems.push(`#${id} is ${panel.scrollWidth} pixels wide in a box of ${panel.clientWidth}`);
    if (panel.scrollHeight > panel.clientHeight) problems.push(`#${id} is ${panel.scrollHeight} pixels high in a box of ${panel.clientHeight}`);
    if (!inside(panel.getBoundingClientRect(), window_)) problems.push(`#${id} is not wholly in the window`);
    for (const selector of selectors) {
      const elements = Array.from(panel.querySelectorAll(selector));
      if (elements.length === 0) problems.push(`#${id} has no ${selector}`);
      elements.forEach((element, index) => {
        const box = element.getBoundingClientRect();
        if (box.right - box.left < 1 || box.bottom - box.top < 1) problems.push(`#${id} ${selector} [${index}] has no size`);
        if (!inside(box, window_)) problems.push(`#${id} ${selector} [${index}] is not wholly in the window`);
        for (let clip = element.parentElement; clip && clip !== panel.parentElement; clip = clip.parentElement) {
          const style = getComputedStyle(clip);
          if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
          if (!inside(box, clip.getBoundingClientRect())) problems.push(`#${id} ${selector} [${index}] is cut by ${name(clip)}`);
        }
      });
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth) problems.push(`the page is ${page.scrollWidth} pixels wide in a window of ${page.clientWidth}`);
  if (page.scrollHeight > page.clientHeight) problems.push(`the page is ${page.scrollHeight} pixels high in a window of ${page.clientHeight}`);
  return problems;
}

let folder: string;
let server: WebServerProcess;

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'keel-web-layout-'));
  await writeBuild(path.join(folder, 'dist'));
  server = await startWebServer(['--dist', path.join(folder, 'dist'), '--port', '0', '--machines', '2']);
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  rmSync(folder, { recursive: true, force: true });
});

const SWAP_LINE = /^swap: kv 1\.0\.0 -> 2\.0\.0: quiescent in [\d.]+ ms, callers paused [\d.]+ ms, 0 state entries transferred, 1 text frame freed, [\d.]+ ms in all$/;

describe('npm run web on a laptop’s screen', () => {
  it.each([
    [1024, 768],
    [1280, 720],
    [1600, 1000],
  ])('at %i×%i: everything in sight, a one-frame module large enough to see, words whole, what was typed on the chart', async (width, height) => {
    const browser = await launchBrowser({ width, height });
    try {
      const keel = await openKeel(browser.context, server.url);
      expect(await keel.run('modprobe workload')).toEqual([]);
      const swapRows = await keel.run('swap kv');
      await keel.untilModules((rows) => rows.some(([name, version]) => name === 'kv' && version === '2.0.0') && rows.some(([name]) => name === 'swap'));
      // Each module in the colour its name gives it, in this session as in every other, whatever loaded first.
      const workload = await keel.legendColour('workload');
      expect([workload, await keel.legendColour('kv'), await keel.legendColour('swap')]).toEqual(['workload', 'kv', 'swap'].map((name) => textColour(name)));
      const colours = await keel.untilColours((all) => all.includes(workload));

      // The terminal fits its panel, and the swap's line of 130 characters breaks between words.
      if (width < 1600) expect(swapRows.length).toBeGreaterThan(1);
      expect(swapRows.join(' ')).toMatch(SWAP_LINE);

      // A module of one frame is a cell of 8 pixels or more, not a dot.
      const workloadFrames = colours.flatMap((colour, frame) => (colour === workload ? [frame] : []));
      expect(workloadFrames).toHaveLength(1);
      const layout = await keel.layout();
      expect(workloadFrames[0]!).toBeLessThan(layout.shown);
      expect(layout.pitch - layout.gap).toBeGreaterThanOrEqual(8);
      expect(await keel.hover(workloadFrames[0]!)).toMatch(/ · workload 1\.0\.0 text$/);
      await keel.page.mouse.move(0, 0);

      // The chart: the command typed is labelled; hovering its mark says what was typed and what it did; a frame is a visible step.
      const chart = () => keel.page.evaluate(() => {
        const canvas = document.getElementById('timeline') as unknown as { dataset: Record<string, string> };
        return { marks: canvas.dataset.marks ?? '[]', axis: canvas.dataset.framesAxis ?? '{}' };
      });
      const box = (await keel.page.locator('#timeline').boundingBox())!;
      // Hovers each mark labelled `swap kv`; read again if the chart was drawn anew meanwhile (a sample moves its right edge, and the marks with it).
      for (;;) {
        const swapMarks = (JSON.parse((await chart()).marks) as Array<{ x: number; label: string; labelled: boolean }>).filter((mark) => mark.label === 'swap kv');
        expect(swapMarks.some((mark) => mark.labelled)).toBe(true);
        const hovered: string[] = [];
        for (const mark of swapMarks) {
          await keel.page.mouse.move(box.x + mark.x, box.y + box.height / 2);
          hovered.push((await keel.page.textContent('#chart-tooltip')) ?? '');
        }
        if (hovered.join('\n').includes('typed: swap kv') && /\d s {2}swapped: kv /.test(hovered.join('\n'))) break;
      }
      const axis = JSON.parse((await chart()).axis) as { low: number; high: number; top: number; bottom: number };
      expect((axis.bottom - axis.top) / (axis.high - axis.low)).toBeGreaterThanOrEqual(3);
      await keel.page.mouse.move(0, 0);

      expect(await keel.page.evaluate(outOfSight, PANELS)).toEqual([]);
      const screenshot = width === 1280 && process.env.KEEL_SCREENSHOT ? process.env.KEEL_SCREENSHOT : path.join(folder, `web-page-${width}.png`);
      await keel.page.screenshot({ path: screenshot });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      await keel.page.close();
    } finally {
      await browser.close();
      await server.idle();
    }
  });
});
