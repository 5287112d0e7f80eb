/*
 * kv 1.0.0 — a key-value store on a plain Map: every key stays until deleted.
 *
 * It hands its state over as format 1 — the Map itself, not a copy: the next version adopts
 * it, so a swap takes the same few microseconds whether the store holds ten keys or a million,
 * and leaves no million-entry copy for the garbage collector. It takes format 1 or 2 back (2 is
 * 2.0.0's Map and its eviction count), so a swap can go to 2.0.0 and return. getLater is
 * asynchronous (an answer after a timer), to show a swap waiting for calls in flight.
 */
import { setTimer, type StateHandover } from 'keel:kernel';

let store = new Map<string, string>();

export function set(key: string, value: string): void {
  store.set(key, value);
}

export function get(key: string): string | undefined {
  return store.get(key);
}

export function remove(key: string): boolean {
  return store.delete(key);
}

export function size(): number {
  return store.size;
}

export function getLater(key: string, milliseconds = 1): Promise<string | undefined> {
  return new Promise((resolve) => setTimer(() => resolve(store.get(key)), milliseconds));
}

export function policy(): string {
  return 'unbounded map';
}

export function exportState(): StateHandover {
  // objects: null — nothing in the state is an instance of a class of kv's: the swap need not look.
  return { format: 1, entries: store.size, data: store, objects: null };
}

export function importState(state: StateHandover, fromVersion: string): void {
  if (state.format === 1) store = state.data as Map<string, string>;
  else if (state.format === 2) store = (state.data as { map: Map<string, string> }).map;
  else throw new Error(`kv 1.0.0 reads state formats 1 and 2, not ${state.format} (from ${fromVersion})`);
}

export function exit(): void {
  store.clear();
}
