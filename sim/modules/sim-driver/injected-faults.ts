/*
 * The faults the driver injects, and what each must leave behind once its fixture has tripped
 * it: the line it makes the kernel log, and what a fixture that tried to unload or request
 * itself must have been told. An operation arms its faults, acts, then asks which struck
 * (tripped faults are no longer armed: ask before the step ends, which disarms the rest):
 *
 *   const faults = [{ kind: 'async-init', module: 'sim-store', detail: 3 }];
 *   armAll(faults);
 *   ... load ...
 *   for (const line of reports(struck(faults))) world.log.expect(line);
 */
import { arm, isArmed, takeAnswers, type FaultKind } from 'keel:sim-control';
import { Violation } from './violation.ts';
import type { World } from './world.ts';

/** What a fixture was told when it tried to unload or request itself (sim-control's `told`). */
type Answer = ReturnType<typeof takeAnswers>[number];

export interface Fault {
  kind: FaultKind;
  module: string;
  /** How long an async init waits, in virtual ms (0: promise turns only). */
  detail?: number;
}

/** The fixtures that commit injected faults: sim-hog commits none. */
export const FAULTY = ['sim-store', 'sim-relay', 'sim-client', 'sim-audit'];
/** The message of the error each failing fault throws or rejects with. */
export const FAULT_MESSAGES: Partial<Record<FaultKind, string>> = {
  init: 'injected init failure',
  'async-init': 'injected async init failure',
  export: 'injected exportState failure',
  import: 'injected importState failure',
  'throwing-then-class': 'injected throwing then',
};

export const faultsIn = (module: string, kinds: FaultKind[], detail?: number): Fault[] => kinds.map((kind) => ({ kind, module, detail }));

export function armAll(faults: Fault[]): void {
  for (const fault of faults) arm(fault.kind, fault.module, fault.detail ?? 0);
}

/** Those of `faults` that their fixture tripped. */
export function struck(faults: Fault[]): Fault[] {
  return faults.filter((fault) => !isArmed(fault.kind, fault.module));
}

/**
 * The lines the kernel must log for faults that struck: an oops naming the module and where
 * (`symbol`: the function whose promise was adopted, for throwing-then-class), or the exit that
 * failed (a thrown exit is an oops as well). The other faults are answered to their caller, not logged.
 */
export function reports(faults: Fault[], symbol = ''): string[] {
  return faults.flatMap(({ kind, module }) => {
    if (kind === 'init' || kind === 'async-init') return [`keel: oops in ${module}.init: ${FAULT_MESSAGES[kind]}`];
    if (kind === 'async-timer') return [`keel: oops in ${module}.timer: injected async timer failure`];
    if (kind === 'throwing-then-class') return [`keel: oops in ${module}.${symbol}: injected throwing then`];
    // A throw leaves exit as any exception leaves a module's code (an oops); a rejection comes later, to no caller.
    if (kind === 'exit') return [`keel: oops in ${module}.exit: injected exit failure`, `keel: ${module}: exit failed (injected exit failure), unloaded anyway`];
    if (kind === 'async-exit') return [`keel: ${module}: exit failed (injected async exit failure), unloaded anyway`];
    return [];
  });
}

/** An unload refusal's message with its users sorted, as the driver lists them. */
export const sortedUsers = (message: string) => message.replace(/in use by: (.*)$/, (_, users: string) => `in use by: ${users.split(' ').sort().join(' ')}`);

/**
 * Checks what the fixtures were told since the last look against `expected` (attempt →
 * answer, per module), for the self-unload and self-request faults that struck.
 */
export function checkAnswers(label: string, expected: Answer[]): void {
  const told = takeAnswers().map(({ module, attempt, answer }) => `${module} ${attempt}: ${sortedUsers(answer)}`);
  const wanted = expected.map(({ module, attempt, answer }) => `${module} ${attempt}: ${answer}`);
  if (told.join('; ') !== wanted.join('; ')) throw new Violation('lifecycle', `${label}: the kernel told [${told.join('; ')}], expected [${wanted.join('; ')}]`);
}

/**
 * What a fixture's init is told, and where, for the self-unload and self-request faults that
 * struck: `selfUnload` says what unloading itself must answer where it ran.
 */
export function answersFor(hit: Fault[], selfUnload: (module: string) => string): Answer[] {
  return hit.flatMap(({ kind, module }): Answer[] => {
    if (kind === 'self-unload') return [{ module, attempt: kind, answer: `ModuleError: ${selfUnload(module)}` }];
    if (kind === 'self-request') return [{ module, attempt: kind, answer: `ModuleError: ${module} cannot request itself` }];
    return [];
  });
}

/** Takes in what the faults that struck in a load or swap that succeeded did: a self-request keeps INIT_HELPER. */
export function keepHelperHolds(world: World, hit: Fault[]): void {
  for (const { kind, module } of hit) if (kind === 'self-request') world.helperHolders.add(module);
}
