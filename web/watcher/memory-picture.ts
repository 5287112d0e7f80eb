/*
 * One machine's picture, as its page is shown it: the debugger's end of the machine's debug
 * device (MachineDebugger, emulator/machine-messages.ts), in the host's thread under `npm run web`
 * and in the page's in a tab (`npm run site`). When the kernel rings the doorbell it
 * reads the kernel's own frame table — shared memory, as a debugger reads physical memory —
 * and it keeps the owner names and the module table the kernel reports, stamps module events
 * and chart samples and the lines typed at the prompt (`command`), and hands the page updates (web/protocol/messages.ts): one at a time, the
 * next once the page says it has drawn the last, with everything that happened meanwhile
 * folded into it. Nothing here asks the kernel anything.
 *
 *   const picture = new MemoryPicture({ send, log });
 *   new MachineThread({ ..., debugger: picture });     // or a BrowserMachineThread
 *   picture.drawn(sequence);     // the page's `drawn`: false if no such update waits
 */
import type { MachineDebugger } from '../../emulator/machine-messages.ts';
import { changedRuns, unseenTable } from '../protocol/frame-runs.ts';
import type { ChartSample, CommandMark, ModuleEventMark, ModuleTable, OwnerName, PictureUpdate } from '../protocol/messages.ts';
import { AnswerHold } from './answer-hold.ts';
import { readModuleReport } from './kernel-reports.ts';

/** Node and Chromium have Atomics.waitAsync; the project's lib setting (ES2022) does not declare it. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<unknown> | string } }).waitAsync;

/** What one update carries at most of each list; the rest of the events is counted, older samples are dropped. */
export const MAX_EVENTS_PER_UPDATE = 200;
export const MAX_SAMPLES_PER_UPDATE = 1000;
export const MAX_COMMANDS_PER_UPDATE = 50;
const MAX_LABEL = 256;

export interface PictureOptions {
  send(update: PictureUpdate): void;
  /** A line for the server's log (a kernel report that was refused). */
  log(line: string): void;
  /** Milliseconds on the picture's clock; default: since it was made. */
  now?(): number;
}

/** How the page keeps up: updates it drew, frames (cells) they changed, and the delay from a frame change to its drawing. */
export interface PictureStatistics {
  updates: number;
  framesRedrawn: number;
  /** Milliseconds from the doorbell of a change to the page's `drawn` of the update that carried it. */
  delays: number[];
}

export class MemoryPicture implements MachineDebugger {
  readonly statistics: PictureStatistics = { updates: 0, framesRedrawn: 0, delays: [] };
  private readonly options: PictureOptions;
  private readonly now: () => number;
  private frameTable: Int32Array | null = null;
  private doorbell: Int32Array | null = null;
  /** The frame table as the page has been sent it. */
  private seen = unseenTable(0);
  /** Owner names to send (null: forget), and the ids the page has been sent. */
  private readonly names = new Map<number, OwnerName | null>();
  private readonly sentOwners = new Set<number>();
  private table: ModuleTable | null = null;
  private events: ModuleEventMark[] = [];
  private eventsLeftOut = 0;
  private commands: CommandMark[] = [];
  private samples: ChartSample[] = [];
  /** The host's last reading of its code bytes: undefined before the first, null where the host cannot measure them (a browser). */
  private latestCodeBytes: number | null | undefined = undefined;
  private sequence = 0;
  /** The update the page is drawing, and when the first frame change it carries was heard. */
  private inFlight: { sequence: number; changedAt: number | null; frames: number } | null = null;
  /** When the first frame change not yet sent was heard. */
  private changedAt: number | null = null;
  /** While a typed line runs (command, until answered or COMMAND_HOLD_MS): nothing is sent. */
  private readonly hold = new AnswerHold(() => this.flush());
  private stopped = false;

  constructor(options: PictureOptions) {
    this.options = options;
    const started = performance.now();
    this.now = options.now ?? (() => performance.now() - started);
  }

  attach(frameTable: Int32Array, doorbell: Int32Array): void {
    this.frameTable = frameTable;
    this.doorbell = doorbell;
    this.seen = unseenTable(frameTable.length);
    this.changedAt = this.now();
    this.listen(Atomics.load(doorbell, 0));
    this.flush();
  }

  nameOwner(id: number, kind: string, label: string): void {
    this.names.set(id, { id, kind: kind.slice(0, MAX_LABEL), label: label.slice(0, MAX_LABEL) });
    this.flush();
  }

  forgetOwner(id: number): void {
    if (this.sentOwners.has(id)) this.names.set(id, null);
    else this.names.delete(id);
    this.flush();
  }

  moduleEvent(json: string): void {
    const report = readModuleReport(json);
    if ('refused' in report) return this.options.log(`refused a module event from the kernel: ${report.refused}`);
    this.table = report.table;
    if (this.events.length >= MAX_EVENTS_PER_UPDATE) {
      this.events.shift();
      this.eventsLeftOut++;
    }
    this.events.push({ time: this.now(), event: report.event, ...report.module });
    this.flush();
  }

  /**
   * A line typed at the shell's prompt (its first MAX_LABEL characters), for the chart's labels;
   * the oldest go past MAX_COMMANDS_PER_UPDATE unsent. Lines make no update of their own: they go
   * with the next (the command's own changes, or the chart's next sample, CODE_BYTES_MS), since
   * the page would otherwise redraw its chart while the command runs, on the cores the machine
   * runs on. For the same reason what the command changes waits until it is answered, for at
   * most COMMAND_HOLD_MS.
   */
  command(line: string): void {
    if (this.commands.length >= MAX_COMMANDS_PER_UPDATE) this.commands.shift();
    this.commands.push({ time: this.now(), line: line.slice(0, MAX_LABEL) });
    this.hold.start();
  }

  /** The machine reads its next line: what the command changed goes to the page now. */
  answered(): void {
    this.hold.end();
  }

  codeBytes(bytes: number | null): void {
    this.latestCodeBytes = bytes;
    if (this.frameTable) this.sample(this.frameTable);
    this.flush();
  }

  /** The page has drawn update `sequence`; false if that is not the update it was sent last. */
  drawn(sequence: number): boolean {
    const drawing = this.inFlight;
    if (drawing?.sequence !== sequence) return false;
    this.inFlight = null;
    this.statistics.updates++;
    this.statistics.framesRedrawn += drawing.frames;
    if (drawing.changedAt !== null) this.statistics.delays.push(this.now() - drawing.changedAt);
    this.flush();
    return true;
  }

  /** Sends nothing more and stops listening to the doorbell. */
  stop(): void {
    this.stopped = true;
    this.hold.cancel();
    if (this.doorbell) Atomics.notify(this.doorbell, 0);
  }

  /** Waits for the doorbell to move on from `heard`; each ring marks the table changed and flushes. */
  private listen(heard: number): void {
    if (this.stopped || !this.doorbell) return;
    const doorbell = this.doorbell;
    const rung = () => {
      if (this.stopped) return;
      this.changedAt ??= this.now();
      this.flush();
      this.listen(Atomics.load(doorbell, 0));
    };
    const wait = waitAsync(doorbell, 0, heard);
    if (wait.async) void (wait.value as Promise<unknown>).then(rung);
    else queueMicrotask(rung);
  }

  /** A chart sample, once the first reading of the code bytes has come (a sample before it would say 0; null says the host cannot tell). */
  private sample(table: Int32Array): void {
    if (this.latestCodeBytes === undefined) return;
    let used = 0;
    for (let frame = 0; frame < table.length; frame++) if (table[frame] !== 0) used++;
    if (this.samples.length >= MAX_SAMPLES_PER_UPDATE) this.samples.shift();
    this.samples.push({ time: this.now(), framesUsed: used, codeBytes: this.latestCodeBytes });
  }

  /** Sends an update if the page is not drawing one and there is something to send. */
  private flush(): void {
    if (this.stopped || this.inFlight || this.hold.holding) return;
    const runs = this.frameTable ? changedRuns(this.seen, this.frameTable) : [];
    if (runs.length > 0) this.sample(this.seen);
    if (runs.length === 0 && this.names.size === 0 && this.table === null && this.events.length === 0 && this.samples.length === 0) return;
    const owners: OwnerName[] = [];
    const forgotten: number[] = [];
    for (const [id, name] of this.names) {
      if (name) owners.push(name), this.sentOwners.add(id);
      else forgotten.push(id), this.sentOwners.delete(id);
    }
    let frames = 0;
    for (let index = 1; index < runs.length; index += 3) frames += runs[index]!;
    const update: PictureUpdate = {
      type: 'update', sequence: ++this.sequence, runs, owners, forgotten, table: this.table, events: this.events, eventsLeftOut: this.eventsLeftOut,
      commands: this.commands, samples: this.samples,
    };
    this.inFlight = { sequence: update.sequence, changedAt: runs.length > 0 ? this.changedAt : null, frames };
    if (runs.length > 0) this.changedAt = null;
    this.names.clear();
    this.table = null;
    this.events = [];
    this.eventsLeftOut = 0;
    this.commands = [];
    this.samples = [];
    this.options.send(update);
  }
}
