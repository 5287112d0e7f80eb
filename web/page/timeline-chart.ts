/*
 * The chart over time: frames in use (left axis) and the host engine's compiled code bytes —
 * the figure `free` prints (right axis) — over the last two minutes, with a mark for each module
 * loaded, unloaded, swapped, found a zombie or whose code the host reclaimed, so that a person
 * sees an unload give frames back at once and the code go some tens of milliseconds later.
 */
import type { ModuleEventKind } from '../protocol/messages.ts';
import { CHART_WINDOW_MS, type PictureState } from './picture-state.ts';

export const FRAMES_COLOUR = '#1a73e8';
export const CODE_COLOUR = '#e37400';

/** The events the chart marks, their colours and the word written beside the mark. */
export const MARKS: Partial<Record<ModuleEventKind, { colour: string; word: string }>> = {
  loaded: { colour: '#188038', word: 'load' },
  unloaded: { colour: '#5f6368', word: 'unload' },
  swapped: { colour: '#9334e6', word: 'swap' },
  reclaimed: { colour: '#12b5cb', word: 'reclaimed' },
  zombie: { colour: '#d93025', word: 'zombie' },
};

const PADDING = { left: 56, right: 64, top: 18, bottom: 22 };

/** A round step for an axis from 0 to `top`, about `ticks` steps. */
function step(top: number, ticks: number): number {
  const raw = top / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw)!;
}

export function drawChart(canvas: HTMLCanvasElement, state: PictureState): void {
  const width = canvas.parentElement?.clientWidth ?? 600;
  const height = 220;
  if (canvas.width !== width) canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  const end = Math.max(state.latest, CHART_WINDOW_MS / 4);
  const start = Math.max(0, end - CHART_WINDOW_MS);
  const plot = { left: PADDING.left, right: width - PADDING.right, top: PADDING.top, bottom: height - PADDING.bottom };
  const x = (time: number) => plot.left + ((time - start) / (end - start)) * (plot.right - plot.left);
  const framesTop = Math.max(16, ...state.samples.map((sample) => sample.framesUsed)) * 1.15;
  const codeTop = Math.max(1e6, ...state.samples.map((sample) => sample.codeBytes)) * 1.15;
  const y = (value: number, top: number) => plot.bottom - (value / top) * (plot.bottom - plot.top);

  context.font = '11px system-ui, sans-serif';
  context.strokeStyle = '#e8eaed';
  context.fillStyle = '#5f6368';
  context.textBaseline = 'middle';
  const framesStep = step(framesTop, 4);
  for (let value = 0; value <= framesTop; value += framesStep) {
    context.beginPath();
    context.moveTo(plot.left, y(value, framesTop));
    context.lineTo(plot.right, y(value, framesTop));
    context.stroke();
    context.textAlign = 'right';
    context.fillText(String(value), plot.left - 6, y(value, framesTop));
  }
  const codeStep = step(codeTop / 1e6, 4);
  context.textAlign = 'left';
  for (let value = 0; value <= codeTop / 1e6; value += codeStep) context.fillText(`${Number(value.toFixed(1))} MB`, plot.right + 6, y(value * 1e6, codeTop));
  context.textAlign = 'center';
  context.textBaseline = 'top';
  for (let seconds = Math.ceil(start / 20_000) * 20; seconds * 1000 <= end; seconds += 20) context.fillText(`${seconds} s`, x(seconds * 1000), plot.bottom + 6);

  let lastLabel = -Infinity;
  for (const mark of state.marks) {
    const style = MARKS[mark.event];
    if (!style) continue;
    // On a pixel's centre, so that a 1-pixel mark is one column in exactly its colour, not two faint ones.
    const at = Math.round(x(mark.time)) + 0.5;
    context.strokeStyle = style.colour;
    context.lineWidth = mark.event === 'zombie' ? 3 : 1;
    context.beginPath();
    context.moveTo(at, plot.top);
    context.lineTo(at, plot.bottom);
    context.stroke();
    if (at - lastLabel < 70) continue;
    lastLabel = at;
    context.fillStyle = style.colour;
    context.textAlign = 'left';
    context.fillText(`${style.word} ${mark.name}`, at + 3, 2);
  }
  context.lineWidth = 2;
  const series = (value: (sample: (typeof state.samples)[number]) => number, top: number, colour: string) => {
    context.strokeStyle = colour;
    context.beginPath();
    state.samples.forEach((sample, index) => {
      const point = [x(sample.time), y(value(sample), top)] as const;
      if (index === 0) context.moveTo(...point);
      else context.lineTo(...point);
    });
    context.stroke();
  };
  series((sample) => sample.framesUsed, framesTop, FRAMES_COLOUR);
  series((sample) => sample.codeBytes, codeTop, CODE_COLOUR);
  context.lineWidth = 1;
}
