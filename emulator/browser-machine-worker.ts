/*
 * The machine's side of a browser machine thread (browser-machine-thread.ts): the entry of the
 * Web Worker bundle (build/browser-bundle.ts). It prepares the browser host — starts the crypto
 * worker, strips the worker's global to the ECMAScript built-ins (host/browser-host.ts) — then
 * takes the page's first message, the files and options to boot with, and runs
 * machine-runner.ts on them, as machine-worker.ts does under Node.
 */
import { prepareBrowserHost, workerPort } from './host/browser-host.ts';
import { runMachine } from './machine-runner.ts';
import type { MachineWorkerData } from './machine-messages.ts';

/** The page's first message: what machine-worker.ts gets as its workerData. */
export interface StartMessage {
  kind: 'start';
  data: MachineWorkerData;
}

async function start(): Promise<void> {
  try {
    await prepareBrowserHost();
  } catch (error) {
    workerPort.send({ kind: 'boot-failed', message: `the browser cannot host the machine: ${String((error as Error)?.message ?? error)}` });
    return workerPort.close();
  }
  const first = (await workerPort.next()) as StartMessage;
  runMachine(first.data, workerPort);
}

void start();
