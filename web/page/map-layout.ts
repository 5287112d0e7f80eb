/*
 * Where each frame's cell is on the memory map. The map draws the used part of memory — the
 * frames up to the highest one in use, and a margin — as cells large enough to see a module of
 * one frame, and the free frames above that as one band ("frames 256–4,095 free"): a machine
 * of 16 MiB uses some 200 of its 4,096 frames, and cells for all of them would make the used
 * ones dots. Frames go in rows of `columns`, the lowest address at the top left, as a hex dump
 * lays out bytes; the gutter at the left holds some rows' start addresses. Cells are square,
 * `pitch` pixels apart, with a pixel of gap between them once they are large enough for one.
 *
 *   const shown = shownFrames(4096, 0, 193);      // 256: the used end, a margin, rounded up
 *   const layout = mapLayout(4096, shown, 400, 300);
 *   cellOf(layout, 130);                          // { x, y, size }
 *   frameAt(layout, x, y);                        // the frame under a point, or null
 *   inBand(layout, x, y);                         // whether a point is on the free band
 *
 * Pure geometry, no DOM: the unit tests check it (web/page/__tests__/map-layout.test.ts).
 */

/** Pixels at the left for row addresses ("0x03f80000"). */
export const GUTTER = 76;
/** The largest pitch: a small machine still gets cells of a sensible size. */
export const MAX_PITCH = 24;
/** Rows closer than this many pixels do not each get an address label. */
export const LABEL_SPACING = 14;
/** The free band's height, and the space above it. */
export const BAND_HEIGHT = 22;
export const BAND_GAP = 6;
/** The shown part of memory is a whole number of these frames. */
export const SHOWN_GRAIN = 64;

export interface MapLayout {
  frames: number;
  /** Frames drawn as cells, from frame 0; the rest are the free band. */
  shown: number;
  columns: number;
  rows: number;
  /** Pixels from one cell's start to the next; the cell is `pitch - gap` wide. */
  pitch: number;
  gap: number;
  gutter: number;
  width: number;
  height: number;
  /** Where the band of free frames `shown`..`frames - 1` is, or null if every frame is a cell. */
  band: { y: number; height: number } | null;
}

/**
 * How many frames from 0 the map draws as cells, given what it draws now (`current`, 0 at
 * first) and the end of the used frames (the highest in use, plus one). It grows at once when a
 * used frame falls outside it, to the used end and a quarter more (at least half a grain),
 * rounded up to SHOWN_GRAIN; it shrinks only once the used end is under half of it, so that
 * a module loaded and unloaded does not make the map jump. All of memory once that is most of it.
 */
export function shownFrames(frames: number, current: number, usedEnd: number): number {
  if (current > 0 && usedEnd <= current && usedEnd * 2 > current) return current;
  const wanted = Math.ceil((usedEnd + Math.max(SHOWN_GRAIN / 2, usedEnd / 4)) / SHOWN_GRAIN) * SHOWN_GRAIN;
  return wanted * 4 >= frames * 3 ? frames : wanted;
}

/** A layout for `shown` of `frames` cells in a box of `width` × `height` pixels: the power-of-two count of columns that gives the largest cells (of equals, the most columns). */
export function mapLayout(frames: number, shown: number, width: number, height: number): MapLayout {
  const count = Math.max(1, Math.floor(frames));
  const cells = Math.min(count, Math.max(1, Math.floor(shown)));
  const band = cells < count;
  const cellHeight = height - (band ? BAND_GAP + BAND_HEIGHT : 0);
  let best = { columns: 1, pitch: 0 };
  for (let columns = 2 ** Math.min(10, Math.ceil(Math.log2(cells))); columns >= 1; columns /= 2) {
    const rows = Math.ceil(cells / columns);
    const pitch = Math.min(MAX_PITCH, Math.floor((width - GUTTER) / columns), Math.floor(cellHeight / rows));
    if (pitch > best.pitch) best = { columns, pitch };
  }
  const { columns } = best;
  const pitch = Math.max(1, best.pitch);
  const rows = Math.ceil(cells / columns);
  const gap = pitch >= 4 ? 1 : 0;
  const cellsHeight = rows * pitch;
  return {
    frames: count, shown: cells, columns, rows, pitch, gap, gutter: GUTTER, width: GUTTER + columns * pitch,
    height: cellsHeight + (band ? BAND_GAP + BAND_HEIGHT : 0),
    band: band ? { y: cellsHeight + BAND_GAP, height: BAND_HEIGHT } : null,
  };
}

/** The square a frame is drawn in (a frame of the band has none: see `band`). */
export function cellOf(layout: MapLayout, frame: number): { x: number; y: number; size: number } {
  const row = Math.floor(frame / layout.columns);
  const column = frame - row * layout.columns;
  return { x: layout.gutter + column * layout.pitch, y: row * layout.pitch, size: layout.pitch - layout.gap };
}

/** The frame whose cell (or the gap after it) holds the point, or null outside the cells. */
export function frameAt(layout: MapLayout, x: number, y: number): number | null {
  if (x < layout.gutter || y < 0) return null;
  const column = Math.floor((x - layout.gutter) / layout.pitch);
  const row = Math.floor(y / layout.pitch);
  if (column >= layout.columns || row >= layout.rows) return null;
  const frame = row * layout.columns + column;
  return frame < layout.shown ? frame : null;
}

/** Whether the point is on the band of free frames. */
export function inBand(layout: MapLayout, x: number, y: number): boolean {
  return layout.band !== null && x >= layout.gutter && x < layout.width && y >= layout.band.y && y < layout.band.y + layout.band.height;
}

/** Rows that get an address label: every k-th, k a power of two that keeps labels LABEL_SPACING apart. */
export function labelledRows(layout: MapLayout): number[] {
  const every = 2 ** Math.max(0, Math.ceil(Math.log2(LABEL_SPACING / layout.pitch)));
  const rows: number[] = [];
  for (let row = 0; row < layout.rows; row += every) rows.push(row);
  return rows;
}

/** A physical address as the map and its tooltip print it: 0x and eight hex digits. */
export const formatAddress = (address: number): string => `0x${address.toString(16).padStart(8, '0')}`;
