/*
 * The devices as the kernel is handed them: every function checks its arguments before any
 * host code sees them, as hardware ignores a malformed request instead of catching fire.
 * The kernel API checks too (boot/argument-checks.ts), but a module holding the kernel's
 * internals can reach a device directly, and no value it passes may make host code throw —
 * process.stdout.write(42) would take the host down with a Node stack trace. A refused call
 * throws a TypeError or RangeError (the sandbox re-makes it as an error of its realm).
 *
 * Callbacks the kernel gives a device (timers) run inside a guard too: what one throws
 * panics the machine, never the host.
 */
import { host as runningHost } from './host/current-host.ts';
import type { MachineInterface } from './machine-interface.ts';

/** setTimeout's limit: a longer delay would fire at once, with Node's TimeoutOverflowWarning. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

function refuse(kind: typeof TypeError, where: string, expected: string): never {
  throw new kind(`${where} must be ${expected}`);
}

const string = (where: string, value: unknown) => (typeof value === 'string' ? value : refuse(TypeError, where, 'a string'));
const bytes = (where: string, value: unknown) => (runningHost.isUint8Array(value) ? value : refuse(TypeError, where, 'a Uint8Array'));

/** An array of objects (or functions), as the kernel's realm makes them: checked element by element, never by a method of its own. */
function objects(where: string, value: unknown): object[] {
  if (!Array.isArray(value) || value.length > LONGEST_OBJECT_LIST) refuse(TypeError, where, `an array of at most ${LONGEST_OBJECT_LIST} objects`);
  for (let index = 0; index < value.length; index++) {
    const element: unknown = value[index];
    if (element === null || (typeof element !== 'object' && typeof element !== 'function')) refuse(TypeError, `${where}[${index}]`, 'an object');
  }
  return value;
}

/** Objects asked about or named in one heap search: enough for every module's landmarks. */
const LONGEST_OBJECT_LIST = 100_000;

function number(where: string, value: unknown, min: number, max: number, whole = true): number {
  if (typeof value !== 'number') refuse(TypeError, where, 'a number');
  if (!(whole ? Number.isInteger(value) : Number.isFinite(value)) || value < min || value > max) {
    refuse(RangeError, where, `a ${whole ? 'whole ' : ''}number from ${min} to ${max}`);
  }
  return value;
}

export interface DeviceParts {
  machine: Omit<MachineInterface, 'mmu'>;
  /** Physical memory: the one buffer that may never be unmapped. */
  memory: Uint8Array;
  unmap(buffer: ArrayBuffer): void;
  /** What a callback's exception does: panics the machine. */
  fault(where: string, error: unknown): void;
}

/** The machine interface with every device function checked (what the sandbox then adopts). */
export function checkedDevices({ machine, memory, unmap, fault }: DeviceParts): MachineInterface {
  const { console, timer, crypto, channel, power, host, watchdog, debug } = machine;
  const ownerId = (where: string, id: unknown) => number(where, id, 1, 2 ** 31 - 1);
  const guarded = (callback: () => void) => () => {
    try {
      callback();
    } catch (error) {
      fault('a timer callback', error);
    }
  };
  return {
    memory,
    // A read request that is no object is a read with no prompt: the console itself sees to that.
    console: { write: (text) => console.write(string('console.write: text', text)), readLine: (request) => console.readLine(request), interactive: console.interactive },
    timer: {
      now: () => timer.now(),
      setTimer(callback, milliseconds) {
        if (typeof callback !== 'function') refuse(TypeError, 'timer.setTimer: callback', 'a function');
        return timer.setTimer(guarded(callback), number('timer.setTimer: milliseconds', milliseconds, 0, LONGEST_TIMER_MS, false));
      },
      clearTimer: (id) => timer.clearTimer(number('timer.clearTimer: id', id, 0, Number.MAX_SAFE_INTEGER)),
    },
    crypto: {
      sha256: (data) => crypto.sha256(bytes('crypto.sha256: bytes', data)),
      verify: (key, data, signature) => crypto.verify(string('crypto.verify: publicKey', key), bytes('crypto.verify: bytes', data), string('crypto.verify: signature', signature)),
    },
    channel: { receive: () => channel.receive() },
    power: {
      halt: (status) => power.halt(number('power.halt: status', status, 0, 255)),
      panic: (reason) => power.panic(string('power.panic: reason', reason)),
    },
    host: {
      collectGarbage: () => host.collectGarbage(),
      codeBytes: () => host.codeBytes(),
      cpuWaitMs: () => host.cpuWaitMs(),
      heapRetainers: (targets, landmarks) => host.heapRetainers(objects('host.heapRetainers: targets', targets), objects('host.heapRetainers: landmarks', landmarks)),
      onUnhandledRejection(handler) {
        if (typeof handler !== 'function') refuse(TypeError, 'host.onUnhandledRejection: handler', 'a function');
        host.onUnhandledRejection(handler);
      },
    },
    watchdog: {
      running: watchdog.running,
      name: (id, name) => watchdog.name(number('watchdog.name: id', id, 0, 2 ** 31 - 1), name === null ? null : string('watchdog.name: name', name)),
    },
    debug: {
      frameTable: debug.frameTable,
      ring: () => debug.ring(),
      attached: debug.attached === true,
      nameOwner: (id, kind, label) => debug.nameOwner(ownerId('debug.nameOwner: id', id), string('debug.nameOwner: kind', kind), string('debug.nameOwner: label', label)),
      forgetOwner: (id) => debug.forgetOwner(ownerId('debug.forgetOwner: id', id)),
      moduleEvent: (json) => debug.moduleEvent(string('debug.moduleEvent: json', json)),
    },
    mmu: {
      unmap(buffer) {
        if (!runningHost.isArrayBuffer(buffer)) refuse(TypeError, 'mmu.unmap: buffer', 'an ArrayBuffer');
        if (buffer === memory.buffer) refuse(RangeError, 'mmu.unmap: buffer', 'a mapped block, not physical memory');
        unmap(buffer);
      },
    },
  };
}
