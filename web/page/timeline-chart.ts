/*
 * The chart over time: frames in use (left axis) and the host engine's compiled code bytes —
 * the figure `free` prints (right axis) — over the last two minutes (at first, the time so far), each axis spanning its
 * data's range since the first command (chart-scale.ts), with a triangle for each line typed at the prompt and a line
 * for each module loaded, unloaded, swapped, found a zombie or whose code the host reclaimed,
 * so that a person sees an unload give frames back at once and the code go some tens of
 * milliseconds later. Labels go to what was typed first; hovering a mark says what happened
 * and when, hovering anywhere the two figures there. The key above it names every mark. The
 * canvas says what it drew for tests, as JSON: the frames axis (data-frames-axis) and each
 * mark's x, label and whether the label is written (data-marks); and whether the host's code
 * bytes are measured (data-host-code: 'measured', or what it says where a browser cannot tell).
 */
import { CHART_WINDOW_MS, type PictureState } from './picture-state.ts';
import { axisRange, chartMarks, COMMAND_COLOUR, MARKS, niceStep, placeLabels, samplesToSpan, type ChartMark } from './chart-scale.ts';

/** What the chart says where the host cannot measure its engine's code bytes (free says the same). */
export const HOST_CODE_NOT_MEASURABLE = 'host code: not measurable here';

export const FRAMES_COLOUR = '#1a73e8';
export const CODE_COLOUR = '#e37400';

/** Label rows above the plot, and their height. */
const LABEL_ROWS = 2;
const LABEL_HEIGHT = 14;
const PADDING = { left: 48, right: 56, top: LABEL_ROWS * LABEL_HEIGHT + 10, bottom: 20 };
/** The shortest the chart's window of time is, in the server's milliseconds. */
const MINIMUM_WINDOW_MS = 10_000;
/** How near the pointer a mark must be (pixels) for the hover to name it. */
const HOVER_REACH = 5;

const seconds = (time: number) => `${(time / 1000).toFixed(1)} s`;
const megabytes = (bytes: number, step: number) => `${(bytes / 1e6).toFixed(Math.max(0, -Math.floor(Math.log10(step / 1e6))))} MB`;

/** The key: each line and mark the chart draws, in its colour. */
export function renderChartKey(list: HTMLElement): void {
  const item = (className: string, colour: string, text: string) => {
    const entry = document.createElement('li');
    const sample = document.createElement('span');
    sample.className = className;
    if (className === 'command') sample.style.borderTopColor = colour;
    else sample.style.background = colour;
    entry.append(sample, text);
    return entry;
  };
  list.replaceChildren(
    item('line', FRAMES_COLOUR, 'frames in use (left)'),
    item('line', CODE_COLOUR, 'host code bytes (right)'),
    item('command', COMMAND_COLOUR, 'command typed'),
    ...Object.values(MARKS).map((style) => item('mark', style.colour, style.title)),
  );
}

export class TimelineChart {
  private marks: ChartMark[] = [];
  private x: (time: number) => number = () => 0;
  private time: (x: number) => number = () => 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement,
    private readonly state: PictureState,
  ) {
    canvas.addEventListener('mousemove', (event) => this.hover(event));
    canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
  }

  draw(): void {
    const { canvas, state } = this;
    const holder = canvas.parentElement;
    const width = Math.max(200, holder?.clientWidth ?? 600);
    const height = Math.max(120, holder?.clientHeight ?? 220);
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    // At first the window is short, so that the first minute is not crammed into the left of the chart.
    const end = Math.max(state.latest * 1.05, MINIMUM_WINDOW_MS);
    const start = Math.max(0, end - CHART_WINDOW_MS);
    const plot = { left: PADDING.left, right: width - PADDING.right, top: PADDING.top, bottom: height - PADDING.bottom };
    this.x = (time) => plot.left + ((time - start) / (end - start)) * (plot.right - plot.left);
    this.time = (x) => start + ((x - plot.left) / (plot.right - plot.left)) * (end - start);
    const spanned = samplesToSpan(state.samples, state.commands[0]?.time);
    const frames = axisRange(spanned.map((sample) => sample.framesUsed), 8);
    // A host that cannot measure its code bytes (a browser) sends null: the chart says so rather than draw a made-up line.
    const measured = spanned.flatMap((sample) => (sample.codeBytes === null ? [] : [sample.codeBytes]));
    const code = measured.length > 0 || spanned.length === 0 ? axisRange(measured, 200_000) : null;
    const y = (value: number, axis: { low: number; high: number }) => plot.bottom - ((value - axis.low) / (axis.high - axis.low)) * (plot.bottom - plot.top);

    context.font = '11px system-ui, sans-serif';
    context.strokeStyle = '#e8eaed';
    context.lineWidth = 1;
    context.textBaseline = 'middle';
    for (let value = frames.low; value <= frames.high + frames.step / 2; value += frames.step) {
      const at = Math.round(y(value, frames)) + 0.5;
      context.beginPath();
      context.moveTo(plot.left, at);
      context.lineTo(plot.right, at);
      context.stroke();
      context.fillStyle = FRAMES_COLOUR;
      context.textAlign = 'right';
      context.fillText(value.toLocaleString('en-US'), plot.left - 6, at);
    }
    context.fillStyle = CODE_COLOUR;
    context.textAlign = 'left';
    if (code) for (let value = code.low; value <= code.high + code.step / 2; value += code.step) context.fillText(megabytes(value, code.step), plot.right + 6, y(value, code));
    else context.textAlign = 'right', context.textBaseline = 'top', context.fillText(HOST_CODE_NOT_MEASURABLE, plot.right - 4, plot.top + 4);
    context.fillStyle = '#5f6368';
    context.textAlign = 'center';
    context.textBaseline = 'top';
    const tick = niceStep((end - start) / 1000 / 6);
    for (let second = Math.ceil(start / 1000 / tick) * tick; second * 1000 <= end; second += tick) context.fillText(`${second} s`, this.x(second * 1000), plot.bottom + 5);

    this.marks = chartMarks(state.marks, state.commands);
    for (const mark of this.marks) {
      // On a pixel's centre, so that a 1-pixel mark is one column in exactly its colour, not two faint ones.
      const at = Math.round(this.x(mark.time)) + 0.5;
      context.strokeStyle = mark.colour;
      context.lineWidth = mark.lineWidth;
      context.setLineDash(mark.command ? [3, 3] : []);
      context.beginPath();
      context.moveTo(at, plot.top);
      context.lineTo(at, plot.bottom);
      context.stroke();
      if (mark.command) {
        context.fillStyle = mark.colour;
        context.beginPath();
        context.moveTo(at - 5, plot.top - 8);
        context.lineTo(at + 5, plot.top - 8);
        context.lineTo(at, plot.top);
        context.fill();
      }
    }
    context.setLineDash([]);
    context.font = '11px system-ui, sans-serif';
    context.textAlign = 'left';
    const labels = placeLabels(this.marks, this.x, (text) => context.measureText(text).width, LABEL_ROWS, width);
    for (const label of labels) {
      context.fillStyle = label.mark.colour;
      context.font = label.mark.command ? 'bold 11px system-ui, sans-serif' : '11px system-ui, sans-serif';
      context.fillText(label.mark.label, label.x, 2 + label.row * LABEL_HEIGHT);
    }

    context.save();
    context.beginPath();
    context.rect(plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
    context.clip();
    context.lineWidth = 2;
    const series = (value: (sample: (typeof state.samples)[number]) => number, axis: { low: number; high: number }, colour: string) => {
      context.strokeStyle = colour;
      context.beginPath();
      // In steps: a figure holds until the next sample says it changed.
      state.samples.forEach((sample, index) => {
        const at = this.x(sample.time);
        if (index === 0) context.moveTo(at, y(value(sample), axis));
        else context.lineTo(at, y(value(state.samples[index - 1]!), axis));
        context.lineTo(at, y(value(sample), axis));
      });
      context.stroke();
    };
    series((sample) => sample.framesUsed, frames, FRAMES_COLOUR);
    if (code) series((sample) => sample.codeBytes ?? 0, code, CODE_COLOUR);
    canvas.dataset.hostCode = code ? 'measured' : HOST_CODE_NOT_MEASURABLE;
    context.restore();
    const labelled = new Set(labels.map((label) => label.mark));
    canvas.dataset.framesAxis = JSON.stringify({ low: frames.low, high: frames.high, top: plot.top, bottom: plot.bottom });
    canvas.dataset.marks = JSON.stringify(this.marks.map((mark) => ({ x: Math.round(this.x(mark.time)), label: mark.label, labelled: labelled.has(mark) })));
  }

  private hover(event: MouseEvent): void {
    const bounds = this.canvas.getBoundingClientRect();
    const x = event.clientX - bounds.left;
    const y = event.clientY - bounds.top;
    const near = this.marks.filter((mark) => Math.abs(this.x(mark.time) - x) <= HOVER_REACH);
    const time = this.time(x);
    const sample = [...this.state.samples].reverse().find((each) => each.time <= time);
    const lines = near.map((mark) => `${seconds(mark.time)}  ${mark.detail}`);
    if (lines.length === 0 && sample) lines.push(`${seconds(time)}  ${sample.framesUsed.toLocaleString('en-US')} frames in use · ${sample.codeBytes === null ? HOST_CODE_NOT_MEASURABLE : `${(sample.codeBytes / 1e6).toFixed(2)} MB host code`}`);
    if (lines.length === 0) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = lines.join('\n');
    this.tooltip.hidden = false;
    const left = x > bounds.width / 2;
    this.tooltip.style.left = left ? '' : `${x + 14}px`;
    this.tooltip.style.right = left ? `${bounds.width - x + 14}px` : '';
    this.tooltip.style.top = `${Math.min(y + 14, bounds.height - 40)}px`;
  }
}
