/*
 * The run's trace: a 64-bit FNV-1a hash (two 32-bit halves) of every step's operation and
 * outcome, and counts of operations and injected faults. Two runs of one seed must end with
 * the same hash; `npm run sim` prints it and test/sim.test.ts compares it.
 */

const RECENT_LINES = 12;

export class Trace {
  /** The FNV-1a 64-bit offset basis, 0xcbf29ce484222325. */
  #low = 0x84222325;
  #high = 0xcbf29ce4;
  readonly operations: Record<string, number> = {};
  readonly faults: Record<string, number> = {};
  /** The last lines recorded, newest last, for a failure report. */
  readonly recent: string[] = [];

  /** Adds one step's line, and a newline, to the hash. */
  record(line: string): void {
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
    let low = this.#low;
    let high = this.#high;
    // FNV-1a over 64 bits: xor a byte in, multiply by the prime 2^40 + 0x1b3, in two 32-bit halves.
    const mix = (byte: number) => {
      const product = ((low ^ byte) >>> 0) * 0x1b3;
      high = (Math.imul(high, 0x1b3) + Math.imul((low ^ byte) >>> 0, 0x100) + Math.floor(product / 0x100000000)) >>> 0;
      low = product >>> 0;
    };
    for (let index = 0; index < line.length; index++) {
      const code = line.charCodeAt(index);
      if (code > 0xff) mix(code >>> 8);
      mix(code & 0xff);
    }
    mix(10);
    this.#low = low;
    this.#high = high;
  }

  count(kind: string): void {
    this.operations[kind] = (this.operations[kind] ?? 0) + 1;
  }

  fault(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  get hash(): string {
    return (this.#high >>> 0).toString(16).padStart(8, '0') + (this.#low >>> 0).toString(16).padStart(8, '0');
  }
}
