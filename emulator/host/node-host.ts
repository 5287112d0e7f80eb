/*
 * The host as Node gives it: node:vm for the realm, node:crypto, node:zlib, node:v8's code
 * statistics, the collector that --expose-gc lays open, heap snapshots through node:inspector,
 * and Node's event loop. See host.ts for what each member is; current-host.ts hands this one
 * to the rest of the emulator.
 *
 * The realm: code in a node:vm context reaches the host through any host object it can touch
 * (every object's `constructor.constructor` is its realm's Function, and the host's Function
 * runs `return process`), so emulator/sandbox.ts adopts every value that crosses. The global is
 * made from a null-prototype object, so that `globalThis.constructor` is the realm's own.
 * `import()` is answered, inside the realm, with an error — which Node can only do when run
 * with --experimental-vm-modules (the npm scripts pass it); without the flag the machine warns
 * at boot. This is isolation between well-meaning code and the host, not a security boundary:
 * node:vm shares one process and one heap (Node's documentation says as much).
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { types } from 'node:util';
import { getHeapCodeStatistics } from 'node:v8';
import vm from 'node:vm';
import { crc32, inflateRawSync } from 'node:zlib';
import { heapRetainers } from '../heap-retainers.ts';
import { InflateFailure, type Host } from './host.ts';

/** DER prefix of an Ed25519 public key (SubjectPublicKeyInfo); the raw 32-byte key follows. */
const ED25519_PUBLIC_PREFIX = '302a300506032b6570032100';

/**
 * The last public key parsed, as a coprocessor keeps a key loaded: the kernel checks every
 * module against the one key its base image carries, and parsing it (createPublicKey) cost
 * as much as the Ed25519 check itself, on every load.
 */
let loaded: { publicKey: string; key: KeyObject } | null = null;

function keyObject(publicKey: string): KeyObject {
  if (loaded?.publicKey !== publicKey) loaded = { publicKey, key: createPublicKey({ key: Buffer.from(ED25519_PUBLIC_PREFIX + publicKey, 'hex'), format: 'der', type: 'spki' }) };
  return loaded.key;
}

/** Whether Linux's per-thread scheduler counters can be read here: false after the first failure. */
let schedulerCounters = process.platform === 'linux';

/**
 * The calling thread's run-queue wait, from Linux's schedstat (its second field, nanoseconds).
 * Exact when the thread reads it of itself: a wait is counted when it ends, and it has ended
 * for a thread that is running. (The first field, time on a CPU, is not: the current slice is
 * added only when the thread is switched out or the scheduler ticks.)
 */
function threadWaiting(): number | null {
  if (!schedulerCounters) return null;
  try {
    const waiting = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[1]);
    if (Number.isFinite(waiting)) return waiting / 1e6;
  } catch {
    // No such file: a kernel without schedstat, or no /proc.
  }
  schedulerCounters = false;
  return null;
}

export const host: Host = {
  name: 'node',
  createRealm(importRefused) {
    const context = vm.createContext(Object.create(null), { name: 'keel kernel', codeGeneration: { strings: true, wasm: false } });
    const RealmBytes = vm.runInContext('Uint8Array', context) as Uint8ArrayConstructor;
    const realmSharedBuffer = vm.runInContext('SharedArrayBuffer.prototype', context) as object;
    return {
      compile: (source, parameters, filename) =>
        vm.compileFunction(source, parameters, {
          parsingContext: context,
          filename,
          // Inherited by code the realm compiles from strings (module bundles): every import() lands here.
          importModuleDynamically: (() => {
            throw importRefused();
          }) as never,
        }) as (...args: unknown[]) => unknown,
      importWarning: 'SourceTextModule' in vm ? null : 'node runs without --experimental-vm-modules, so import() inside the sandbox reaches the host',
      share(bytes) {
        if (!types.isSharedArrayBuffer(bytes.buffer)) return null;
        // A second object on the same memory (a SharedArrayBuffer clones by sharing), given the
        // realm's prototype: its constructor, and that one's, are the realm's, so nothing
        // reachable from it is the host's. (A MessagePort moved into the context would receive
        // it as the realm's own too, but moving one costs 3-7 ms per context: a boot's worth.)
        const buffer = structuredClone(bytes.buffer);
        Object.setPrototypeOf(buffer, realmSharedBuffer);
        return new RealmBytes(buffer, bytes.byteOffset, bytes.length);
      },
    };
  },
  clock: {
    now: () => performance.now(),
    setTimeout: (callback, milliseconds) => setTimeout(callback, milliseconds),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    setInterval: (callback, milliseconds) => setInterval(callback, milliseconds),
    clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
    nextTurn: (callback) => void setImmediate(callback),
    queueMicrotask: (callback) => queueMicrotask(callback),
  },
  crypto: {
    sha256: (bytes) => createHash('sha256').update(bytes).digest('hex'),
    verify(publicKey, bytes, signature) {
      try {
        return verify(null, bytes, keyObject(publicKey), Buffer.from(signature, 'hex'));
      } catch {
        return false;
      }
    },
  },
  sha256(...parts) {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    return hash.digest();
  },
  inflateRaw(bytes, maxOutput) {
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateRawSync(bytes, { info: true, maxOutputLength: maxOutput }) as unknown as typeof inflated;
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new InflateFailure('too-large', message);
      if (code === 'Z_BUF_ERROR') throw new InflateFailure('cut-short', message);
      throw new InflateFailure('corrupt', message);
    }
    return { data: new Uint8Array(inflated.buffer.buffer, inflated.buffer.byteOffset, inflated.buffer.length), used: inflated.engine.bytesWritten };
  },
  crc32: (bytes) => crc32(bytes),
  collectGarbage() {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) return false;
    gc();
    return true;
  },
  threadWaiting,
  codeBytes() {
    const statistics = getHeapCodeStatistics();
    return statistics.bytecode_and_metadata_size + statistics.code_and_metadata_size;
  },
  heapRetainers,
  unmap(buffer) {
    // Transferring a buffer detaches it: every view of it, anywhere, is empty from now on.
    structuredClone(buffer, { transfer: [buffer] });
  },
  isUint8Array: (value): value is Uint8Array => types.isUint8Array(value),
  isArrayBuffer: (value): value is ArrayBuffer => types.isArrayBuffer(value),
  listenForRejections(listener) {
    process.on('unhandledRejection', listener);
    return () => process.off('unhandledRejection', listener);
  },
};
