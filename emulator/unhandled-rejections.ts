/*
 * Unhandled promise rejections, sorted by machine. A thread has one event for them (Node's
 * 'unhandledRejection', a browser worker's 'unhandledrejection': host/host.ts); a promise made in a machine's realm belongs to that
 * machine, and its rejection is handed to the kernel running there (which reports it as an
 * oops) instead of taking the host or the machine down. A rejection no machine owns is the
 * host's own: it goes to the thread's fallback if it has one (a machine's thread, where the
 * host code is the emulator's and its fault stops that machine), else it is thrown again, as
 * Node would have done without a listener.
 *
 *   const stop = watchRejections({ owns: (promise) => ..., report: (reason) => ... });
 *   const stopFallback = watchOtherRejections((reason) => machine.panic(...));
 *
 * There is one listener, whatever the order in which the machine and the fallback are
 * watched: a second listener would hear every rejection too, a machine's own among them.
 */
import { host } from './host/current-host.ts';

export interface RejectionOwner {
  owns(promise: Promise<unknown>): boolean;
  report(reason: unknown): void;
}

const owners = new Set<RejectionOwner>();
let fallback: ((reason: unknown) => void) | null = null;
let stopListening: (() => void) | null = null;

function dispatch(reason: unknown, promise: Promise<unknown>): void {
  for (const owner of owners) {
    if (owner.owns(promise)) return owner.report(reason);
  }
  if (fallback) return fallback(reason);
  throw reason;
}

function listen(): void {
  stopListening ??= host.listenForRejections(dispatch);
}

function stopListeningWhenIdle(): void {
  if (owners.size > 0 || fallback !== null) return;
  stopListening?.();
  stopListening = null;
}

/** Routes the rejections of `owner`'s promises to it until the returned function is called. */
export function watchRejections(owner: RejectionOwner): () => void {
  listen();
  owners.add(owner);
  return () => {
    owners.delete(owner);
    stopListeningWhenIdle();
  };
}

/** Routes every rejection no owner claims to `report` until the returned function is called. */
export function watchOtherRejections(report: (reason: unknown) => void): () => void {
  listen();
  fallback = report;
  return () => {
    if (fallback === report) fallback = null;
    stopListeningWhenIdle();
  };
}
