/*
 * The memory map's geometry (web/page/map-layout.ts): the used part of memory is shown as cells
 * and the free rest as a band; every shown frame gets a cell of its own inside the canvas, the
 * point at a cell's centre (or anywhere in it) is that frame, points outside the cells are
 * none; the cells are as large as the box allows, so that a machine's 200 used frames are
 * large enough to see; and the shown part grows at once but shrinks only when far too large.
 */
import { describe, expect, it } from 'vitest';
import { BAND_GAP, BAND_HEIGHT, cellOf, formatAddress, frameAt, GUTTER, inBand, labelledRows, LABEL_SPACING, mapLayout, MAX_PITCH, shownFrames, SHOWN_GRAIN } from '../map-layout.ts';

describe('shownFrames', () => {
  it('shows the used frames and a margin, in whole grains, and all of memory once that is most of it', () => {
    expect(shownFrames(4096, 0, 193)).toBe(256);
    expect(shownFrames(4096, 0, 0)).toBe(SHOWN_GRAIN);
    expect(shownFrames(4096, 0, 2000)).toBe(2560);
    expect(shownFrames(4096, 0, 3000)).toBe(4096);
    expect(shownFrames(16384, 0, 193)).toBe(256);
  });

  it('grows as soon as a used frame is outside, and shrinks only once the used end is under half', () => {
    expect(shownFrames(4096, 256, 200)).toBe(256);
    expect(shownFrames(4096, 256, 257)).toBe(384);
    expect(shownFrames(4096, 384, 200)).toBe(384);
    expect(shownFrames(4096, 384, 150)).toBe(192);
    expect(shownFrames(4096, 4096, 3000)).toBe(4096);
  });
});

describe('mapLayout', () => {
  it('gives 256 shown frames of 16 MiB cells of 17 pixels in a 400 × 300 box, the rest a band below', () => {
    const layout = mapLayout(4096, 256, 400, 300);
    expect(layout).toMatchObject({ shown: 256, columns: 16, rows: 16, pitch: 17, gap: 1 });
    expect(layout.band).toEqual({ y: 16 * 17 + BAND_GAP, height: BAND_HEIGHT });
    expect(layout.height).toBeLessThanOrEqual(300);
    expect(layout.width).toBeLessThanOrEqual(400);
    expect(inBand(layout, GUTTER + 1, layout.band!.y + 1)).toBe(true);
    expect(inBand(layout, GUTTER + 1, 1)).toBe(false);
    expect(frameAt(layout, GUTTER + 1, layout.band!.y + 1)).toBeNull();
  });

  it('shows all of memory without a band when asked to', () => {
    const layout = mapLayout(4096, 4096, 700, 700);
    expect(layout).toMatchObject({ columns: 64, rows: 64, pitch: 9, band: null, height: 576 });
  });

  it.each([
    [1, 1], [3, 3], [17, 17], [4096, 256], [4096, 4096], [16384, 320], [70000, 70000], [1 << 20, 1 << 20],
  ])('gives each of %i frames (%i shown) its own cell inside the canvas, and finds it again', (frames, shown) => {
    const layout = mapLayout(frames, shown, 640, 480);
    expect(layout.columns * layout.rows).toBeGreaterThanOrEqual(shown);
    expect(layout.width).toBeLessThanOrEqual(Math.max(640, GUTTER + layout.columns));
    const seen = new Set<string>();
    const step = Math.max(1, Math.floor(shown / 5000));
    for (let frame = 0; frame < shown; frame += step) {
      const { x, y, size } = cellOf(layout, frame);
      expect(size).toBeGreaterThanOrEqual(1);
      expect(x).toBeGreaterThanOrEqual(layout.gutter);
      expect(x + size).toBeLessThanOrEqual(layout.width);
      expect(y + size).toBeLessThanOrEqual(layout.band ? layout.band.y : layout.height);
      seen.add(`${x},${y}`);
      expect(frameAt(layout, x + size / 2, y + size / 2)).toBe(frame);
      expect(frameAt(layout, x, y)).toBe(frame);
      expect(frameAt(layout, x + layout.pitch - 0.01, y + layout.pitch - 0.01)).toBe(frame);
    }
    expect(seen.size).toBe(Math.ceil(shown / step));
  });

  it('finds no frame in the gutter, past the last column or row, or past the shown frames in the last row', () => {
    const layout = mapLayout(100, 100, 400, 400);
    expect(100 % layout.columns).not.toBe(0);
    expect(frameAt(layout, GUTTER - 1, 5)).toBeNull();
    expect(frameAt(layout, layout.width, 5)).toBeNull();
    expect(frameAt(layout, GUTTER + 1, layout.height)).toBeNull();
    expect(frameAt(layout, GUTTER + 1, -1)).toBeNull();
    const last = cellOf(layout, 99);
    expect(frameAt(layout, last.x + layout.pitch, last.y)).toBeNull();
  });

  it('keeps cells between 1 pixel and MAX_PITCH, with a gap only when cells are large enough for one', () => {
    expect(mapLayout(16, 16, 2000, 2000)).toMatchObject({ pitch: MAX_PITCH, gap: 1 });
    expect(mapLayout(1 << 20, 1 << 20, 640, 480)).toMatchObject({ pitch: 1, gap: 0 });
    expect(mapLayout(16384, 16384, 380, 380)).toMatchObject({ pitch: 2, gap: 0 });
  });

  it('labels rows far enough apart to read, starting with the first, and prints addresses with eight hex digits', () => {
    for (const shown of [256, 4096, 16384, 1 << 20]) {
      const layout = mapLayout(1 << 20, shown, 640, 480);
      const rows = labelledRows(layout);
      expect(rows[0]).toBe(0);
      for (let index = 1; index < rows.length; index++) expect((rows[index]! - rows[index - 1]!) * layout.pitch).toBeGreaterThanOrEqual(LABEL_SPACING);
    }
    expect(formatAddress(0)).toBe('0x00000000');
    expect(formatAddress(128 * 4096)).toBe('0x00080000');
    expect(formatAddress(2 ** 32 - 4096)).toBe('0xfffff000');
  });
});
