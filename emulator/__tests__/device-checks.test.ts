/*
 * Tests the checked devices (emulator/device-checks.ts): a call with an argument the device
 * does not take is refused with a TypeError or RangeError before the host's function runs, so
 * no value a module passes can make host code throw (process.stdout.write(42) would); a timer
 * callback that throws faults the machine instead of the host.
 */
import { describe, expect, it, vi } from 'vitest';
import { checkedDevices, LONGEST_TIMER_MS } from '../device-checks.ts';
import { DebugPort } from '../devices/debug-device.ts';
import type { MachineInterface } from '../machine-interface.ts';
import { thrownBy } from '../../test/test-helpers.ts';

function devices() {
  const calls: string[] = [];
  const record = (name: string) => (...args: unknown[]) => void calls.push(`${name}(${args.map(String).join(', ')})`);
  const timers: Array<() => void> = [];
  const memory = new Uint8Array(4096);
  const fault = vi.fn();
  const machine = {
    memory,
    console: { write: record('write'), readLine: async () => null, interactive: false },
    timer: { now: () => 0, setTimer: (callback: () => void) => timers.push(callback), clearTimer: record('clearTimer') },
    crypto: { sha256: () => 'hash', verify: () => true },
    channel: { receive: async () => null },
    power: { halt: record('halt'), panic: record('panic') },
    host: { collectGarbage: () => true, codeBytes: () => 0, cpuWaitMs: () => null, onUnhandledRejection: record('onUnhandledRejection'), heapRetainers: record('heapRetainers') },
    watchdog: { running: new Int32Array(2), name: record('name') },
    debug: { frameTable: new Int32Array(1), ring: record('ring'), attached: true, nameOwner: record('nameOwner'), forgetOwner: record('forgetOwner'), moduleEvent: record('moduleEvent') },
  } as unknown as Omit<MachineInterface, 'mmu'>;
  const checked = checkedDevices({ machine, memory, unmap: record('unmap'), fault });
  return { checked, calls, timers, fault, memory };
}

describe('a device given what it does not take', () => {
  it.each([
    ['console.write(42)', (d: MachineInterface) => d.console.write(42 as never), TypeError, 'console.write: text must be a string'],
    ['power.halt(256)', (d: MachineInterface) => d.power.halt(256), RangeError, 'power.halt: status must be a whole number from 0 to 255'],
    ['power.halt(1.5)', (d: MachineInterface) => d.power.halt(1.5), RangeError, 'power.halt: status must be a whole number from 0 to 255'],
    ['power.halt(-1)', (d: MachineInterface) => d.power.halt(-1), RangeError, 'power.halt: status must be a whole number from 0 to 255'],
    ['power.panic(7)', (d: MachineInterface) => d.power.panic(7 as never), TypeError, 'power.panic: reason must be a string'],
    ['timer.setTimer(fn, 3e9)', (d: MachineInterface) => d.timer.setTimer(() => {}, 3e9), RangeError, `timer.setTimer: milliseconds must be a number from 0 to ${LONGEST_TIMER_MS}`],
    ['timer.setTimer(fn, Infinity)', (d: MachineInterface) => d.timer.setTimer(() => {}, Infinity), RangeError, `timer.setTimer: milliseconds must be a number from 0 to ${LONGEST_TIMER_MS}`],
    ["timer.setTimer('text', 0)", (d: MachineInterface) => d.timer.setTimer('text' as never, 0), TypeError, 'timer.setTimer: callback must be a function'],
    ["timer.clearTimer('1')", (d: MachineInterface) => d.timer.clearTimer('1' as never), TypeError, 'timer.clearTimer: id must be a number'],
    ["crypto.sha256('text')", (d: MachineInterface) => d.crypto.sha256('text' as never), TypeError, 'crypto.sha256: bytes must be a Uint8Array'],
    ['crypto.verify(key, bytes, 7)', (d: MachineInterface) => d.crypto.verify('key', new Uint8Array(1), 7 as never), TypeError, 'crypto.verify: signature must be a string'],
    ["watchdog.name(1, 7)", (d: MachineInterface) => d.watchdog.name(1, 7 as never), TypeError, 'watchdog.name: name must be a string'],
    ['host.onUnhandledRejection(7)', (d: MachineInterface) => d.host.onUnhandledRejection(7 as never), TypeError, 'host.onUnhandledRejection: handler must be a function'],
    ['host.heapRetainers({}, [])', (d: MachineInterface) => d.host.heapRetainers({} as never, []), TypeError, 'host.heapRetainers: targets must be an array of at most 100000 objects'],
    ['host.heapRetainers([fn], [7])', (d: MachineInterface) => d.host.heapRetainers([() => {}], [7 as never]), TypeError, 'host.heapRetainers: landmarks[0] must be an object'],
    ['host.heapRetainers([null], [])', (d: MachineInterface) => d.host.heapRetainers([null as never], []), TypeError, 'host.heapRetainers: targets[0] must be an object'],
    ['mmu.unmap({})', (d: MachineInterface) => d.mmu.unmap({} as never), TypeError, 'mmu.unmap: buffer must be an ArrayBuffer'],
    ["debug.nameOwner('7', 'text', 'kv')", (d: MachineInterface) => d.debug.nameOwner('7' as never, 'text', 'kv'), TypeError, 'debug.nameOwner: id must be a number'],
    ['debug.nameOwner(0, ...)', (d: MachineInterface) => d.debug.nameOwner(0, 'text', 'kv'), RangeError, `debug.nameOwner: id must be a whole number from 1 to ${2 ** 31 - 1}`],
    ['debug.nameOwner(7, {}, label)', (d: MachineInterface) => d.debug.nameOwner(7, {} as never, 'kv'), TypeError, 'debug.nameOwner: kind must be a string'],
    ['debug.nameOwner(7, kind, null)', (d: MachineInterface) => d.debug.nameOwner(7, 'text', null as never), TypeError, 'debug.nameOwner: label must be a string'],
    ['debug.forgetOwner(2 ** 40)', (d: MachineInterface) => d.debug.forgetOwner(2 ** 40), RangeError, `debug.forgetOwner: id must be a whole number from 1 to ${2 ** 31 - 1}`],
    ['debug.moduleEvent({ event })', (d: MachineInterface) => d.debug.moduleEvent({ event: 'loaded' } as never), TypeError, 'debug.moduleEvent: json must be a string'],
  ])('%s is refused before the host function runs', (_case, call, kind, message) => {
    const { checked, calls } = devices();
    const error = thrownBy(() => call(checked));
    expect(error).toBeInstanceOf(kind);
    expect((error as Error).message).toBe(message);
    expect(calls).toEqual([]);
  });

  it('refuses to unmap physical memory itself', () => {
    const { checked, calls, memory } = devices();
    expect((thrownBy(() => checked.mmu.unmap(memory.buffer as ArrayBuffer)) as Error).message).toBe('mmu.unmap: buffer must be a mapped block, not physical memory');
    expect(calls).toEqual([]);
  });

  it('passes what it does take on to the host', () => {
    const { checked, calls } = devices();
    checked.console.write('hello');
    checked.power.halt(255);
    checked.watchdog.name(3, null);
    checked.mmu.unmap(new ArrayBuffer(8));
    checked.debug.nameOwner(5, 'text', 'kv');
    checked.debug.forgetOwner(5);
    checked.debug.moduleEvent('{}');
    expect(calls).toEqual(['write(hello)', 'halt(255)', 'name(3, null)', 'unmap([object ArrayBuffer])', 'nameOwner(5, text, kv)', 'forgetOwner(5)', 'moduleEvent({})']);
    expect(checked.debug.attached).toBe(true);
  });

  it('a timer callback that throws faults the machine, and the host timer never sees the exception', () => {
    const { checked, timers, fault } = devices();
    checked.timer.setTimer(() => {
      throw new Error('kernel bug');
    }, 0);
    expect(() => timers[0]!()).not.toThrow();
    expect(fault).toHaveBeenCalledWith('a timer callback', expect.objectContaining({ message: 'kernel bug' }));
  });
});

describe('the debug device', () => {
  it('tells the kernel whether a debugger listens, so that it describes its module table only for one', () => {
    const memory = () => new Int32Array(new SharedArrayBuffer(4));
    expect(new DebugPort(memory(), memory(), undefined).device().attached).toBe(false);
    const listener = { nameOwner: vi.fn(), forgetOwner: vi.fn(), moduleEvent: vi.fn() };
    const device = new DebugPort(memory(), memory(), listener).device();
    expect(device.attached).toBe(true);
    device.moduleEvent('{}');
    expect(listener.moduleEvent).toHaveBeenCalledWith('{}');
  });
});
