/*
 * The machine's side of a machine thread, on any host: builds the Machine from the files it
 * was given and powers it on, and relays — console input (lines, Ctrl-C, Tab) and host-channel
 * messages in; console text, reads, completions and module names out; the halt status at the
 * end. While the thread's event loop is free it beats the watchdog's heartbeat; a kernel stuck
 * in a loop stops the beat. With a debugger attached (`debug`), it also hands the watching
 * thread the kernel's frame table (shared memory), forwards what the kernel says on the debug
 * device, and samples the engine's compiled code bytes a few times a second.
 *
 *   runMachine(data, { send, listen, close });     // machine-worker.ts (Node), browser-machine-worker.ts
 *
 * The port is the thread's: how a message goes out, how messages come in, how it is closed.
 */
import type { DebugListener } from './devices/debug-device.ts';
import { hostDevice } from './devices/host-device.ts';
import { HEARTBEAT_WORD } from './devices/watchdog-device.ts';
import { BootImageError } from './boot-image.ts';
import { BootError } from './firmware.ts';
import { host } from './host/current-host.ts';
import { Machine } from './machine.ts';
import { watchOtherRejections } from './unhandled-rejections.ts';
import type { DebugReport, FromHost, LineWork, MachineWorkerData, ToHost } from './machine-messages.ts';

export const HEARTBEAT_MS = 100;
/** How often a debugger hears the engine's compiled code bytes (one reading takes a fraction of a millisecond). */
export const CODE_BYTES_MS = 500;

export interface MachinePort {
  send(message: ToHost): void;
  listen(listener: (message: FromHost) => void): void;
  close(): void;
}

/** Builds and powers on the machine; a boot that cannot proceed is one line for the watching thread. */
export function runMachine(data: MachineWorkerData, port: MachinePort): void {
  const { consoleMode, endWhenStuck, debug, ...options } = data;
  const { send } = port;
  const { clock } = host;
  const bootFailed = (error: unknown) => {
    const known = error instanceof BootError || error instanceof BootImageError;
    send({ kind: 'boot-failed', message: known ? (error as Error).message : String((error as Error)?.stack ?? error) });
    port.close();
  };
  /** When the line the machine is working on arrived (the first, if more came before its next read), and the thread's wait for a CPU until then. */
  let lineArrived: { at: number; waiting: number | null } | null = null;
  const lineWork = (): LineWork | null => {
    if (lineArrived === null) return null;
    const waiting = host.threadWaiting();
    return { ms: clock.now() - lineArrived.at, waitingMs: waiting === null || lineArrived.waiting === null ? null : waiting - lineArrived.waiting };
  };
  let machine: Machine;
  try {
    machine = new Machine({
      ...options,
      output: (text) => send({ kind: 'output', text }),
      console: {
        mode: consoleMode,
        onRead(prompt, linesTaken) {
          send({ kind: 'read', prompt, linesTaken, work: lineWork() });
          lineArrived = null;
        },
      },
      onModuleName: (id, name) => send({ kind: 'module-name', id, name }),
      debugListener: debug ? debugRelay(send) : undefined,
    });
  } catch (error) {
    return bootFailed(error);
  }
  send({ kind: 'watchdog', words: machine.watchdog.words });
  const sendCodeBytes = () => send({ kind: 'code-bytes', bytes: hostDevice.codeBytes() });
  if (debug) send({ kind: 'debug-memory', frameTable: machine.debug.frameTable, doorbell: machine.debug.doorbell }), sendCodeBytes();
  const codeBytes = debug ? clock.setInterval(sendCodeBytes, CODE_BYTES_MS) : undefined;
  let stuckBeats = 0;
  const heartbeat = clock.setInterval(() => {
    Atomics.add(machine.watchdog.words, HEARTBEAT_WORD, 1);
    // Two beats in a row with nothing left that could wake it: the machine is done for.
    const stuck = endWhenStuck ? machine.stuckForever() : null;
    stuckBeats = stuck ? stuckBeats + 1 : 0;
    if (stuck && stuckBeats >= 2) machine.endStuck(stuck);
  }, HEARTBEAT_MS);
  port.listen((message) => {
    if (message.kind === 'line') {
      lineArrived ??= { at: clock.now(), waiting: host.threadWaiting() };
      machine.console.type(message.line, message.atPrompt);
    }
    else if (message.kind === 'interrupt') machine.console.interrupt();
    else if (message.kind === 'complete') void machine.console.complete(message.line).then((completion) => send({ kind: 'completion', id: message.id, completion }));
    else if (message.kind === 'channel') machine.channel.send(message.header, message.bytes);
    else machine.console.endInput();
  });
  void machine.halted.then((status) => {
    clock.clearInterval(heartbeat);
    clock.clearInterval(codeBytes);
    send({ kind: 'halted', status });
    port.close();
  });
  panicOnHostRejection(machine);
  try {
    machine.powerOn();
  } catch (error) {
    clock.clearInterval(heartbeat);
    clock.clearInterval(codeBytes);
    bootFailed(error);
  }
}

/**
 * What the kernel says on the debug device, passed on to the watching thread's debugger:
 * gathered while the machine works and sent as one message once its turn is over, as the
 * doorbell wakes its reader (devices/debug-device.ts), so that a load pays for no message of
 * its own — a load names two owners and reports an event, and each message to another thread
 * costs tens of microseconds — and the watching thread, woken, takes no core from the machine
 * while it works.
 */
function debugRelay(send: (message: ToHost) => void): DebugListener {
  let reports: DebugReport[] = [];
  const report = (message: DebugReport) => {
    if (reports.length === 0) host.clock.nextTurn(() => send({ kind: 'debug', reports: reports.splice(0) }));
    reports.push(message);
  };
  return {
    nameOwner: (id, ownerKind, label) => report({ kind: 'owner-named', id, ownerKind, label }),
    forgetOwner: (id) => report({ kind: 'owner-forgotten', id }),
    moduleEvent: (json) => report({ kind: 'module-event', json }),
  };
}

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
