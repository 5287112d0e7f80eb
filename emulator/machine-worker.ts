/*
 * The machine's side of a machine thread (emulator/machine-thread.ts): runs in a worker,
 * builds the Machine from the files it was given and powers it on, and relays — console input
 * (lines, Ctrl-C, Tab) and host-channel messages in; console text, reads, completions and module
 * names out; the halt status at the end. While the worker's event
 * loop is free it beats the watchdog's heartbeat; a kernel stuck in a loop stops the beat.
 * With a debugger attached (`debug`), it also hands the host the kernel's frame table (shared
 * memory), forwards what the kernel says on the debug device, and samples the engine's compiled
 * code bytes a few times a second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DebugListener } from './devices/debug-device.ts';
import { hostDevice } from './devices/host-device.ts';
import { HEARTBEAT_WORD } from './devices/watchdog-device.ts';
import { BootImageError } from './boot-image.ts';
import { BootError } from './firmware.ts';
import { Machine } from './machine.ts';
import { watchOtherRejections } from './unhandled-rejections.ts';
import type { DebugReport, FromHost, MachineWorkerData, ToHost } from './machine-thread.ts';

export const HEARTBEAT_MS = 100;
/** How often a debugger hears the engine's compiled code bytes (one reading takes a fraction of a millisecond). */
export const CODE_BYTES_MS = 500;

const port = parentPort!;
const send = (message: ToHost) => port.postMessage(message);

/** Builds and powers on the machine; a boot that cannot proceed is one line for the host. */
function start(): void {
  const { consoleMode, endWhenStuck, debug, ...options } = workerData as MachineWorkerData;
  let machine: Machine;
  try {
    machine = new Machine({
      ...options,
      output: (text) => send({ kind: 'output', text }),
      console: { mode: consoleMode, onRead: (prompt, linesTaken) => send({ kind: 'read', prompt, linesTaken }) },
      onModuleName: (id, name) => send({ kind: 'module-name', id, name }),
      debugListener: debug ? debugRelay : undefined,
    });
  } catch (error) {
    return bootFailed(error);
  }
  send({ kind: 'watchdog', words: machine.watchdog.words });
  const sendCodeBytes = () => send({ kind: 'code-bytes', bytes: hostDevice.codeBytes() });
  if (debug) send({ kind: 'debug-memory', frameTable: machine.debug.frameTable, doorbell: machine.debug.doorbell }), sendCodeBytes();
  const codeBytes = debug ? setInterval(sendCodeBytes, CODE_BYTES_MS) : undefined;
  let stuckBeats = 0;
  const heartbeat = setInterval(() => {
    Atomics.add(machine.watchdog.words, HEARTBEAT_WORD, 1);
    // Two beats in a row with nothing left that could wake it: the machine is done for.
    const stuck = endWhenStuck ? machine.stuckForever() : null;
    stuckBeats = stuck ? stuckBeats + 1 : 0;
    if (stuck && stuckBeats >= 2) machine.endStuck(stuck);
  }, HEARTBEAT_MS);
  port.on('message', (message: FromHost) => {
    if (message.kind === 'line') machine.console.type(message.line, message.atPrompt);
    else if (message.kind === 'interrupt') machine.console.interrupt();
    else if (message.kind === 'complete') void machine.console.complete(message.line).then((completion) => send({ kind: 'completion', id: message.id, completion }));
    else if (message.kind === 'channel') machine.channel.send(message.header, message.bytes);
    else machine.console.endInput();
  });
  void machine.halted.then((status) => {
    clearInterval(heartbeat);
    clearInterval(codeBytes);
    send({ kind: 'halted', status });
    port.close();
  });
  panicOnHostRejection(machine);
  try {
    machine.powerOn();
  } catch (error) {
    clearInterval(heartbeat);
    clearInterval(codeBytes);
    bootFailed(error);
  }
}

/**
 * What the kernel says on the debug device, passed on to the host's debugger: gathered while
 * the kernel runs and sent as one message once it returns (a microtask), so that a load pays
 * for no message of its own — a load names two owners and reports an event, and each message
 * to another thread costs tens of microseconds.
 */
let reports: DebugReport[] = [];
function report(message: DebugReport): void {
  if (reports.length === 0) queueMicrotask(() => send({ kind: 'debug', reports: reports.splice(0) }));
  reports.push(message);
}
const debugRelay: DebugListener = {
  nameOwner: (id, ownerKind, label) => report({ kind: 'owner-named', id, ownerKind, label }),
  forgetOwner: (id) => report({ kind: 'owner-forgotten', id }),
  moduleEvent: (json) => report({ kind: 'module-event', json }),
};

/**
 * A rejection of the machine's realm is the kernel's to report (an oops of the module it came
 * from: Machine routes it there); one of this thread's own host code, which no machine owns,
 * is a fault of the emulator: it stops this machine, not the host.
 */
function panicOnHostRejection(machine: Machine): void {
  watchOtherRejections((reason) => machine.panic(`unhandled rejection in the emulator: ${describeReason(reason)}`));
}

function describeReason(reason: unknown): string {
  try {
    return String((reason as Error)?.message ?? reason);
  } catch {
    return 'a value that cannot be read';
  }
}

function bootFailed(error: unknown): void {
  const known = error instanceof BootError || error instanceof BootImageError;
  send({ kind: 'boot-failed', message: known ? (error as Error).message : String((error as Error)?.stack ?? error) });
  port.close();
}

start();
