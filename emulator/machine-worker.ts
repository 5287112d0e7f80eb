/*
 * The machine's side of a Node machine thread (emulator/machine-thread.ts): a worker thread
 * that runs machine-runner.ts on the files its workerData holds, over its parentPort. Its
 * browser sibling is browser-machine-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runMachine } from './machine-runner.ts';
import type { FromHost, MachineWorkerData } from './machine-messages.ts';

const port = parentPort!;

runMachine(workerData as MachineWorkerData, {
  send: (message) => port.postMessage(message),
  listen: (listener) => port.on('message', (message: FromHost) => listener(message)),
  close: () => port.close(),
});
