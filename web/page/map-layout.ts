/*
 * Where each frame's cell is on the memory map. Frames go in rows of `columns`, the lowest
 * address at the top left, as a hex dump lays out bytes; the gutter at the left holds some
 * rows' start addresses. Cells are square, `pitch` pixels apart, with a pixel of gap between
 * them once they are large enough for one.
 *
 *   const layout = mapLayout(16384, 600);    // 64 MiB: 128 columns, 128 rows, 4-pixel pitch
 *   cellOf(layout, 130);                     // { x, y, size }: column 2 of row 1
 *   frameAt(layout, x, y);                   // the frame under a point, or null
 *
 * Pure geometry, no DOM: the unit tests check it (web/page/__tests__/map-layout.test.ts).
 */

/** Pixels at the left for row addresses ("0x03f80000"). */
export const GUTTER = 76;
/** The largest pitch: a small machine still gets cells of a sensible size. */
export const MAX_PITCH = 24;
/** Rows closer than this many pixels do not each get an address label. */
export const LABEL_SPACING = 14;

export interface MapLayout {
  frames: number;
  columns: number;
  rows: number;
  /** Pixels from one cell's start to the next; the cell is `pitch - gap` wide. */
  pitch: number;
  gap: number;
  gutter: number;
  width: number;
  height: number;
}

/** A layout for `frames` cells in about `width` pixels: as many columns as the power of two at or above √frames, so the map is about square. */
export function mapLayout(frames: number, width: number): MapLayout {
  const count = Math.max(1, Math.floor(frames));
  const columns = 2 ** Math.ceil(Math.log2(Math.sqrt(count)));
  const rows = Math.ceil(count / columns);
  const pitch = Math.min(MAX_PITCH, Math.max(1, Math.floor((width - GUTTER) / columns)));
  const gap = pitch >= 4 ? 1 : 0;
  return { frames: count, columns, rows, pitch, gap, gutter: GUTTER, width: GUTTER + columns * pitch, height: rows * pitch };
}

/** The square a frame is drawn in. */
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
  return frame < layout.frames ? frame : null;
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
