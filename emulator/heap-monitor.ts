/*
 * The machine thread's heap, watched from the host's thread. A worker's own heap limit
 * (resourceLimits) ends a thread that reaches it — but the engine aborts the whole process,
 * every other machine with it, when one allocation of more than a few megabytes is what crosses
 * that limit: an array that grows by half again past it, say (nodejs/node#47224). So the limit
 * a user sets (`--heap`) is enforced here, from outside: a few times a second the host asks the
 * thread's inspector how much of its heap is used — the inspector answers even while the
 * thread is in an endless loop — and once that reaches the limit, it calls `onExhausted`. The
 * engine's own limit is set higher (engineLimit): only an allocation that jumps past it all
 * at once, from below the user's limit, is left to the engine.
 *
 *   const monitor = watchHeap(worker.threadId, 512, (usedMegabytes) => ...);
 *   monitor.stop();
 */
import { inspectWorker } from './worker-inspector.ts';

/** How often the heap is read. */
export const HEAP_POLL_MS = 100;

/** The engine's own limit for a thread whose user limit is `megabytes`: room for the growth of one array past it. */
export function engineLimit(megabytes: number): number {
  return Math.ceil(megabytes * 1.5) + 64;
}

export interface HeapMonitor {
  stop(): void;
}

export function watchHeap(threadId: number, megabytes: number, onExhausted: (usedMegabytes: number) => void): HeapMonitor {
  let poll: NodeJS.Timeout | undefined;
  let stopped = false;
  let session: { disconnect(): void } | undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(poll);
    session?.disconnect();
  };
  session = inspectWorker(threadId, {
    attached: (thread) => {
      poll = setInterval(() => thread.send('Runtime.getHeapUsage'), HEAP_POLL_MS);
      poll.unref();
    },
    message: (message) => {
      const used = (message.result as { usedSize?: number } | undefined)?.usedSize;
      if (stopped || used === undefined || used < megabytes * 1024 ** 2) return;
      stop();
      onExhausted(Math.round(used / 1024 ** 2));
    },
    failed: stop,
  });
  return { stop };
}
