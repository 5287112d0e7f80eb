/*
 * The driver's async calls: getLater (sim-store), forwardLater (sim-relay, which awaits
 * getLater) and pingLater (sim-client, which awaits sim-relay's invokeLater). Each is
 * awaited, or left in flight — now and then without a hold, so that only the call keeps its
 * modules busy (an unload must then be refused) — and counts, while it runs, what the kernel
 * must count as pending (invariants.ts, quiescence).
 *
 * Now and then the fixture whose timer answers the call is armed with a fault:
 *
 *   async-timer          the timer callback rejects once it has answered: the call is answered,
 *                        the kernel logs an oops of <module>.timer
 *   throwing-then        the promise has a `then` of its own that throws: answered all the same
 *   throwing-then-class  a Promise subclass whose `then` throws: the call rejects with that
 *                        error, an oops of the function whose promise it was, no count left raised
 */
import type { FaultKind } from 'keel:sim-control';
import type * as Client from 'keel:sim-client';
import type * as Relay from 'keel:sim-relay';
import type * as Store from 'keel:sim-store';
import { callLater, equals, hold, KEYS, valueOf, type Expectation } from './calls.ts';
import { armAll, FAULT_MESSAGES, reports, struck, type Fault } from './injected-faults.ts';
import { Violation } from './violation.ts';
import type { World } from './world.ts';

const MAX_IN_FLIGHT = 8;
const ASYNC_FIXTURES = ['sim-store', 'sim-relay', 'sim-client'];
const CALL_FAULTS: FaultKind[] = ['async-timer', 'throwing-then', 'throwing-then-class'];

/**
 * What the kernel counts pending while a call into each fixture is in flight: the callee and
 * its caller, for each call through a stub that returned a promise (the driver's, and the one
 * the fixture makes in turn).
 */
const PENDING: Record<string, Record<string, number>> = {
  'sim-store': { 'sim-store': 1, 'sim-driver': 1 },
  'sim-relay': { 'sim-relay': 2, 'sim-store': 1, 'sim-driver': 1 },
  'sim-client': { 'sim-client': 2, 'sim-relay': 1, 'sim-driver': 1 },
};
/** The fixture whose timer answers a call into each, and the function that sets the timer. */
const ANSWERED_BY: Record<string, [string, string]> = { 'sim-store': ['sim-store', 'getLater'], 'sim-relay': ['sim-store', 'getLater'], 'sim-client': ['sim-relay', 'invokeLater'] };

/** A read that settles later: its answer is checked unless the key was written meanwhile. */
function laterRead(world: World, key: string): Expectation['check'] {
  const writes = world.writes.get(key) ?? 0;
  const check = equals(valueOf(world, key));
  return (value) => ((world.writes.get(key) ?? 0) === writes ? check(value) : null);
}

function asyncCall(world: World, name: string, inFlight: boolean, milliseconds: number, faulty: boolean): Promise<string> | string {
  const key = world.random.pick(KEYS);
  const exports = hold<typeof Store & typeof Relay & typeof Client>(world, name);
  if (!exports) return `async ${name}: could not be loaded`;
  const unheld = inFlight && world.random.chance(0.3);
  const [answerer, symbol] = ANSWERED_BY[name]!;
  const faults: Fault[] = faulty && world.random.chance(0.25) ? [{ kind: world.random.pick(CALL_FAULTS), module: answerer }] : [];
  const busy = Object.keys(PENDING[name]!).filter((module) => module !== 'sim-driver');
  const released = unheld ? world.busyUntilSettled(busy) : () => world.release(name);
  if (unheld) world.release(name);
  const settled = world.pendingUntilSettled(PENDING[name]!);
  let lines: string[] = [];
  // The oops of a fault in the timer is logged as the call settles: expected from then on.
  const done = () => (released(), settled(), lines.forEach((line) => world.log.expect(line)));
  const rejects = faults[0]?.kind === 'throwing-then-class' ? FAULT_MESSAGES['throwing-then-class'] : undefined;
  const expect = (roles: string[], check: Expectation['check']): Expectation => (rejects ? { roles, rejects } : { roles, check });
  const label = (text: string) => `${text}${faults[0] ? ` (${faults[0].kind} fault)` : ''}`;
  armAll(faults);
  let outcome: Promise<string> | string;
  if (name === 'sim-store') {
    outcome = callLater(world, label(`getLater ${key} ${milliseconds}`), expect(['store.getLater'], laterRead(world, key)), (id) => exports.getLater(id, key, milliseconds), done, inFlight);
  } else if (name === 'sim-relay') {
    const expected = expect(['relay.forwardLater', 'store.getLater'], laterRead(world, key));
    outcome = callLater(world, label(`forwardLater ${key} ${milliseconds}`), expected, (id) => exports.forwardLater(id, key, milliseconds), done, inFlight);
  } else {
    const expected = expect(['client.pingLater', 'relay.invokeLater', 'client.callback'], equals(world.version('sim-client')));
    outcome = callLater(world, label(`pingLater ${milliseconds}`), expected, (id) => exports.pingLater(id, milliseconds), done, inFlight);
  }
  const hit = struck(faults);
  if (hit.length < faults.length) throw new Violation('faults', `${name}: the ${faults[0]!.kind} fault armed in ${answerer} did not strike`);
  lines = reports(hit, symbol);
  return outcome;
}

/** Starts an async call into `name` that outlasts a 1 ms swap time limit; returns its label. */
export function startSlowCall(world: World, name: string): string {
  return asyncCall(world, name, true, world.random.between(2, 6), false) as string;
}

export function asyncOperation(world: World): Promise<string> | string {
  const inFlight = world.inflight.size < MAX_IN_FLIGHT && world.random.chance(0.5);
  return asyncCall(world, world.random.pick(ASYNC_FIXTURES), inFlight, world.random.between(0, 6), true);
}
