/*
 * Calls with a ledger: each call the driver makes gets an id, opened in sim-control before the
 * call and closed when it settles. The runs recorded under the id must be exactly the pieces
 * the call was expected to run (each once, by live code); a call that throws
 * ModuleUnloadedError must have run nothing; one that must reject (a fault injected in it) must
 * reject with that error, having run what it was expected to. Async calls may be left in flight across steps:
 * they are checked when they settle, and a violation found then fails the next check.
 */
import { ModuleUnloadedError, setTimer } from 'keel:kernel';
import { closeCall, openCall } from 'keel:sim-control';
import { additionsFor, checkedLoad } from './transitions.ts';
import { Violation } from './violation.ts';
import type { World } from './world.ts';

export interface Expectation {
  /** The pieces that must run, as the fixtures name them ("store.get", "client.callback"). */
  roles: string[];
  /** The call must throw ModuleUnloadedError (a stale reference) and run nothing. */
  unloaded?: boolean;
  /** The call must reject with an Error of this message, having run `roles`. */
  rejects?: string;
  /** Checks the result; returns what is wrong with it, or null. */
  check?: (value: unknown) => string | null;
}

/** The keys the driver writes and reads. */
export const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];

/** What the live sim-store must answer for `key`. */
export const valueOf = (world: World, key: string) => world.store.get(key) ?? null;

export const equals = (expected: unknown) => (value: unknown) =>
  JSON.stringify(value) === JSON.stringify(expected) ? null : `returned ${JSON.stringify(value)}, expected ${JSON.stringify(expected)}`;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const describeError = (error: unknown) => `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
const sorted = (items: string[]) => [...items].sort().join(', ');

function settle(world: World, id: number, label: string, expected: Expectation, outcome: Outcome): string {
  const runs = closeCall(id);
  const what = `${label} (call ${id})`;
  const ran = sorted(runs.map((run) => run.role));
  const ranAsExpected = () => {
    if (ran === sorted(expected.roles)) return;
    const where = runs.map((run) => `${run.role} in ${run.module} ${run.version} #${run.incarnation}`).join(', ');
    throw new Violation('ledger', `${what} ran [${where}], expected [${sorted(expected.roles)}]`);
  };
  if (outcome.ok) {
    if (expected.unloaded) throw new Violation('stale', `${what} succeeded through a stale reference, running ${ran || 'nothing'}`);
    if (expected.rejects) throw new Violation('calls', `${what} answered ${JSON.stringify(outcome.value)}, expected to reject with "${expected.rejects}"`);
    ranAsExpected();
    const problem = expected.check?.(outcome.value);
    if (problem) throw new Violation('result', `${what} ${problem}`);
    return `${label}: ok`;
  }
  if (expected.rejects && (outcome.error as Error)?.message === expected.rejects) {
    ranAsExpected();
    return `${label}: rejected (${expected.rejects})`;
  }
  if (!(outcome.error instanceof ModuleUnloadedError)) throw new Violation('calls', `${what} threw ${describeError(outcome.error)}${expected.rejects ? `, expected "${expected.rejects}"` : ''}`);
  if (!expected.unloaded) throw new Violation('calls', `${what} threw ${describeError(outcome.error)} though its module is live`);
  if (runs.length > 0) throw new Violation('stale', `${what} threw ModuleUnloadedError but ran [${ran}]`);
  world.trace.fault('stale-reference');
  return `${label}: ModuleUnloadedError`;
}

/** Makes a synchronous call and checks it. */
export function callNow(world: World, label: string, expected: Expectation, call: (id: number) => unknown): string {
  const id = world.nextId++;
  openCall(id);
  let outcome: Outcome;
  try {
    outcome = { ok: true, value: call(id) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  return settle(world, id, label, expected, outcome);
}

/**
 * Makes an asynchronous call; `done` runs when it settles (to release a hold). Awaited, it
 * resolves with the outcome; left in flight, it is checked when it settles.
 */
export function callLater(world: World, label: string, expected: Expectation, call: (id: number) => Promise<unknown>, done: () => void, inFlight: boolean): Promise<string> | string {
  const id = world.nextId++;
  openCall(id);
  let promise: Promise<unknown>;
  try {
    promise = call(id);
  } catch (error) {
    promise = Promise.reject(error);
  }
  const checked = promise
    .then((value): Outcome => ({ ok: true, value }), (error): Outcome => ({ ok: false, error }))
    .then((outcome) => {
      done();
      return settle(world, id, label, expected, outcome);
    });
  if (!inFlight) return checked;
  const tracked: Promise<void> = checked.then(
    () => void world.inflight.delete(tracked),
    (violation: Violation) => {
      world.inflight.delete(tracked);
      world.defer(violation);
    },
  );
  world.inflight.add(tracked);
  return `${label}: in flight`;
}

/**
 * The driver's hold on `name`, loading it on demand (checked as a load); null if it could not
 * be loaded.
 */
export function hold<Exports>(world: World, name: string): Exports | null {
  if (world.loaded(name)) return world.acquire<Exports>(name);
  const additions = additionsFor(world, world.kernel.findRecord(name));
  const attempt = checkedLoad(world, `request ${name}`, additions, undefined, () => world.acquire<Exports>(name));
  return attempt.ok ? attempt.value : null;
}

/** Waits `milliseconds` of virtual time, letting timers and calls in flight run. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimer(resolve, milliseconds));
}
