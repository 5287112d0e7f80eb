/*
 * kv 2.0.0 — the key-value store with a bound: past `kv.capacity` entries (command line,
 * default 1000) the least recently used key is evicted. A Map keeps insertion order, so
 * touching a key moves it to the end and the first key is the oldest.
 *
 * It reads state format 1 (1.0.0's pairs: the most recent are kept if there are too many) and
 * format 2 (its own: pairs, oldest first, and the eviction count), and hands over format 2.
 */
import { numberParam, setTimer, type StateHandover } from 'keel:kernel';

const capacity = numberParam('kv.capacity', { fallback: 1000, min: 1, max: 1_000_000_000 });
let store = new Map<string, string>();
let evictions = 0;

function touch(key: string, value: string): void {
  store.delete(key);
  store.set(key, value);
  while (store.size > capacity) {
    store.delete(store.keys().next().value!);
    evictions++;
  }
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
  return { format: 2, entries: store.size, data: { pairs: [...store], evictions } };
}

export function importState(state: StateHandover, fromVersion: string): void {
  if (state.format === 1) {
    store = new Map();
    for (const [key, value] of state.data as Array<[string, string]>) touch(key, value);
  } else if (state.format === 2) {
    const data = state.data as { pairs: Array<[string, string]>; evictions: number };
    store = new Map();
    for (const [key, value] of data.pairs) touch(key, value);
    evictions = data.evictions;
  } else {
    throw new Error(`kv 2.0.0 reads state formats 1 and 2, not ${state.format} (from ${fromVersion})`);
  }
}

export function exit(): void {
  store.clear();
}
