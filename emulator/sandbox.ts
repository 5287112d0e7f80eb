/*
 * The sandbox: the realm the kernel and its modules run in, and the one door into it.
 *
 *   const sandbox = createSandbox();
 *   const memory = sandbox.allocate(64 * 1024 * 1024);     // a Uint8Array of the sandbox's realm
 *   const ramdisk = sandbox.map(initrd);                    // the host's bytes in the realm, not copied if shared
 *   const entry = sandbox.compile(source, ['machine', 'bootInfo'], 'keel:boot.img');
 *   entry(sandbox.adopt(machineInterface), sandbox.adopt(bootInfo));
 *
 * The realm is the host's (host/host.ts: a node:vm context under Node, the Web Worker itself,
 * stripped to the ECMAScript built-ins, in a browser). Code in it reaches the host through any
 * host object it can touch: every object's `constructor.constructor` is its realm's Function,
 * and under Node the host's Function runs `return process`. So nothing of the host crosses as
 * it is. `adopt` rebuilds a value inside the realm: plain objects and arrays are copied, byte
 * arrays copied, promises re-made, and each host function wrapped in a function of the realm
 * that turns host errors into realm errors. `import()` is answered, inside the realm, with an
 * error where the host can (Node with --experimental-vm-modules); elsewhere `importWarning`
 * is the line the firmware prints at boot.
 *
 * This is isolation between well-meaning code and the host, not a security boundary (Node's
 * vm shares one process and one heap; the browser's realm is shared with the worker's own
 * code: docs/architecture.md, "One machine, two hosts"). Signatures decide what runs.
 */
import { host } from './host/current-host.ts';

/** Runs inside the realm: everything it makes belongs there. */
const BRIDGE_SOURCE = String.raw`
'use strict';
const toRealmError = (error) => {
  const copy = new Error(String(error?.message ?? error));
  copy.name = String(error?.name ?? 'Error');
  return copy;
};
const adopt = (value) => {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (value instanceof Uint8Array || value instanceof Int32Array) return value;
  if (typeof value === 'function') {
    return (...args) => {
      let result;
      try {
        result = value(...args);
      } catch (error) {
        throw toRealmError(error);
      }
      return adopt(result);
    };
  }
  if (ArrayBuffer.isView(value)) return Uint8Array.from(value);
  if (typeof value.then === 'function') {
    return new Promise((resolve, reject) => value.then((result) => resolve(adopt(result)), (error) => reject(toRealmError(error))));
  }
  if (Array.isArray(value)) return Array.from(value, adopt);
  const copy = {};
  for (const key of Object.keys(value)) copy[key] = adopt(value[key]);
  return copy;
};
return {
  adopt,
  allocate: (bytes) => new Uint8Array(bytes),
  allocateShared: (words) => new Int32Array(new SharedArrayBuffer(words * 4)),
  importRefused: () => new Error('import() is not available in keel: a module imports keel:<name>, or bundles what it needs'),
  ownsPromise: (promise) => promise instanceof Promise,
};
`;

interface Bridge {
  adopt<Value>(value: Value): Value;
  allocate(bytes: number): Uint8Array;
  allocateShared(words: number): Int32Array;
  importRefused(): Error;
  ownsPromise(promise: Promise<unknown>): boolean;
}

export interface Sandbox {
  /** The host value rebuilt inside the realm (see the header). */
  adopt<Value>(value: Value): Value;
  /** Zeroed bytes owned by the realm: physical memory. */
  allocate(bytes: number): Uint8Array;
  /** Words of shared memory owned by the realm, readable from another thread (the watchdog's). */
  allocateShared(words: number): Int32Array;
  /** The host's bytes as the realm's: the same memory where the host can hand it over (host/host.ts, `share`), else a copy. */
  map(bytes: Uint8Array): Uint8Array;
  /** Compiles `source` as the body of a function of the realm. */
  compile(source: string, parameters: string[], filename: string): (...args: unknown[]) => unknown;
  /** Whether a promise was made in the realm (by the kernel or a module). */
  ownsPromise(promise: Promise<unknown>): boolean;
  /** Null when `import()` inside the realm gets a realm error; else what the machine says at boot. */
  readonly importWarning: string | null;
}

export function createSandbox(): Sandbox {
  let bridge: Bridge | undefined;
  const realm = host.createRealm(() => bridge!.importRefused());
  bridge = realm.compile(BRIDGE_SOURCE, [])() as Bridge;
  return {
    adopt: bridge.adopt,
    allocate: bridge.allocate,
    allocateShared: bridge.allocateShared,
    map(bytes) {
      const shared = realm.share(bytes);
      if (shared) return shared;
      const copy = bridge!.allocate(bytes.length);
      copy.set(bytes);
      return copy;
    },
    ownsPromise: bridge.ownsPromise,
    compile: realm.compile,
    importWarning: realm.importWarning,
  };
}
