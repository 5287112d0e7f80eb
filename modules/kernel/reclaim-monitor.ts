/*
 * The reclaim monitor: after a module is unloaded, checks that the host engine really
 * collected its code, instead of assuming it.
 *
 * Every unloaded module's compiled factory and exported functions are registered with a
 * FinalizationRegistry. A check asks the host to collect garbage, waits a turn (finalizers
 * never run inside gc()), and counts. A module whose code is still held after a few rounds
 * is a zombie: listed by lsmod as such, with a dmesg line naming what the kernel can see
 * holding it. Without a host gc (node without --expose-gc) nothing is claimed either way.
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
}

/** Code let go of and not yet collected, and those of it that have become zombies. */
export interface ReclaimTable {
  pending: Set<UnloadedCode>;
  zombies: Set<UnloadedCode>;
}

/** "hello 1.0.0", or "bootstrap" for code without a version. */
const labelOf = (code: UnloadedCode) => (code.version ? `${code.name} ${code.version}` : code.name);

export class ReclaimMonitor {
  /** The machine timer of the next check, or 0 while none is set. */
  #timer = 0;
  readonly #registry = new FinalizationRegistry<UnloadedCode>((code) => {
    if (--code.remaining > 0) return;
    this.#reclaimed(code);
  });

  constructor(
    readonly machine: MachineInterface,
    readonly log: KernelLog,
    readonly table: ReclaimTable,
    /** Told of code reclaimed and of a new zombie, after the log line. */
    readonly noticed: (event: 'reclaimed' | 'zombie', code: UnloadedCode) => void,
  ) {}

  get pending(): Set<UnloadedCode> {
    return this.table.pending;
  }

  get zombies(): Set<UnloadedCode> {
    return this.table.zombies;
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
        return;
      }
      host.collectGarbage();
      this.#timer = timer.setTimer(() => this.#check(), 0);
    }, CHECK_INTERVAL_MS);
  }

  #check(): void {
    this.#timer = 0;
    for (const code of this.pending) {
      if (this.zombies.has(code) || ++code.rounds < ROUNDS_BEFORE_ZOMBIE) continue;
      this.zombies.add(code);
      // What the kernel can see holding module code: globals modules added (built-ins are not
      // enumerable; gc is V8's own, on every context's global when node runs with --expose-gc).
      const globals = Object.keys(globalThis).filter((key) => key !== 'gc').join(', ');
      this.log.printk(`keel: ${labelOf(code)} is a zombie: ${code.remaining} code objects still referenced, ${globals ? `held by global ${globals}` : 'holder unknown'}`, 'warn');
      this.noticed('zombie', code);
    }
    if ([...this.pending].some((code) => !this.zombies.has(code))) this.#schedule();
  }
}
