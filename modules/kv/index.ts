/*
 * kv 2.0.0 — the key-value store with a bound: past `kv.capacity` entries (command line,
 * default 1000) the least recently used key is evicted. A Map keeps insertion order, so
 * touching a key moves it to the end and the first key is the oldest.
 *
 * It reads state format 1 (1.0.0's Map) and format 2 (its own: the Map, least recently used
 * first, and the eviction count), and hands over format 2. Either way it adopts the Map it is
 * given instead of copying it entry by entry, so that the swap's pause does not grow with the
 * store: 1.0.0's insertion order stands in for recency (it kept none), and only the entries
 * past the capacity, if any, are touched — the oldest, evicted.
 */
import { numberParam, setTimer, type StateHandover } from 'keel:kernel';

const capacity = numberParam('kv.capacity', { fallback: 1000, min: 1, max: 1_000_000_000 });
let store = new Map<string, string>();
let evictions = 0;

function evictPastCapacity(): void {
  while (store.size > capacity) {
    store.delete(store.keys().next().value!);
    evictions++;
  }
}

function touch(key: string, value: string): void {
  store.delete(key);
  store.set(key, value);
  evictPastCapacity();
}

export function set(key: string, value: string): void {
  touch(key, value);
}

export function get(key: string): string | undefined {
  const value = store.get(key);
  if (value !== undefined) touch(key, value);
  return value;
}

export function remove(key: string): boolean {
  return store.delete(key);
}

export function size(): number {
  return store.size;
}

export function getLater(key: string, milliseconds = 1): Promise<string | undefined> {
  return new Promise((resolve) => setTimer(() => resolve(get(key)), milliseconds));
}

export function policy(): string {
  return `least recently used, capacity ${capacity}, ${evictions} evicted`;
}

export function exportState(): StateHandover {
  // objects: null — nothing in the state is an instance of a class of kv's: the swap need not look.
  return { format: 2, entries: store.size, data: { map: store, evictions }, objects: null };
}

export function importState(state: StateHandover, fromVersion: string): void {
  if (state.format === 1) store = state.data as Map<string, string>;
  else if (state.format === 2) ({ map: store, evictions } = state.data as { map: Map<string, string>; evictions: number });
  else throw new Error(`kv 2.0.0 reads state formats 1 and 2, not ${state.format} (from ${fromVersion})`);
  evictPastCapacity();
}

export function exit(): void {
  store.clear();
}
