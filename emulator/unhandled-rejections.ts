/*
 * Unhandled promise rejections, sorted by machine. Node has one 'unhandledRejection' event per
 * process; a promise made in a machine's realm belongs to that machine, and its rejection is
 * handed to the kernel running there (which reports it as an oops) instead of taking the host
 * or the machine down. A rejection no machine owns is the host's own: it is thrown again, as
 * Node would have done without a listener.
 *
 *   const stop = watchRejections({ owns: (promise) => ..., report: (reason) => ... });
 */

export interface RejectionOwner {
  owns(promise: Promise<unknown>): boolean;
  report(reason: unknown): void;
}

const owners = new Set<RejectionOwner>();

function dispatch(reason: unknown, promise: Promise<unknown>): void {
  for (const owner of owners) {
    if (owner.owns(promise)) return owner.report(reason);
  }
  throw reason;
}

/** Routes the rejections of `owner`'s promises to it until the returned function is called. */
export function watchRejections(owner: RejectionOwner): () => void {
  if (owners.size === 0) process.on('unhandledRejection', dispatch);
  owners.add(owner);
  return () => {
    owners.delete(owner);
    if (owners.size === 0) process.off('unhandledRejection', dispatch);
  };
}
