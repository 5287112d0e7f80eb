/*
 * The reclaim monitor: after a module is unloaded, checks that the host engine really
 * collected its code, instead of assuming it.
 *
 * Every unloaded module's compiled factory and exported functions are registered with a
 * FinalizationRegistry. A check asks the host to collect garbage, waits a turn (finalizers
 * never run inside gc()), and counts. A module whose code is still held after a few rounds
 * is a zombie: listed by lsmod as such, with a dmesg line naming what holds it, in module terms
 * (`findHolders`, zombie-holders.ts: a heap snapshot of the machine's thread, taken then and
 * only then, or when asked: `explain`). A host that collects only when it chooses (a browser
 * without --expose-gc, node without it) cannot be asked: the checks stop, with one dmesg line
 * saying so; code is still reported reclaimed when the host's collector runs (its finalizers
 * do), no zombie is claimed, and the code let go of is listed as waiting for the host's
 * collector (`waitingForHost`: the zombies command prints it).
 *
 * The watch list is a ReclaimTable of plain records, each holding WeakRefs to its code, so
 * that another version of the kernel takes it over (a kernel swap: `suspend` here, `resume`
 * in the new core's monitor) and registers the same code with a registry of its own; the
 * registry and the timer are this monitor's. What it finds (code reclaimed, a zombie) it logs
 * and tells the core (`noticed`), which publishes it as a module event: the monitor knows
 * nothing of the module table.
 */
import type { MachineInterface } from '../../emulator/machine-interface.ts';
import type { KernelLog } from './kernel-log.ts';

const ROUNDS_BEFORE_ZOMBIE = 8;
/** Full collections are costly: unloads in a burst (a swap loop) share one check per interval. */
const CHECK_INTERVAL_MS = 50;
/**
 * A heap snapshot stops the machine for its time (a second or two): after one, the next
 * automatic one waits this many times as long, so that a burst of zombies (a swap loop that
 * leaks) costs the machine at most a fifth of its time. Those found meanwhile share it.
 */
const SNAPSHOT_SPACING = 4;
/** The holder of a zombie found while automatic snapshots are off (`reclaim.explain=0`: a benchmark's leaking baseline, say). */
const NOT_LOOKED_FOR = 'holder not looked for (reclaim.explain=0: the zombies command names it)';

export interface UnloadedCode {
  /** The id its text frames had (0: not a module's). */
  id: number;
  name: string;
  /** Its version; '' for code that has none (the bootstrap). */
  version: string;
  /** Code objects not yet collected. */
  remaining: number;
  rounds: number;
  /** The code objects, held weakly. */
  code: WeakRef<object>[];
  /** What holds it, once it is a zombie and the kernel has looked: "held by ...: path", or "holder unknown: why". */
  holder?: string;
}

/** What holds a zombie, as the kernel names it (zombie-holders.ts, which the core hands the monitor as `findHolders`). */
export interface HolderReport {
  code: UnloadedCode;
  /** One line: "held by <who>: <path from it>", or "holder unknown: <why>". */
  holder: string;
  /** The whole path, from the root, one step a line (empty when there is none). */
  path: string[];
  /** No root reaches its code any more (its holder let go): the next collection takes it. */
  unreachable?: boolean;
}

/** Code let go of and not yet collected, and those of it that have become zombies. */
export interface ReclaimTable {
  pending: Set<UnloadedCode>;
  zombies: Set<UnloadedCode>;
}

/** "hello 1.0.0", or "bootstrap" for code without a version. */
export const labelOf = (code: { name: string; version: string }) => (code.version ? `${code.name} ${code.version}` : code.name);

export class ReclaimMonitor {
  /** The machine timer of the next check, or 0 while none is set. */
  #timer = 0;
  readonly #registry = new FinalizationRegistry<UnloadedCode>((code) => {
    if (--code.remaining > 0) return;
    this.#reclaimed(code);
  });

  /** Found to be zombies, and their holder being looked for (or waiting for the next snapshot): not checked again meanwhile. */
  readonly #explaining = new Set<UnloadedCode>();
  #waiting: UnloadedCode[] = [];
  /** The machine timer of the next automatic snapshot (0: none set), whether one runs, and the kernel clock before which the next may not start. */
  #snapshotTimer = 0;
  #snapshotRunning = false;
  #nextSnapshot = 0;
  /** Set once the host said it cannot collect on request. */
  #hostCollectsAlone = false;

  constructor(
    readonly machine: MachineInterface,
    readonly log: KernelLog,
    readonly table: ReclaimTable,
    /** Told of code reclaimed and of a new zombie, after the log line. */
    readonly noticed: (event: 'reclaimed' | 'zombie', code: UnloadedCode) => void,
    /** Says what holds each of these zombies: a heap snapshot, costly (the core's, zombie-holders.ts). */
    readonly findHolders: (codes: UnloadedCode[]) => Promise<HolderReport[]>,
    /** Whether a zombie found by a check is explained at once (`reclaim.explain=0` leaves it to the `zombies` command). */
    readonly explainsAutomatically: () => boolean,
  ) {}

  get pending(): Set<UnloadedCode> {
    return this.table.pending;
  }

  get zombies(): Set<UnloadedCode> {
    return this.table.zombies;
  }

  /** Whether a check or a snapshot is still to come: false once every code watched is decided, or when the host cannot collect (node without --expose-gc). */
  get checking(): boolean {
    return this.#timer !== 0 || this.#snapshotTimer !== 0 || this.#snapshotRunning;
  }

  /** Code let go of and not collected yet, on a host that collects only when it chooses (none when the host collects on request: the checks settle it). */
  get waitingForHost(): UnloadedCode[] {
    return this.#hostCollectsAlone ? [...this.pending].filter((code) => !this.zombies.has(code)) : [];
  }

  /** Starts watching code that has just been let go of, under a name (and version) for lsmod and dmesg. */
  watch(name: string, version: string, codeObjects: object[], id = 0): void {
    if (codeObjects.length === 0) return;
    const code: UnloadedCode = { id, name, version, remaining: codeObjects.length, rounds: 0, code: codeObjects.map((object) => new WeakRef(object)) };
    for (const object of codeObjects) this.#registry.register(object, code, code);
    this.pending.add(code);
    this.#schedule();
  }

  /** A kernel swap, old core: no more checks or finalizers of this monitor (the new core's takes the same table). */
  suspend(): void {
    this.machine.timer.clearTimer(this.#timer);
    this.#timer = 0;
    // Zombies still to be explained are found again by the new core's checks.
    this.machine.timer.clearTimer(this.#snapshotTimer);
    this.#snapshotTimer = 0;
    this.#waiting = [];
    for (const code of this.pending) this.#registry.unregister(code);
  }

  /** A kernel swap, new core: registers the code still watched (what is already collected counts as such) and checks on. */
  resume(): void {
    for (const code of this.pending) {
      const live = code.code.map((reference) => reference.deref()).filter((object) => object !== undefined);
      code.remaining = live.length;
      for (const object of live) this.#registry.register(object, code, code);
      if (live.length === 0) this.#reclaimed(code);
    }
    if (this.pending.size > 0) this.#schedule();
  }

  #reclaimed(code: UnloadedCode): void {
    this.pending.delete(code);
    this.log.printk(`keel: ${labelOf(code)}: ${this.zombies.delete(code) ? 'zombie ' : ''}code reclaimed by the host`);
    this.noticed('reclaimed', code);
  }

  #schedule(): void {
    if (this.#timer !== 0) return;
    const { timer, host } = this.machine;
    this.#timer = timer.setTimer(() => {
      if (!host.collectGarbage()) {
        this.#timer = 0;
        if (!this.#hostCollectsAlone) this.log.printk('keel: reclaim: the host collects garbage only when it chooses: unloaded code is reported reclaimed when its collector runs, and no zombie is claimed');
        this.#hostCollectsAlone = true;
        return;
      }
      host.collectGarbage();
      this.#timer = timer.setTimer(() => this.#check(), 0);
    }, CHECK_INTERVAL_MS);
  }

  /** Finds what holds every current zombie now (a heap snapshot), and keeps the answer for lsmod and the debug device. */
  async explain(): Promise<HolderReport[]> {
    const reports = await this.findHolders([...this.zombies]);
    for (const report of reports) report.code.holder = report.holder;
    if (!reports.some((report) => report.unreachable)) return reports;
    // What nobody holds any more goes now, and is no zombie to report (its finalizers run a turn after the collection).
    const { host, timer } = this.machine;
    host.collectGarbage();
    host.collectGarbage();
    await new Promise<void>((resolve) => timer.setTimer(resolve, 0));
    return reports.filter((report) => this.zombies.has(report.code));
  }

  #check(): void {
    this.#timer = 0;
    const found = [...this.pending].filter((code) => !this.zombies.has(code) && !this.#explaining.has(code) && ++code.rounds >= ROUNDS_BEFORE_ZOMBIE);
    for (const code of found) this.#explaining.add(code);
    this.#waiting.push(...found);
    this.#scheduleSnapshot();
    if ([...this.pending].some((code) => !this.zombies.has(code) && !this.#explaining.has(code))) this.#schedule();
  }

  #scheduleSnapshot(): void {
    if (this.#waiting.length === 0 || this.#snapshotTimer !== 0 || this.#snapshotRunning) return;
    const { timer } = this.machine;
    this.#snapshotTimer = timer.setTimer(() => {
      this.#snapshotTimer = 0;
      void this.#found(this.#waiting.splice(0));
    }, Math.max(0, this.#nextSnapshot - timer.now()));
  }

  /** New zombies: listed once the kernel knows what holds them, one dmesg line each (unless collected meanwhile, or listed by another core). */
  async #found(codes: UnloadedCode[]): Promise<void> {
    const { timer } = this.machine;
    const started = timer.now();
    this.#snapshotRunning = true;
    const reports = this.explainsAutomatically() ? await this.findHolders(codes) : codes.map((code) => ({ code, holder: NOT_LOOKED_FOR, path: [] }));
    this.#snapshotRunning = false;
    this.#nextSnapshot = timer.now() + SNAPSHOT_SPACING * (timer.now() - started);
    this.#scheduleSnapshot();
    for (const { code, holder } of reports) {
      this.#explaining.delete(code);
      if (!this.pending.has(code) || this.zombies.has(code)) continue;
      code.holder = holder;
      this.zombies.add(code);
      this.log.printk(`keel: ${labelOf(code)} is a zombie: ${holder}`, 'warn');
      this.noticed('zombie', code);
    }
  }
}
