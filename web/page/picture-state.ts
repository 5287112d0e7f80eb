/*
 * What the page knows of its machine: its copy of the kernel's frame table, the owners' names,
 * the frames each owner holds (counted from the table, as lsmod's sizes are), the module table
 * of the kernel's last event, and the chart's samples, event marks and the commands typed. Updates from the server
 * (web/protocol/messages.ts) are applied here; the panels draw from it. No DOM.
 */
import { applyRuns } from '../protocol/frame-runs.ts';
import type { ChartSample, CommandMark, ModuleEventMark, ModuleTable, OwnerName, PictureUpdate } from '../protocol/messages.ts';

/** How much of the past the chart keeps, in the server's milliseconds. */
export const CHART_WINDOW_MS = 120_000;

export interface Run {
  first: number;
  count: number;
}

export class PictureState {
  readonly table: Int32Array;
  readonly owners = new Map<number, OwnerName>();
  /** Frames each owner id holds in `table`. */
  readonly frameCounts = new Map<number, number>();
  /** The version of the module an owner id belongs to, where an event or the table said it. */
  readonly versions = new Map<number, string>();
  modules: ModuleTable = { modules: [], zombies: [] };
  samples: ChartSample[] = [];
  marks: ModuleEventMark[] = [];
  commands: CommandMark[] = [];
  /** Latest time the server stamped on anything: the chart's right edge. */
  latest = 0;
  /** The highest frame in use, plus one (0: none): where the map's used region ends. */
  usedEnd = 0;

  constructor(
    readonly frames: number,
    readonly frameSize: number,
  ) {
    this.table = new Int32Array(frames);
    this.frameCounts.set(0, frames);
  }

  /** Applies an update; returns the runs of frames to draw again: their owner changed, or its name arrived. */
  apply(update: PictureUpdate): Run[] {
    const changed: Run[] = [];
    for (const owner of update.owners) this.owners.set(owner.id, owner);
    let end = this.usedEnd;
    applyRuns(this.table, update.runs, (first, count, owner) => {
      for (let frame = first; frame < first + count; frame++) this.count(this.table[frame]!, -1);
      this.count(owner, count);
      changed.push({ first, count });
      if (owner !== 0) end = Math.max(end, first + count);
    });
    while (end > 0 && this.table[end - 1] === 0) end--;
    this.usedEnd = end;
    // A frame can reach the table before its owner's name reaches the page: drawn unnamed then, it is drawn again now.
    const named = new Set(update.owners.map((owner) => owner.id));
    if (named.size > 0) changed.push(...this.runsOf(named));
    for (const id of update.forgotten) {
      this.owners.delete(id);
      this.versions.delete(id);
    }
    for (const mark of update.events) {
      if (mark.event === 'loaded') this.versions.set(mark.id, mark.version);
    }
    if (update.table) {
      this.modules = update.table;
      for (const row of update.table.modules) this.versions.set(row.id, row.version).set(row.data, row.version);
    }
    this.marks.push(...update.events);
    this.commands.push(...update.commands);
    this.samples.push(...update.samples);
    const times = [...update.events.map((mark) => mark.time), ...update.commands.map((command) => command.time), ...update.samples.map((sample) => sample.time)];
    this.latest = Math.max(this.latest, ...times);
    const since = this.latest - CHART_WINDOW_MS;
    this.marks = this.marks.filter((mark) => mark.time >= since);
    this.commands = this.commands.filter((command) => command.time >= since);
    this.samples = this.samples.filter((sample) => sample.time >= since);
    return changed;
  }

  /** The owner of a frame, with the module's version where it is known: "kv 2.0.0 text", "ramdisk", "free". */
  frameOwner(frame: number): { id: number; owner: OwnerName | undefined; version: string | undefined } {
    const id = this.table[frame] ?? 0;
    return { id, owner: this.owners.get(id), version: this.versions.get(id) };
  }

  /** Owner ids of a module's text and data frames, every version of it. */
  ownersOf(module: string): Set<number> {
    const ids = new Set<number>();
    for (const owner of this.owners.values()) if ((owner.kind === 'text' || owner.kind === 'data') && owner.label === module) ids.add(owner.id);
    return ids;
  }

  /** Frames held by the owners of `ids`. */
  framesOf(ids: Iterable<number>): number {
    let frames = 0;
    for (const id of ids) frames += this.frameCounts.get(id) ?? 0;
    return frames;
  }

  /** The runs of frames whose owner is one of `ids`. */
  private runsOf(ids: Set<number>): Run[] {
    const runs: Run[] = [];
    for (let frame = 0; frame < this.frames; frame++) {
      if (!ids.has(this.table[frame]!)) continue;
      const last = runs.at(-1);
      if (last && last.first + last.count === frame) last.count++;
      else runs.push({ first: frame, count: 1 });
    }
    return runs;
  }

  private count(id: number, change: number): void {
    const frames = (this.frameCounts.get(id) ?? 0) + change;
    if (frames === 0 && id !== 0) this.frameCounts.delete(id);
    else this.frameCounts.set(id, frames);
  }
}
