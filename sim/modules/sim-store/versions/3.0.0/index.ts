/*
 * Sim fixture: sim-store 3.0.0 — drops legacyGet, so a swap to it is refused while sim-relay
 * 1.0.0 (which imports it) is loaded. Hands over state format 3 (pairs sorted by key) and
 * reads formats 2 and 3 only: a swap between it and 1.0.0 rolls back either way. Its Tally
 * counts in a private field, so held tallies move to and from 2.0.0's public-field Tally
 * through exportInstance and importInstance (the saved form is 2.0.0's fields: { count }).
 */
import { kalloc, type StateHandover } from 'keel:kernel';
import { faultyExit, faultyInit, faultyStateHook, later } from '../../../fixture-faults.ts';
import { runRecorder } from '../../../run-recorder.ts';

const NAME = 'sim-store';
const recorder = runRecorder(NAME, '3.0.0');
export const incarnation = recorder.incarnation;

let entries = new Map<string, string>();
let tallies: Tally[] = [];

export class Tally {
  #count = 0;
  add(id: number): number {
    recorder.run(id, 'store.tally.add');
    return ++this.#count;
  }

  exportInstance(): { count: number } {
    return { count: this.#count };
  }

  static importInstance(saved: { count: number }): Tally {
    const tally = new Tally();
    tally.#count = saved.count;
    return tally;
  }
}

export function put(id: number, key: string, value: string): void {
  recorder.run(id, 'store.put');
  entries.set(key, value);
}

export function get(id: number, key: string): string | null {
  recorder.run(id, 'store.get');
  return entries.get(key) ?? null;
}

export function getLater(id: number, key: string, milliseconds: number): Promise<string | null> {
  return later(
    NAME,
    () => {
      recorder.run(id, 'store.getLater');
      return entries.get(key) ?? null;
    },
    milliseconds,
  );
}

export function openTally(id: number): Tally {
  recorder.run(id, 'store.openTally');
  const tally = new Tally();
  tallies.push(tally);
  return tally;
}

export function size(): number {
  return entries.size;
}

export function init(): void | Promise<void> {
  return faultyInit(NAME, () => kalloc(4096));
}

export function exit(): void | Promise<never> {
  return faultyExit(NAME, () => {
    entries = new Map();
    tallies = [];
  });
}

export function exportState(): StateHandover | Promise<never> {
  const fault = faultyStateHook('export', NAME);
  if (fault) return fault;
  const pairs = [...entries].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return { format: 3, entries: entries.size, data: { pairs, tallies } };
}

export function importState(state: StateHandover, fromVersion: string): void | Promise<never> {
  const fault = faultyStateHook('import', NAME);
  if (fault) return fault;
  const data = state.data as { pairs?: Array<[string, string]>; map?: Map<string, string>; tallies: Tally[] };
  if (state.format === 2) entries = new Map(data.map!);
  else if (state.format === 3) entries = new Map(data.pairs!);
  else throw new Error(`sim-store 3.0.0 reads formats 2 and 3, not ${state.format} (from ${fromVersion})`);
  tallies = data.tallies;
}
