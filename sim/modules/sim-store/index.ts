/*
 * Sim fixture: sim-store 2.0.0 — the store in a Map. Hands over state format 2 (the Map);
 * reads formats 1, 2 and 3, so it is the bridge between 1.0.0 and 3.0.0. Its init takes two
 * data frames; its Tally counts in the same public field, so held tallies move over.
 */
import { kalloc, type StateHandover } from 'keel:kernel';
import { faultyExit, faultyInit, faultyStateHook, later } from '../fixture-faults.ts';
import { runRecorder } from '../run-recorder.ts';

const NAME = 'sim-store';
const recorder = runRecorder(NAME, '2.0.0');
export const incarnation = recorder.incarnation;

let entries = new Map<string, string>();
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
  entries.set(key, value);
}

export function get(id: number, key: string): string | null {
  recorder.run(id, 'store.get');
  return entries.get(key) ?? null;
}

export function legacyGet(id: number, key: string): string | null {
  recorder.run(id, 'store.legacyGet');
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
  return faultyInit(NAME, () => kalloc(2 * 4096));
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
  return { format: 2, entries: entries.size, data: { map: entries, tallies } };
}

export function importState(state: StateHandover, fromVersion: string): void | Promise<never> {
  const fault = faultyStateHook('import', NAME);
  if (fault) return fault;
  const data = state.data as { pairs?: Array<[string, string]>; map?: Map<string, string>; tallies: Tally[] };
  if (state.format === 1 || state.format === 3) entries = new Map(data.pairs!);
  else if (state.format === 2) entries = new Map(data.map!);
  else throw new Error(`sim-store 2.0.0 reads formats 1, 2 and 3, not ${state.format} (from ${fromVersion})`);
  tallies = data.tallies;
}
