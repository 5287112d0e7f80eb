/*
 * Sim fixture: sim-client 1.0.0 — the top of the chain client → relay → store. It passes its
 * own functions to sim-relay (called at once, later from a timer, or kept as listeners), hands
 * callbacks out to its caller, and borrows sim-store through requestModule: the borrowed
 * namespace is its state (format 1), so the hold should survive a swap of the client.
 */
import { releaseModule, requestModule, type StateHandover } from 'keel:kernel';
import { invoke, invokeLater, subscribe } from 'keel:sim-relay';
import type * as Store from 'keel:sim-store';
import { faultyExit, faultyInit, faultyStateHook } from '../../../fixture-faults.ts';
import { runRecorder } from '../../../run-recorder.ts';

const NAME = 'sim-client';
const VERSION = '1.0.0';
const recorder = runRecorder(NAME, VERSION);
export const incarnation = recorder.incarnation;

let borrowed: typeof Store | null = null;

function callback(id: number): string {
  recorder.run(id, 'client.callback');
  return VERSION;
}

export function ping(id: number): string {
  recorder.run(id, 'client.ping');
  return invoke(id, callback);
}

export async function pingLater(id: number, milliseconds: number): Promise<string> {
  recorder.run(id, 'client.pingLater');
  return invokeLater(id, callback, milliseconds);
}

export function listen(token: number): void {
  subscribe(token, (id: number) => recorder.run(id, `client.listener#${token}`));
}

/** A callback for the caller to keep: it dies with this version (unload or swap). */
export function makeCallback(): (id: number) => string {
  return (id) => {
    recorder.run(id, 'client.made');
    return VERSION;
  };
}

export function borrow(): void {
  borrowed = requestModule<typeof Store>('sim-store');
}

export function giveBack(): void {
  borrowed = null;
  releaseModule('sim-store');
}

export function readBorrowed(id: number, key: string): string | null {
  recorder.run(id, 'client.readBorrowed');
  if (!borrowed) throw new Error('sim-client has borrowed nothing');
  return borrowed.get(id, key);
}

export function init(): void | Promise<void> {
  return faultyInit(NAME, () => {});
}

export function exit(): void | Promise<never> {
  return faultyExit(NAME, () => {
    borrowed = null;
  });
}

export function exportState(): StateHandover | Promise<never> {
  const fault = faultyStateHook('export', NAME);
  if (fault) return fault;
  return { format: 1, entries: borrowed ? 1 : 0, data: borrowed };
}

export function importState(state: StateHandover, fromVersion: string): void | Promise<never> {
  const fault = faultyStateHook('import', NAME);
  if (fault) return fault;
  if (state.format !== 1) throw new Error(`sim-client ${VERSION} reads format 1, not ${state.format} (from ${fromVersion})`);
  borrowed = state.data as typeof Store | null;
}
