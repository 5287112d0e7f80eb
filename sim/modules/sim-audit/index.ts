/*
 * Sim fixture: sim-audit — a dependency only sim-relay 2.0.0 has, so swapping the relay to
 * 2.0.0 loads it on demand, and swapping back leaves it loaded with no users.
 */
import { faultyExit, faultyInit } from '../fixture-faults.ts';
import { runRecorder } from '../run-recorder.ts';

const NAME = 'sim-audit';
const recorder = runRecorder(NAME, '1.0.0');
export const incarnation = recorder.incarnation;

export function note(id: number): void {
  recorder.run(id, 'audit.note');
}

export function init(): void | Promise<void> {
  return faultyInit(NAME, () => {});
}

export function exit(): void | Promise<never> {
  return faultyExit(NAME, () => {});
}
