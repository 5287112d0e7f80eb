/*
 * sim-control — the simulator's switchboard, shared by the driver and every sim fixture.
 *
 * The ledger: the driver opens a call id before it calls, fixture code records each piece of
 * it that runs (`ran(id, role, ...)`), and the driver closes the id when the call settles and
 * gets those runs back. A run is checked as it is recorded: the code that ran must be the
 * live incarnation of its module (not an unloaded or swapped-out version), and its call must
 * still be open (a run after the call returned ran late or twice). Faults: the driver arms
 * them (a kind, for a module, with a detail such as how long an async init waits) and the
 * fixture trips them where they strike (sim/modules/fixture-faults.ts), which consumes them;
 * what a fixture was told when it tried something it may not (unloading or requesting itself)
 * comes back to the driver through `told`.
 */
import { kernelInternals } from 'keel:kernel';

/** One piece of a call that ran, and the code that ran it. */
export interface Run {
  role: string;
  module: string;
  version: string;
  incarnation: number;
}

export type FaultKind =
  | 'init' | 'async-init' | 'slow-init' | 'self-unload' | 'self-request'
  | 'export' | 'import' | 'async-export' | 'async-import'
  | 'exit' | 'async-exit' | 'async-timer' | 'throwing-then' | 'throwing-then-class';

/** The module a fixture's init requests and keeps when its self-request fault strikes: no version of any fixture imports it. */
export const INIT_HELPER = 'sim-hog';

let nextIncarnation = 1;
const open = new Map<number, Run[]>();
/** Runs that broke a rule as they were recorded, one line each, for the driver to report. */
const violations: string[] = [];
/** Armed faults, as "kind:module", with their detail. */
const armed = new Map<string, number>();
const trips = new Map<FaultKind, number>();
const answers: Array<{ module: string; attempt: string; answer: string }> = [];

/** A fresh number for one evaluation of a fixture's code: tells two loads of one version apart. */
export function incarnation(): number {
  return nextIncarnation++;
}

export function openCall(id: number): void {
  open.set(id, []);
}

export function ran(id: number, role: string, module: string, version: string, incarnation: number): void {
  const loaded = kernelInternals().loader.modules.get(module);
  const exports = loaded?.exportsSlot.target as { incarnation?: number } | null | undefined;
  const live = loaded?.record.version === version && exports?.incarnation === incarnation;
  const runs = open.get(id);
  if (!live) violations.push(`call ${id}: ${role} ran in ${module} ${version} (incarnation ${incarnation}), which is not the live code of ${module}`);
  if (!runs) violations.push(`call ${id}: ${role} ran in ${module} ${version} after the call had returned (or before it was made)`);
  runs?.push({ role, module, version, incarnation });
}

/** Ends a call: its runs, and from now on any run of it is a violation. */
export function closeCall(id: number): Run[] {
  const runs = open.get(id) ?? [];
  open.delete(id);
  return runs;
}

/** Violations recorded since the last look (and forgets them). */
export function takeViolations(): string[] {
  return violations.splice(0);
}

export function arm(kind: FaultKind, module: string, detail = 0): void {
  armed.set(`${kind}:${module}`, detail);
}

export function disarmAll(): void {
  armed.clear();
}

/** Whether a fault is still armed: false once its fixture has tripped it. */
export function isArmed(kind: FaultKind, module: string): boolean {
  return armed.has(`${kind}:${module}`);
}

/** Called by a fixture where the fault would strike: its detail once per arming, else null. */
export function trip(kind: FaultKind, module: string): number | null {
  const detail = armed.get(`${kind}:${module}`);
  if (detail === undefined) return null;
  armed.delete(`${kind}:${module}`);
  trips.set(kind, (trips.get(kind) ?? 0) + 1);
  return detail;
}

export function tripped(kind: FaultKind, module: string): boolean {
  return trip(kind, module) !== null;
}

/** A fixture reports what the kernel answered when it tried `attempt` ("done" if it was let). */
export function told(module: string, attempt: string, answer: string): void {
  answers.push({ module, attempt, answer });
}

/** The answers reported since the last look (and forgets them). */
export function takeAnswers(): Array<{ module: string; attempt: string; answer: string }> {
  return answers.splice(0);
}

/** How many faults of each kind struck. */
export function faultsTripped(): Record<string, number> {
  return Object.fromEntries(trips);
}
