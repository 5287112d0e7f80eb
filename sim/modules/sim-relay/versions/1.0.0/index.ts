/*
 * Sim fixture: sim-relay 1.0.0 — between sim-client and sim-store. It forwards reads to the
 * store (sync through legacyGet, async through getLater), calls callbacks other modules pass
 * it (at once, or later from a timer), and keeps listeners that `publish` calls: a listener
 * whose module was unloaded or swapped throws ModuleUnloadedError, is reported stale and
 * dropped. The listeners are its state (format 1), so they survive a swap of the relay.
 */
import { ModuleUnloadedError, type StateHandover } from 'keel:kernel';
import { getLater, legacyGet } from 'keel:sim-store';
import { faultyExit, faultyInit, faultyStateHook, later } from '../../../fixture-faults.ts';
import { runRecorder } from '../../../run-recorder.ts';

type Listener = (id: number) => unknown;

const NAME = 'sim-relay';
const recorder = runRecorder(NAME, '1.0.0');
export const incarnation = recorder.incarnation;

let listeners: Array<[number, Listener]> = [];

export function forward(id: number, key: string): string | null {
  recorder.run(id, 'relay.forward');
  return legacyGet(id, key);
}

export async function forwardLater(id: number, key: string, milliseconds: number): Promise<string | null> {
  recorder.run(id, 'relay.forwardLater');
  return getLater(id, key, milliseconds);
}

export function invoke(id: number, callback: (id: number) => string): string {
  recorder.run(id, 'relay.invoke');
  return callback(id);
}

export function invokeLater(id: number, callback: (id: number) => string, milliseconds: number): Promise<string> {
  return later(
    NAME,
    () => {
      recorder.run(id, 'relay.invokeLater');
      return callback(id);
    },
    milliseconds,
  );
}

export function subscribe(token: number, listener: Listener): void {
  listeners.push([token, listener]);
}

/** Calls every listener; returns the tokens delivered to and the stale ones (dropped). */
export function publish(id: number): { delivered: number[]; stale: number[] } {
  recorder.run(id, 'relay.publish');
  const delivered: number[] = [];
  const stale: number[] = [];
  for (const [token, listener] of listeners) {
    try {
      listener(id);
      delivered.push(token);
    } catch (error) {
      if (!(error instanceof ModuleUnloadedError)) throw error;
      stale.push(token);
    }
  }
  listeners = listeners.filter(([token]) => !stale.includes(token));
  return { delivered, stale };
}

export function init(): void | Promise<void> {
  return faultyInit(NAME, () => {});
}

export function exit(): void | Promise<never> {
  return faultyExit(NAME, () => {
    listeners = [];
  });
}

export function exportState(): StateHandover | Promise<never> {
  const fault = faultyStateHook('export', NAME);
  if (fault) return fault;
  return { format: 1, entries: listeners.length, data: listeners };
}

export function importState(state: StateHandover, fromVersion: string): void | Promise<never> {
  const fault = faultyStateHook('import', NAME);
  if (fault) return fault;
  if (state.format !== 1) throw new Error(`sim-relay 1.0.0 reads format 1, not ${state.format} (from ${fromVersion})`);
  listeners = [...(state.data as Array<[number, Listener]>)];
}
