/*
 * The chart's arithmetic, no DOM: each axis spans the range of its data, not 0 to all of
 * memory, so that a module of one frame loaded or unloaded moves the line visibly; and the
 * marks' labels are chosen by what they say — what the person typed first, then what happened
 * to the module an event is about, then loads and reclaims that came along — so that `swap kv`
 * is labelled `swap kv`, not `load swap` (the swap module the command loaded on its way).
 *
 *   axisRange([193, 194], 8);               // { low: 188, high: 198, step: 2 }
 *   samplesToSpan(state.samples, state.commands[0]?.time) // what the axes span
 *   chartMarks(state.marks, state.commands); // every mark, with its label and priority
 *   placeLabels(marks, x, widthOf, 2, right) // which labels are written, on which row
 */
import type { CommandMark, ModuleEventKind, ModuleEventMark } from '../protocol/messages.ts';

/** The events the chart marks, their colours and the word of their label; commands are dark triangles. */
export const MARKS: Partial<Record<ModuleEventKind, { colour: string; word: string; title: string }>> = {
  loaded: { colour: '#188038', word: 'load', title: 'module loaded' },
  unloaded: { colour: '#5f6368', word: 'unload', title: 'unloaded' },
  swapped: { colour: '#9334e6', word: 'swap', title: 'swapped' },
  reclaimed: { colour: '#12b5cb', word: 'reclaimed', title: 'code reclaimed by the host' },
  zombie: { colour: '#d93025', word: 'zombie', title: 'zombie (code still held)' },
};
export const COMMAND_COLOUR = '#202124';

/**
 * Lower goes first: a command that loaded, unloaded or swapped something, what happened to an
 * event's module, loads, reclaims. A command that changed no module (lsmod, clear) has no label
 * (null): it is a triangle, named by the hover, since the chart is about memory.
 */
const PRIORITY: Partial<Record<ModuleEventKind, number>> = { swapped: 1, unloaded: 1, zombie: 1, loaded: 2, reclaimed: 3 };

export interface ChartMark {
  time: number;
  colour: string;
  /** What the label says: the line typed, or "swap kv". */
  label: string;
  /** What hovering says. */
  detail: string;
  /** Which labels are written first (lower first); null: none. */
  priority: number | null;
  command: boolean;
  /** A zombie's mark is drawn thicker: it is what must not happen. */
  lineWidth: number;
}

/** An axis from `low` to `high` in ticks of `step`, around the values, at least `minimumSpan` tall; never below 0. */
export function axisRange(values: readonly number[], minimumSpan: number): { low: number; high: number; step: number } {
  const finite = values.filter(Number.isFinite);
  const min = finite.length > 0 ? Math.min(...finite) : 0;
  const max = finite.length > 0 ? Math.max(...finite) : 0;
  const span = Math.max(minimumSpan, (max - min) * 1.3);
  const middle = (min + max) / 2;
  const step = niceStep(span / 4);
  const low = Math.max(0, Math.floor((middle - span / 2) / step) * step);
  const high = Math.max(low + step, Math.ceil((middle + span / 2) / step) * step);
  return { low, high, step };
}

/**
 * The samples an axis spans: those from the first command typed on (and the one in effect
 * then), or all before any command. The boot's climb from a few frames to a couple of hundred
 * would otherwise stretch the axis until one frame is a fraction of a pixel; it is drawn, cut
 * off at the plot's edge, until it leaves the window.
 */
export function samplesToSpan<Sample extends { time: number }>(samples: readonly Sample[], firstCommand: number | undefined): readonly Sample[] {
  if (firstCommand === undefined) return samples;
  const from = samples.findIndex((sample) => sample.time >= firstCommand);
  if (from === -1) return samples.slice(-1);
  return samples.slice(Math.max(0, from - 1));
}

/** The round number (1, 2 or 5 times a power of ten) at or above `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw * 0.999)!;
}

/** Every mark the chart draws: the lines typed and the module events, with what their labels and hovers say. */
export function chartMarks(events: readonly ModuleEventMark[], commands: readonly CommandMark[]): ChartMark[] {
  const marks: ChartMark[] = [];
  const sorted = [...commands].sort((a, b) => a.time - b.time);
  sorted.forEach((command, index) => {
    const until = sorted[index + 1]?.time ?? Infinity;
    const didSomething = events.some((event) => MARKS[event.event] && event.time >= command.time && event.time < until);
    marks.push({ time: command.time, colour: COMMAND_COLOUR, label: command.line, detail: `typed: ${command.line}`, priority: didSomething ? 0 : null, command: true, lineWidth: 1 });
  });
  for (const event of events) {
    const style = MARKS[event.event];
    if (!style) continue;
    marks.push({
      time: event.time, colour: style.colour, label: `${style.word} ${event.name}`, detail: `${style.title}: ${event.name} ${event.version}`, priority: PRIORITY[event.event] ?? null, command: false,
      lineWidth: event.event === 'zombie' ? 3 : 1,
    });
  }
  return marks.sort((a, b) => a.time - b.time);
}

export interface PlacedLabel {
  mark: ChartMark;
  x: number;
  row: number;
}

/**
 * The labels that are written: in order of priority (then the newest first), each on the first of `rows`
 * rows where it overlaps no label already placed (a mark without a priority has none), starting at its mark's x (or ending there,
 * if it would run past `right`); one that fits on no row is left to the hover.
 */
export function placeLabels(marks: readonly ChartMark[], x: (time: number) => number, widthOf: (text: string) => number, rows: number, right: number): PlacedLabel[] {
  const taken: Array<Array<[number, number]>> = Array.from({ length: rows }, () => []);
  const placed: PlacedLabel[] = [];
  // Of equal priority, the newest first: on a live chart, what just happened is what a person looks for.
  const order = marks.filter((mark) => mark.priority !== null).sort((a, b) => a.priority! - b.priority! || b.time - a.time);
  for (const mark of order) {
    const width = widthOf(mark.label) + 8;
    const at = x(mark.time);
    const start = at + width > right ? at - width : at;
    for (let row = 0; row < rows; row++) {
      if (taken[row]!.some(([from, to]) => start < to && start + width > from)) continue;
      taken[row]!.push([start, start + width]);
      placed.push({ mark, x: start + 3, row });
      break;
    }
  }
  return placed;
}
