/*
 * The physical memory map: a canvas with a cell per frame of the used part of memory and a band
 * for the free frames above it (map-layout.ts), each cell coloured by the frame's owner
 * (owner-colours.ts) as the page's copy of the kernel's frame table says. The map fills the
 * area the page gives it. An update redraws only the frames it changed, or the whole map when the used
 * part outgrew what is shown; hovering a cell names its frame, address and owner, hovering the
 * band its frames; a highlighted module keeps its colours while every other frame fades. The
 * canvas carries its layout as JSON in data-layout, so that a test finds each frame's cell.
 */
import { cellOf, formatAddress, frameAt, inBand, labelledRows, mapLayout, shownFrames, type MapLayout } from './map-layout.ts';
import { FREE_COLOUR, BOOT_REGIONS, ownerColour } from './owner-colours.ts';
import type { PictureState, Run } from './picture-state.ts';

/** How far a frame that is not highlighted fades towards the background (0: not at all, 1: gone). */
const FADE = 0.75;

/** `colour` mixed with white: the faded look of frames outside the highlight. */
function faded(colour: string): string {
  const value = Number.parseInt(colour.slice(1), 16);
  const mix = (shift: number) => Math.round(((value >> shift) & 255) * (1 - FADE) + 255 * FADE).toString(16).padStart(2, '0');
  return `#${mix(16)}${mix(8)}${mix(0)}`;
}

/** "kv 2.0.0 text", "ramdisk", "free": what the tooltip says owns a frame. */
export function describeOwner(state: PictureState, frame: number): string {
  const { id, owner, version } = state.frameOwner(frame);
  if (id === 0) return 'free';
  if (!owner) return `owner ${id} (its name is on its way)`;
  if (owner.kind === 'text' || owner.kind === 'data') return `${owner.label}${version ? ` ${version}` : ''} ${owner.kind}`;
  return BOOT_REGIONS.find((region) => region.kind === owner.kind)?.title ?? owner.kind;
}

/** "frames 256–4,095 free · 15 MiB": what the band says. */
export function describeBand(layout: MapLayout, frameSize: number): string {
  const free = layout.frames - layout.shown;
  const bytes = free * frameSize;
  const size = bytes >= 2 ** 20 ? `${Number((bytes / 2 ** 20).toFixed(1))} MiB` : `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `frames ${layout.shown.toLocaleString('en-US')}–${(layout.frames - 1).toLocaleString('en-US')} free · ${size}`;
}

export class MemoryMap {
  layout: MapLayout;
  private highlighted: Set<number> | null = null;
  private readonly context: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement,
    private readonly state: PictureState,
    /** The box the map may fill, in pixels: the page gives it the panel's room beside the legend. */
    private readonly area: () => { width: number; height: number },
  ) {
    this.context = canvas.getContext('2d', { alpha: false })!;
    this.layout = this.fitted(0);
    canvas.addEventListener('mousemove', (event) => this.hover(event));
    canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    this.resize();
  }

  /** Lays the map out again for its area and redraws it all. */
  resize(): void {
    this.layout = this.fitted(this.layout.shown);
    this.canvas.width = this.layout.width;
    this.canvas.height = this.layout.height;
    this.canvas.dataset.layout = JSON.stringify(this.layout);
    this.drawAll();
  }

  /** Keeps the colours of these owners' frames and fades the rest; null shows every frame as it is. */
  highlight(owners: Set<number> | null): void {
    this.highlighted = owners;
    this.drawAll();
  }

  /** Redraws the frames of `runs` (all of the map if the used part no longer fits what is shown); returns how many cells that was. */
  drawRuns(runs: Run[]): number {
    if (shownFrames(this.state.frames, this.layout.shown, this.state.usedEnd) !== this.layout.shown) {
      this.resize();
      return this.layout.shown;
    }
    let cells = 0;
    for (const { first, count } of runs) {
      for (let frame = first; frame < Math.min(first + count, this.layout.shown); frame++) this.drawCell(frame);
      cells += count;
    }
    return cells;
  }

  drawAll(): void {
    const { context, layout } = this;
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, layout.width, layout.height);
    context.fillStyle = '#5f6368';
    context.font = '11px ui-monospace, "DejaVu Sans Mono", monospace';
    context.textAlign = 'right';
    context.textBaseline = 'top';
    for (const row of labelledRows(layout)) {
      context.fillText(formatAddress(row * layout.columns * this.state.frameSize), layout.gutter - 6, row * layout.pitch);
    }
    for (let frame = 0; frame < layout.shown; frame++) this.drawCell(frame);
    if (layout.band) {
      const { y, height } = layout.band;
      context.fillStyle = '#5f6368';
      context.fillText(formatAddress(layout.shown * this.state.frameSize), layout.gutter - 6, y + 5);
      context.fillStyle = FREE_COLOUR;
      context.fillRect(layout.gutter, y, layout.width - layout.gutter, height);
      context.fillStyle = '#5f6368';
      context.textAlign = 'left';
      context.textBaseline = 'middle';
      context.font = '12px system-ui, sans-serif';
      context.fillText(describeBand(layout, this.state.frameSize), layout.gutter + 8, y + height / 2, layout.width - layout.gutter - 12);
    }
  }

  /** The layout for the area now, showing at least the used part of memory. */
  private fitted(current: number): MapLayout {
    const { width, height } = this.area();
    return mapLayout(this.state.frames, shownFrames(this.state.frames, current, this.state.usedEnd), width, height);
  }

  private drawCell(frame: number): void {
    const id = this.state.table[frame]!;
    const colour = ownerColour(this.state.owners.get(id), id === 0);
    const { x, y, size } = cellOf(this.layout, frame);
    const dim = this.highlighted !== null && !this.highlighted.has(id) && colour !== FREE_COLOUR;
    this.context.fillStyle = dim ? faded(colour) : colour;
    this.context.fillRect(x, y, size, size);
  }

  private hover(event: MouseEvent): void {
    const bounds = this.canvas.getBoundingClientRect();
    const x = event.clientX - bounds.left;
    const y = event.clientY - bounds.top;
    const frame = frameAt(this.layout, x, y);
    if (frame !== null) this.tooltip.textContent = `frame ${frame} · ${formatAddress(frame * this.state.frameSize)} · ${describeOwner(this.state, frame)}`;
    else if (inBand(this.layout, x, y)) this.tooltip.textContent = describeBand(this.layout, this.state.frameSize);
    else {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.hidden = false;
    // Left of the pointer in the right half, so that the tooltip stays inside the panel.
    const left = x > bounds.width / 2;
    this.tooltip.style.left = left ? '' : `${x + 14}px`;
    this.tooltip.style.right = left ? `${bounds.width - x + 14}px` : '';
    this.tooltip.style.top = `${y + 14}px`;
  }
}
