/*
 * sim-control — the simulator's switchboard, shared by the driver and every sim fixture.
 *
 * The ledger: the driver opens a call id before it calls, fixture code records each piece of
 * it that runs (`ran(id, role, ...)`), and the driver closes the id when the call settles and
 * gets those runs back. A run is checked as it is recorded: the code that ran must be the
 * live incarnation of its module (not an unloaded or swapped-out version), and its call must
 * still be open (a run after the call returned ran late or twice). Faults: the driver arms one
 * ("init", "export" or "import" of a module) and the fixture trips it, which consumes it.
 */
import { kernelInternals } from 'keel:kernel';

/** One piece of a call that ran, and the code that ran it. */
export interface Run {
  role: string;
  module: string;
  version: string;
  incarnation: number;
}

export type FaultKind = 'init' | 'export' | 'import';

let nextIncarnation = 1;
const open = new Map<number, Run[]>();
/** Runs that broke a rule as they were recorded, one line each, for the driver to report. */
const violations: string[] = [];
const armed = new Set<string>();
const trips = new Map<FaultKind, number>();

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

export function arm(kind: FaultKind, module: string): void {
  armed.add(`${kind}:${module}`);
}

export function disarmAll(): void {
  armed.clear();
}

/** Called by a fixture where the fault would strike: true once per arming. */
export function tripped(kind: FaultKind, module: string): boolean {
  if (!armed.delete(`${kind}:${module}`)) return false;
  trips.set(kind, (trips.get(kind) ?? 0) + 1);
  return true;
}

/** How many faults of each kind struck. */
export function faultsTripped(): Record<string, number> {
  return Object.fromEntries(trips);
}
