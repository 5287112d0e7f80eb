/*
 * The host port as the kernel gets it: through it the kernel can ask the engine to collect
 * garbage and how much compiled code it holds — what keel needs to prove that unloaded code
 * really went away — and, when it did not, what still holds it (a heap snapshot of the
 * machine's own thread); and how long that thread has waited for a CPU the host's other work
 * held (a virtual machine's steal time: what a benchmark takes off a wall-clock time to see
 * the machine's own work). Each is the host's (host/host.ts), and may be "not here": garbage
 * collection needs node's --expose-gc (npm scripts pass it) or a browser's
 * --js-flags=--expose-gc; a browser tells no code bytes or CPU wait and takes no snapshot.
 */
import { host } from '../host/current-host.ts';
import type { HostDevice } from '../machine-interface.ts';

/** The host port, but for where unhandled rejections go: that is each machine's own (machine.ts). */
export const hostDevice: Omit<HostDevice, 'onUnhandledRejection'> = {
  collectGarbage: () => host.collectGarbage(),
  codeBytes: () => host.codeBytes(),
  cpuWaitMs: () => host.threadWaiting(),
  heapRetainers: (targets, landmarks) => host.heapRetainers(targets, landmarks),
};
