/*
 * The physical memory map: a canvas with a cell per frame (map-layout.ts), coloured by the
 * frame's owner (owner-colours.ts) as the page's copy of the kernel's frame table says. An
 * update redraws only the frames it changed; hovering a cell names its frame, address and
 * owner; a highlighted module keeps its colours while every other frame fades.
 */
import { cellOf, formatAddress, frameAt, labelledRows, mapLayout, type MapLayout } from './map-layout.ts';
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

export class MemoryMap {
  layout: MapLayout;
  private highlighted: Set<number> | null = null;
  private readonly context: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement,
    private readonly state: PictureState,
  ) {
    this.context = canvas.getContext('2d', { alpha: false })!;
    this.layout = mapLayout(state.frames, canvas.parentElement?.clientWidth ?? 600);
    canvas.addEventListener('mousemove', (event) => this.hover(event));
    canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    this.resize();
  }

  /** Lays the map out again for its element's width and redraws it all. */
  resize(): void {
    this.layout = mapLayout(this.state.frames, this.canvas.parentElement?.clientWidth ?? 600);
    this.canvas.width = this.layout.width;
    this.canvas.height = this.layout.height;
    this.drawAll();
  }

  /** Keeps the colours of these owners' frames and fades the rest; null shows every frame as it is. */
  highlight(owners: Set<number> | null): void {
    this.highlighted = owners;
    this.drawAll();
  }

  /** Redraws the frames of `runs`; returns how many cells that was. */
  drawRuns(runs: Run[]): number {
    let cells = 0;
    for (const { first, count } of runs) {
      for (let frame = first; frame < first + count; frame++) this.drawCell(frame);
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
    for (let frame = 0; frame < layout.frames; frame++) this.drawCell(frame);
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
    const frame = frameAt(this.layout, event.clientX - bounds.left, event.clientY - bounds.top);
    if (frame === null) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = `frame ${frame} · ${formatAddress(frame * this.state.frameSize)} · ${describeOwner(this.state, frame)}`;
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${event.clientX - bounds.left + 14}px`;
    this.tooltip.style.top = `${event.clientY - bounds.top + 14}px`;
  }
}
