/*
 * Driving keel's web page in a real browser (test/browser.ts), as a person uses it: typing in
 * its terminal, reading the terminal's rows, the map's pixels, its tooltip, the legend and the
 * module list. Every wait is on what the page shows, none on a clock: the terminal's rows are
 * read again when the page changes them (a MutationObserver in the page), the map, legend and
 * tooltip once per animation frame. Waiting on the terminal costs the browser nothing while
 * the machine works — `run` waits in the page, one evaluation a step, so that nothing crosses
 * to the driver until the next prompt is drawn — so the benchmark (figure 8) can drive a
 * machine through its page.
 *
 *   const keel = await openKeel(context, url);
 *   await keel.run('modprobe kv');           // types it, resolves once the next prompt is up
 *   keel.frameColours();                     // the colour of every frame's cell, as drawn (the free band's for those above the used part)
 */
import type { BrowserContext, Page } from 'playwright-core';
import { cellOf, type MapLayout } from '../web/page/map-layout.ts';

/** The few DOM types the functions run in the page use (the tests are typed without the DOM's). */
interface PageElement {
  textContent: string | null;
  children: ArrayLike<PageElement>;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  hidden: boolean;
}
interface PageObserver {
  observe(target: PageElement, options: { childList: boolean; characterData: boolean; subtree: boolean }): void;
  disconnect(): void;
}
interface PageCanvas extends PageElement {
  dataset: Record<string, string | undefined>;
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } };
}
declare const document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): ArrayLike<PageElement> };
declare function getComputedStyle(element: PageElement): { backgroundColor: string };
declare function requestAnimationFrame(callback: () => void): number;
declare const MutationObserver: new (callback: () => void) => PageObserver;

export const PROMPT = 'keel#';

/** The terminal's rows as the page holds them (xterm.js's DOM renderer: one element a row). */
function terminalText(): string[] {
  const rows = document.querySelector('.xterm-rows');
  return rows ? Array.from(rows.children, (row) => row.textContent ?? '') : [];
}

/** Resolves in the page as soon as its terminal's rows are no longer `seen` (at once if they already differ). */
function terminalChange(seen: string[]): Promise<void> {
  return new Promise((resolve) => {
    const rows = document.querySelector('.xterm-rows')!;
    const observer = new MutationObserver(() => {
      observer.disconnect();
      resolve();
    });
    observer.observe(rows, { childList: true, characterData: true, subtree: true });
    const now = Array.from(rows.children, (row) => row.textContent ?? '');
    if (now.length !== seen.length || now.some((row, index) => row !== seen[index])) {
      observer.disconnect();
      resolve();
    }
  });
}

/** A row as a person reads it: xterm.js's non-breaking spaces as spaces, trailing blanks trimmed. */
const readable = (row: string) => row.replace(/\u00a0/g, ' ').trimEnd();

/** What `run` waits for, as data the page can check: the rows that are not blank are `exactly` these, or end with a prompt after `promptAfter` others. */
type RowsGoal = { exactly: string[] } | { promptAfter: number; prompt: string };

/**
 * Resolves in the page with the rows that are not blank, read as a person reads them, and when
 * (the page's clock, ms since 1970), once they reach `goal`. The whole wait is one evaluation:
 * nothing crosses to the driver while the machine works, so the browser's share of the two
 * cores is the page's own (the benchmark, figure 8).
 */
function rowsReach(goal: RowsGoal): Promise<{ rows: string[]; at: number }> {
  return new Promise((resolve) => {
    const rows = document.querySelector('.xterm-rows')!;
    // Run as text in the page, where the bundler's helper for function names is not: so the check is named by no variable.
    const checks = [() => {
      const filled = Array.from(rows.children, (row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()).filter((row) => row.trim() !== '');
      const reached = 'exactly' in goal
        ? filled.length === goal.exactly.length && filled.every((row, index) => row === goal.exactly[index])
        : filled.length > goal.promptAfter && filled[filled.length - 1] === goal.prompt;
      if (!reached) return;
      observer.disconnect();
      resolve({ rows: filled, at: performance.timeOrigin + performance.now() });
    }];
    const observer = new MutationObserver(() => checks[0]!());
    observer.observe(rows, { childList: true, characterData: true, subtree: true });
    checks[0]!();
  });
}

export interface KeelPage {
  page: Page;
  /** Frames of the machine, from the page's status line. */
  frames: number;
  /** Clears the screen, types `command`, and Enter once it shows; resolves with the rows it printed once the next prompt is up. */
  run(command: string): Promise<string[]>;
  /** For the last `run`: when Enter was pressed (this process's clock) and the next prompt drawn (the page's), both in ms since 1970. */
  lastEnter: { pressed: number; drawn: number };
  /** Types keys (playwright's names: 'Tab', 'Control+C', 'ArrowUp'), or text. */
  press(key: string): Promise<void>;
  type(text: string): Promise<void>;
  /** Resolves once a terminal row satisfies `check`. */
  untilRow(check: (row: string) => boolean): Promise<void>;
  rows(): Promise<string[]>;
  layout(): Promise<MapLayout>;
  /** Every frame's cell colour as drawn on the canvas (#rrggbb, read at the cell's centre; a frame of the free band, the band's). */
  frameColours(): Promise<string[]>;
  /** Resolves once `check` holds for the frame colours. */
  untilColours(check: (colours: string[]) => boolean): Promise<string[]>;
  /** Moves the mouse over a frame's cell; resolves with the tooltip's text. */
  hover(frame: number): Promise<string>;
  /** The text swatch (or data swatch) colour of a module in the legend. */
  legendColour(module: string, which?: 'text' | 'data'): Promise<string>;
  /** The module list's rows: name, version, size, users, state. */
  moduleRows(): Promise<string[][]>;
  untilModules(check: (rows: string[][]) => boolean): Promise<string[][]>;
}

const hex = (rgb: string) => `#${(rgb.match(/\d+/g) ?? []).slice(0, 3).map((part) => Number(part).toString(16).padStart(2, '0')).join('')}`;

/**
 * `step` again, in the new document, when the page navigated under it: the site (npm run site)
 * reloads itself once on a first visit, to be cross-origin isolated.
 */
async function acrossReload<Value>(step: () => Promise<Value>): Promise<Value> {
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (!/context was destroyed|navigat/i.test((error as Error).message)) throw error;
    }
  }
}

export async function openKeel(context: BrowserContext, url: string): Promise<KeelPage> {
  const page = await context.newPage();
  await page.goto(url);
  /** Resolves after the page's next animation frame: the next time it can have drawn anything. */
  const nextFrame = () => acrossReload(() => page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))));
  /** Resolves with the first value of `probe` that `check` accepts, probing once per animation frame. */
  const until = async <Value>(probe: () => Promise<Value>, check: (value: Value) => boolean): Promise<Value> => {
    for (;;) {
      const value = await acrossReload(probe);
      if (check(value)) return value;
      await nextFrame();
    }
  };
  const rows = async () => (await page.evaluate(terminalText)).map(readable);
  /** Resolves with the terminal's rows once `check` accepts them, reading them again each time the page changes them. */
  const untilRows = async (check: (rows: string[]) => boolean): Promise<string[]> => {
    for (;;) {
      const text = await acrossReload(() => page.evaluate(terminalText));
      const all = text.map(readable);
      if (check(all)) return all;
      await acrossReload(() => page.evaluate(terminalChange, text));
    }
  };
  const filled = (all: string[]) => all.filter((row) => row.trim() !== '');
  const status = await until(async () => (await page.textContent('#status')) ?? '', (text) => text.includes('frames of'));
  const frames = Number(/([\d,]+) frames of/.exec(status)![1]!.replace(/,/g, ''));
  await untilRows((all) => filled(all).at(-1) === PROMPT);
  await page.click('#terminal');
  /** The layout the map is drawn with now, as its canvas says (data-layout). */
  const layout = async () => JSON.parse((await page.evaluate(() => (document.querySelector('#memory-map') as PageCanvas).dataset.layout)) ?? 'null') as MapLayout;
  const frameColours = async (): Promise<string[]> => {
    const text = await page.evaluate(() => (document.querySelector('#memory-map') as PageCanvas).dataset.layout ?? 'null');
    const drawn = JSON.parse(text) as MapLayout;
    // The cells' centres, then for the frames above the shown ones (the free band) the band's left end, clear of its text.
    const points = Array.from({ length: Math.min(frames, drawn.shown) }, (_, frame) => {
      const { x, y, size } = cellOf(drawn, frame);
      return [Math.floor(x + size / 2), Math.floor(y + size / 2)];
    });
    if (drawn.band) points.push([drawn.gutter + 2, drawn.band.y + 2]);
    const colours = await page.evaluate(([expected, centres]) => {
      const canvas = document.querySelector('#memory-map') as PageCanvas;
      // Laid out again since the layout was read: the caller reads both again.
      if (canvas.dataset.layout !== expected) return null;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      return centres.map(([x, y]) => {
        const at = (y! * canvas.width + x!) * 4;
        return `#${[pixels[at]!, pixels[at + 1]!, pixels[at + 2]!].map((part) => part.toString(16).padStart(2, '0')).join('')}`;
      });
    }, [text, points] as const);
    if (colours === null) return frameColours();
    const band = drawn.band ? colours.pop()! : '';
    return Array.from({ length: frames }, (_, frame) => (frame < drawn.shown ? colours[frame]! : band));
  };
  const moduleRows = () => page.evaluate(() => Array.from(document.querySelectorAll('#module-rows tr'), (row) => Array.from(row.children, (cell) => cell.textContent ?? '')));
  const keel: KeelPage = {
    page,
    frames,
    lastEnter: { pressed: 0, drawn: 0 },
    async run(command) {
      await page.keyboard.type('clear\r');
      await page.evaluate(rowsReach, { exactly: [PROMPT] });
      // As a person does: type the command, see it on the screen, then press Enter.
      await page.keyboard.type(command);
      await page.evaluate(rowsReach, { exactly: [`${PROMPT} ${command}`] });
      // The wait starts before Enter, so that the page answers once, when the next prompt is drawn.
      const done = page.evaluate(rowsReach, { promptAfter: 1, prompt: PROMPT });
      const pressed = performance.timeOrigin + performance.now();
      // The key goes down, and comes up once the answer shows, as a person's finger does: a
      // keyup sent at once reached the page while the machine worked on the line.
      const [{ rows: drawn, at }] = await Promise.all([done, page.keyboard.down('Enter')]);
      await page.keyboard.up('Enter');
      keel.lastEnter = { pressed, drawn: at };
      return drawn.slice(1, -1);
    },
    press: (key) => page.keyboard.press(key),
    type: (text) => page.keyboard.type(text),
    untilRow: async (check) => void (await untilRows((all) => all.some(check))),
    rows,
    layout,
    frameColours,
    untilColours: (check) => until(frameColours, check),
    async hover(frame) {
      const map = await layout();
      const { x, y, size } = cellOf(map, frame);
      const box = (await page.locator('#memory-map').boundingBox())!;
      await page.mouse.move(box.x + x + size / 2, box.y + y + size / 2);
      return until(async () => (await page.textContent('#map-tooltip')) ?? '', (text) => text.startsWith(`frame ${frame} `));
    },
    async legendColour(module, which = 'text') {
      // Read in one evaluation: the legend is rebuilt with each drawing, and a swatch found once may be gone the next moment.
      const read = () => page.evaluate(([name, index]) => {
        const swatch = document.querySelectorAll(`#legend [data-module="${name}"] .swatch`)[index];
        return swatch ? getComputedStyle(swatch).backgroundColor : '';
      }, [module, which === 'text' ? 0 : 1] as const);
      return hex(await until(read, (colour) => colour.startsWith('rgb')));
    },
    moduleRows,
    untilModules: (check) => until(moduleRows, check),
  };
  return keel;
}

/** What npm start's line editing does, on a page: Tab completes a command and a module, Ctrl-C abandons the line, Up recalls the last one. */
export async function expectShellLineEditing(keel: KeelPage): Promise<void> {
  await keel.type('modpr');
  await keel.press('Tab');
  await keel.untilRow((row) => row === 'keel# modprobe');
  await keel.type('hel');
  await keel.press('Tab');
  await keel.untilRow((row) => row === 'keel# modprobe hello');
  await keel.press('Control+C');
  await keel.untilRow((row) => row === 'keel# modprobe hello ^C');
  // No vitest here: the bench drives pages with this file too.
  const answer = await keel.run('uname');
  if (answer.join('\n') !== 'keel') throw new Error(`uname after the abandoned line printed ${JSON.stringify(answer)}, not keel`);
  await keel.press('ArrowUp');
  await keel.untilRow((row) => row === 'keel# uname');
}
