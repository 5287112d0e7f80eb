/*
 * The debug device: where the kernel keeps its frame table, so that a debugger outside the
 * machine can read it while the kernel runs, as a hardware debugger reads physical memory.
 *
 * The table (one word per frame: its owner's id, 0 when free) and a doorbell word live in
 * SharedArrayBuffers allocated in the machine's realm, so the kernel may hold them and another
 * thread can read them; the kernel rings the doorbell once each of its steps that changed the
 * table is over, so a reader waits for a change instead of polling, and reads the table between
 * the kernel's steps rather than in the middle of one. The device counts each ring at once and
 * wakes the reader (Atomics.notify) once the machine's turn is over: woken while the machine
 * still works (printing the command's answer, asking for the next line), the reader's thread
 * took a core from it, and a typed load took a watched machine a quarter longer. The names the kernel gives
 * owner ids and its module events (one line of JSON each) go to a listener — the machine
 * worker forwards them to the host thread — or nowhere, when no debugger is attached.
 */
import { host } from '../host/current-host.ts';
import type { DebugDevice } from '../machine-interface.ts';

export interface DebugListener {
  nameOwner(id: number, kind: string, label: string): void;
  forgetOwner(id: number): void;
  moduleEvent(json: string): void;
}

export class DebugPort {
  #wakePending = false;

  constructor(
    /** One word per frame, and the doorbell: shared memory of the machine's realm. */
    readonly frameTable: Int32Array,
    readonly doorbell: Int32Array,
    private readonly listener: DebugListener | undefined,
  ) {}

  /** Counts a step that changed the table; wakes the reader once this turn of the machine is over, once for all its steps. */
  ring(): void {
    Atomics.add(this.doorbell, 0, 1);
    // No debugger attached: no other thread waits, and a turn's timer would be work for nobody.
    if (this.listener === undefined || this.#wakePending) return;
    this.#wakePending = true;
    host.clock.nextTurn(() => {
      this.#wakePending = false;
      Atomics.notify(this.doorbell, 0);
    });
  }

  /** The device as the kernel sees it. */
  device(): DebugDevice {
    const { listener } = this;
    return {
      frameTable: this.frameTable,
      ring: () => this.ring(),
      attached: listener !== undefined,
      nameOwner: (id, kind, label) => listener?.nameOwner(id, kind, label),
      forgetOwner: (id) => listener?.forgetOwner(id),
      moduleEvent: (json) => listener?.moduleEvent(json),
    };
  }
}
