/*
 * Sim fixture: sim-store 1.0.0 — a key-value store in a plain object, and Tally objects that
 * callers hold across swaps. Hands over state format 1 (pairs); reads formats 1 and 2. Its
 * init takes one data frame. legacyGet exists only up to 2.0.0: a swap to 3.0.0 is refused
 * while sim-relay 1.0.0, which imports it, is loaded.
 */
import { kalloc, type StateHandover } from 'keel:kernel';
import { faultyExit, faultyInit, faultyStateHook, later } from '../../../fixture-faults.ts';
import { runRecorder } from '../../../run-recorder.ts';

const NAME = 'sim-store';
const recorder = runRecorder(NAME, '1.0.0');
export const incarnation = recorder.incarnation;

let entries: Record<string, string> = Object.create(null);
let tallies: Tally[] = [];

export class Tally {
  count = 0;
  add(id: number): number {
    recorder.run(id, 'store.tally.add');
    return ++this.count;
  }
}

export function put(id: number, key: string, value: string): void {
  recorder.run(id, 'store.put');
  entries[key] = value;
}

export function get(id: number, key: string): string | null {
  recorder.run(id, 'store.get');
  return entries[key] ?? null;
}

export function legacyGet(id: number, key: string): string | null {
  recorder.run(id, 'store.legacyGet');
  return entries[key] ?? null;
}

export function getLater(id: number, key: string, milliseconds: number): Promise<string | null> {
  return later(
    NAME,
    () => {
      recorder.run(id, 'store.getLater');
      return entries[key] ?? null;
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
  return Object.keys(entries).length;
}

export function init(): void | Promise<void> {
  return faultyInit(NAME, () => kalloc(4096));
}

export function exit(): void | Promise<never> {
  return faultyExit(NAME, () => {
    entries = Object.create(null);
    tallies = [];
  });
}

export function exportState(): StateHandover | Promise<never> {
  const fault = faultyStateHook('export', NAME);
  if (fault) return fault;
  return { format: 1, entries: Object.keys(entries).length, data: { pairs: Object.entries(entries), tallies } };
}

export function importState(state: StateHandover, fromVersion: string): void | Promise<never> {
  const fault = faultyStateHook('import', NAME);
  if (fault) return fault;
  const data = state.data as { pairs?: Array<[string, string]>; map?: Map<string, string>; tallies: Tally[] };
  if (state.format === 1) entries = Object.assign(Object.create(null), Object.fromEntries(data.pairs!));
  else if (state.format === 2) entries = Object.assign(Object.create(null), Object.fromEntries(data.map!));
  else throw new Error(`sim-store 1.0.0 reads formats 1 and 2, not ${state.format} (from ${fromVersion})`);
  tallies = data.tallies;
}
