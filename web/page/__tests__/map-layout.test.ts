/*
 * The memory map's geometry (web/page/map-layout.ts): every frame gets a cell of its own inside
 * the canvas, the point at a cell's centre (or anywhere in it) is that frame, points outside
 * the cells are none, and the layout stays square-ish and readable from a 1 MiB machine to a
 * 4 GiB one.
 */
import { describe, expect, it } from 'vitest';
import { cellOf, formatAddress, frameAt, GUTTER, labelledRows, LABEL_SPACING, mapLayout, MAX_PITCH } from '../map-layout.ts';

describe('mapLayout', () => {
  it('lays 64 MiB out as 128 rows of 128 frames, 16 MiB as 64 of 64', () => {
    expect(mapLayout(16384, 600)).toMatchObject({ columns: 128, rows: 128, pitch: 4, gap: 1 });
    expect(mapLayout(4096, 700)).toMatchObject({ columns: 64, rows: 64, pitch: 9, gap: 1, width: GUTTER + 64 * 9, height: 64 * 9 });
  });

  it.each([1, 2, 3, 17, 256, 3000, 4096, 16384, 70000, 1 << 20])('gives each of %i frames its own cell inside the canvas, and finds it again', (frames) => {
    const layout = mapLayout(frames, 640);
    expect(layout.columns * layout.rows).toBeGreaterThanOrEqual(frames);
    expect(layout.rows).toBeLessThanOrEqual(layout.columns);
    const seen = new Set<string>();
    const step = Math.max(1, Math.floor(frames / 5000));
    for (let frame = 0; frame < frames; frame += step) {
      const { x, y, size } = cellOf(layout, frame);
      expect(size).toBeGreaterThanOrEqual(1);
      expect(x).toBeGreaterThanOrEqual(layout.gutter);
      expect(x + size).toBeLessThanOrEqual(layout.width);
      expect(y + size).toBeLessThanOrEqual(layout.height);
      seen.add(`${x},${y}`);
      expect(frameAt(layout, x + size / 2, y + size / 2)).toBe(frame);
      expect(frameAt(layout, x, y)).toBe(frame);
      expect(frameAt(layout, x + layout.pitch - 0.01, y + layout.pitch - 0.01)).toBe(frame);
    }
    expect(seen.size).toBe(Math.ceil(frames / step));
  });

  it('finds no frame in the gutter, past the last column or row, or in the unused end of the last row', () => {
    const layout = mapLayout(100, 400);
    expect(layout.columns).toBe(16);
    expect(frameAt(layout, GUTTER - 1, 5)).toBeNull();
    expect(frameAt(layout, layout.width, 5)).toBeNull();
    expect(frameAt(layout, GUTTER + 1, layout.height)).toBeNull();
    expect(frameAt(layout, GUTTER + 1, -1)).toBeNull();
    const last = cellOf(layout, 99);
    expect(frameAt(layout, last.x + layout.pitch, last.y)).toBeNull();
  });

  it('keeps cells between 1 pixel and MAX_PITCH, with a gap only when cells are large enough for one', () => {
    expect(mapLayout(16, 2000)).toMatchObject({ pitch: MAX_PITCH, gap: 1 });
    expect(mapLayout(1 << 20, 640)).toMatchObject({ columns: 1024, pitch: 1, gap: 0 });
    expect(mapLayout(16384, 380)).toMatchObject({ pitch: 2, gap: 0 });
  });

  it('labels rows far enough apart to read, starting with the first, and prints addresses with eight hex digits', () => {
    for (const frames of [256, 4096, 16384, 1 << 20]) {
      const layout = mapLayout(frames, 640);
      const rows = labelledRows(layout);
      expect(rows[0]).toBe(0);
      for (let index = 1; index < rows.length; index++) expect((rows[index]! - rows[index - 1]!) * layout.pitch).toBeGreaterThanOrEqual(LABEL_SPACING);
    }
    expect(formatAddress(0)).toBe('0x00000000');
    expect(formatAddress(128 * 4096)).toBe('0x00080000');
    expect(formatAddress(2 ** 32 - 4096)).toBe('0xfffff000');
  });
});
