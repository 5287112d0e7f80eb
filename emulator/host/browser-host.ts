/*
 * The host as a browser's Web Worker gives it (see host.ts for each member). The machine's
 * worker is the realm: a worker has no iframe and Chromium no ShadowRealm, so the kernel and
 * its modules are compiled with the worker's own Function, and the worker's global is stripped
 * to the ECMAScript built-ins before any of their code runs (`sealWorker`). Everything the host
 * needs of the browser — postMessage, its message listener, timers, the clock, structuredClone,
 * Worker (for the crypto worker), the collector when --expose-gc lays it open — is captured here
 * at load, in closures no code of the realm can reach.
 *
 *   import { prepareBrowserHost, workerPort } from './host/browser-host.ts';
 *   await prepareBrowserHost();          // the crypto worker answers, then the global is sealed
 *   workerPort.listen((message) => ...); workerPort.send(message);
 *
 * Rules this imposes on the rest of emulator/ (the code of the machine's thread): no global but
 * the ECMAScript built-ins once the realm is sealed — what it needs of the host comes through
 * `host`, or is made at load (firmware.ts's TextDecoder).
 *
 * The crypto device is synchronous (the bootstrap and the loader call it so) and WebCrypto is
 * not: a small crypto worker (crypto-worker.ts) runs crypto.subtle, and this thread waits for
 * its answer with Atomics.wait on shared memory, which a worker may do.
 *
 * What this isolation is and is not: docs/architecture.md, "One machine, two hosts".
 */
import type { FromHost, ToHost } from '../machine-messages.ts';
import { cryptoWorkerMain, type CryptoAnswerWords } from './crypto-worker.ts';
import type { Host } from './host.ts';
import { ECMASCRIPT_GLOBALS } from './realm-globals.ts';

interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(kind: string, listener: (event: { data?: unknown; reason?: unknown; promise?: Promise<unknown>; preventDefault(): void }) => void): void;
  removeEventListener(kind: string, listener: unknown): void;
  close(): void;
  setTimeout(callback: () => void, milliseconds: number): number;
  clearTimeout(handle: number): void;
  setInterval(callback: () => void, milliseconds: number): number;
  clearInterval(handle: number): void;
  queueMicrotask(callback: () => void): void;
  structuredClone(value: unknown, options: { transfer: unknown[] }): unknown;
  performance: { now(): number };
  Worker: new (url: string) => { postMessage(message: unknown): void; addEventListener(kind: string, listener: (event: { data: unknown }) => void): void };
  Blob: new (parts: string[], options: { type: string }) => unknown;
  URL: { createObjectURL(blob: unknown): string };
  gc?: () => void;
}

const scope = globalThis as unknown as WorkerScope;
const bind = <Name extends keyof WorkerScope>(name: Name) => (scope[name] as (...args: unknown[]) => unknown).bind(scope) as WorkerScope[Name];
const post = bind('postMessage');
const addListener = bind('addEventListener');
const removeListener = bind('removeEventListener');
const closeWorker = bind('close');
const timeout = bind('setTimeout');
const clearTimer = bind('clearTimeout');
const interval = bind('setInterval');
const clearRepeat = bind('clearInterval');
const microtask = bind('queueMicrotask');
const clone = bind('structuredClone');
const performanceNow = scope.performance.now.bind(scope.performance);
const collector = scope.gc;
const MakeWorker = scope.Worker;
const MakeBlob = scope.Blob;
const objectUrl = scope.URL.createObjectURL.bind(scope.URL);
const MakeFunction = Function;
const apply = Reflect.apply;
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;

/** Messages from the page that came before anyone listened: the page may send its first before the worker is ready. */
const early: unknown[] = [];
let listener: ((message: FromHost) => void) | null = null;
let waiter: ((message: unknown) => void) | null = null;
addListener('message', (event) => {
  const take = waiter ?? listener;
  waiter = null;
  if (take) take(event.data as FromHost);
  else early.push(event.data);
});

/** The worker's end of its messages with the page: what machine-runner.ts takes as its port. */
export const workerPort = {
  send: (message: ToHost) => post(message),
  /** The next message from the page, before anyone listens (the start message). */
  next: (): Promise<unknown> => (early.length > 0 ? Promise.resolve(early.shift()) : new Promise((resolve) => (waiter = resolve))),
  listen(each: (message: FromHost) => void): void {
    listener = each;
    for (const message of early.splice(0)) each(message as FromHost);
  },
  close: () => closeWorker(),
};

// The crypto worker: one request at a time, its answer in shared memory.
const words = new Int32Array(new SharedArrayBuffer(8)) as CryptoAnswerWords;
const answer = new Uint8Array(new SharedArrayBuffer(64));
let cryptoWorker: { postMessage(message: unknown): void } | null = null;

function askCrypto(request: { op: 'sha256'; bytes: Uint8Array } | { op: 'verify'; bytes: Uint8Array; key: Uint8Array; signature: Uint8Array }): Uint8Array | null {
  if (!cryptoWorker) throw new Error('the crypto worker is not started (prepareBrowserHost)');
  Atomics.store(words, 0, 0);
  cryptoWorker.postMessage(request);
  while (Atomics.wait(words, 0, 0) === 'ok' && Atomics.load(words, 0) === 0);
  return Atomics.load(words, 0) === 1 ? answer.slice(0, Atomics.load(words, 1)) : null;
}

/** Only whole hex (two digits a byte), as a key or signature must be: anything else is no key. */
function hexBytes(text: string): Uint8Array | null {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) return null;
  const bytes = new Uint8Array(text.length / 2);
  for (let index = 0; index < bytes.length; index++) bytes[index] = parseInt(text.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

function sha256(...parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) bytes.set(part, offset), (offset += part.length);
  const digest = askCrypto({ op: 'sha256', bytes });
  if (!digest) throw new Error('sha256: the browser\'s crypto failed');
  return digest;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value;
});

/** Whether import() of a data: URL is refused here: the worker's Content-Security-Policy decides, as nothing else can in a browser. */
let importRefused = false;

export const host: Host = {
  name: 'browser',
  createRealm() {
    sealWorker();
    return {
      compile: (source, parameters, filename) => new MakeFunction(...parameters, filename ? `${source}\n//# sourceURL=${filename}` : source) as (...args: unknown[]) => unknown,
      importWarning: importRefused ? null : 'this page lets import() inside the sandbox load code (serve the machine worker with its Content-Security-Policy: emulator/host/browser-worker-policy.ts)',
      // The worker is the realm: bytes that reached it (a message's) are already the realm's own.
      share: (bytes) => bytes,
    };
  },
  clock: {
    now: performanceNow,
    setTimeout: (callback, milliseconds) => timeout(callback, milliseconds),
    clearTimeout: (handle) => clearTimer(handle as number),
    setInterval: (callback, milliseconds) => interval(callback, milliseconds),
    clearInterval: (handle) => clearRepeat(handle as number),
    nextTurn: (callback) => void timeout(callback, 0),
    queueMicrotask: (callback) => microtask(callback),
  },
  crypto: {
    sha256: (bytes) => hex(sha256(bytes)),
    verify(publicKey, bytes, signature) {
      const key = hexBytes(publicKey);
      const signed = hexBytes(signature);
      if (!key || !signed) return false;
      return askCrypto({ op: 'verify', bytes: bytes.slice(), key, signature: signed })?.[0] === 1;
    },
  },
  sha256,
  inflateRaw: null,
  crc32(bytes) {
    let crc = 0xffffffff;
    for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  },
  collectGarbage() {
    if (!collector) return false;
    collector();
    return true;
  },
  codeBytes: () => null,
  threadWaiting: () => null,
  heapRetainers: () => null,
  unmap(buffer) {
    clone(buffer, { transfer: [buffer] });
  },
  isUint8Array: (value): value is Uint8Array => ArrayBuffer.isView(value) && apply(typedArrayTag, value, []) === 'Uint8Array',
  isArrayBuffer(value): value is ArrayBuffer {
    try {
      apply(arrayBufferLength, value, []);
      return true;
    } catch {
      return false;
    }
  },
  listenForRejections(each) {
    const onRejection = (event: { reason?: unknown; promise?: Promise<unknown>; preventDefault(): void }) => {
      event.preventDefault();
      each(event.reason, event.promise!);
    };
    addListener('unhandledrejection', onRejection);
    return () => removeListener('unhandledrejection', onRejection);
  },
};

/** Starts the crypto worker and waits for it, learns whether import() is refused, then seals the global. */
export async function prepareBrowserHost(): Promise<void> {
  if (cryptoWorker) return;
  const started = new MakeWorker(objectUrl(new MakeBlob([`(${cryptoWorkerMain.toString()})()`], { type: 'text/javascript' })));
  await new Promise<void>((resolve) => {
    started.addEventListener('message', () => resolve());
    started.postMessage({ words, answer });
  });
  cryptoWorker = { postMessage: started.postMessage.bind(started) };
  // Not a literal: a bundler would inline a literal data: import instead of leaving it to the browser.
  const probe = ['data:text/javascript', ''].join(',');
  importRefused = await import(probe).then(() => false, () => true);
  sealWorker();
}

let sealed = false;

/**
 * Leaves on the worker's global only the ECMAScript built-ins, and empties the objects of its
 * prototype chain below Object.prototype (DedicatedWorkerGlobalScope, WorkerGlobalScope,
 * EventTarget): so `globalThis`, `Function('return this')()` and `(0, eval)('this')` lead to
 * built-ins only. A property that cannot be removed stops the boot, naming it — unless it is a
 * constant that holds no object.
 */
function sealWorker(): void {
  if (sealed) return;
  const global = globalThis as Record<PropertyKey, unknown>;
  const kept = new Set<PropertyKey>(ECMASCRIPT_GLOBALS);
  const remove = (object: object, key: PropertyKey) => {
    if (Reflect.deleteProperty(object, key)) return;
    // What cannot be deleted but can be written (V8's gc, with --expose-gc) is emptied instead.
    if (Reflect.set(object, key, undefined) && Reflect.get(object, key) === undefined) return;
    // WebIDL constants (TEMPORARY, PERSISTENT) cannot be deleted, and lead nowhere: a number is no way out.
    const left = Reflect.getOwnPropertyDescriptor(object, key)!;
    const leadsNowhere = 'value' in left && !left.writable && (left.value === null || (typeof left.value !== 'object' && typeof left.value !== 'function'));
    if (!leadsNowhere) throw new Error(`the worker's global keeps ${String(key)}, which module code could reach`);
  };
  for (const key of Reflect.ownKeys(global)) if (!kept.has(key)) remove(global, key);
  for (let prototype = Object.getPrototypeOf(global); prototype !== null && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype)) {
    for (const key of Reflect.ownKeys(prototype)) remove(prototype, key);
  }
  sealed = true;
}

