/*
 * The host: what differs between the two places a machine runs — a Node worker thread
 * (node-host.ts) and a browser's Web Worker (browser-host.ts). Everything else in emulator/
 * is the same code on both and reaches the host only through this interface, as the
 * `host` that current-host.ts exports (the browser bundle swaps Node's for the browser's:
 * build/browser-bundle.ts).
 *
 *   import { host } from './host/current-host.ts';
 *   const realm = host.createRealm(() => new Error('no import()'));
 *   host.clock.setTimeout(callback, 10);
 *
 * A member a host cannot give says so (null, false): never a made-up answer.
 */
import type { CryptoDevice, HeapRetainers } from '../machine-interface.ts';

/** Where the kernel and its modules are compiled: a realm whose global holds the ECMAScript built-ins only. */
export interface Realm {
  /** Compiles `source` as the body of a function of the realm (`filename` names it in stacks, as its sourceURL). */
  compile(source: string, parameters: string[], filename?: string): (...args: unknown[]) => unknown;
  /** Null when import() inside the realm is refused with the realm's error; else the line the machine prints at boot. */
  readonly importWarning: string | null;
  /**
   * The same memory as a Uint8Array of the realm, not a copy; null when the host cannot hand
   * these bytes over as they are (then only a copy crosses). How the firmware maps the ramdisk
   * where it already is.
   */
  share(bytes: Uint8Array): Uint8Array | null;
}

/** Time and turns of the host's event loop. Captured by the host: code of the realm cannot reach them. */
export interface HostClock {
  now(): number;
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, milliseconds: number): unknown;
  clearInterval(handle: unknown): void;
  /** Runs `callback` once the current turn and its microtasks are over (Node's setImmediate). */
  nextTurn(callback: () => void): void;
  queueMicrotask(callback: () => void): void;
}

export interface Host {
  /** 'node' or 'browser': for messages that name the host, never for behaviour (which lives in the host). */
  readonly name: string;
  createRealm(importRefused: () => Error): Realm;
  readonly clock: HostClock;
  /** sha256 and Ed25519, synchronous (the bootstrap and the loader call them so). */
  readonly crypto: CryptoDevice;
  /** The raw sha256 of the bytes of `parts`, one after another. */
  sha256(...parts: Uint8Array[]): Uint8Array;
  /**
   * Inflates one raw deflate stream into at most `maxOutput` bytes: the data and how many bytes
   * of input it used. Throws `InflateFailure`. Null when the host has no synchronous inflate.
   */
  readonly inflateRaw: ((bytes: Uint8Array, maxOutput: number) => { data: Uint8Array; used: number }) | null;
  crc32(bytes: Uint8Array): number;
  /** Runs a full garbage collection if the host allows it; says whether it did. */
  collectGarbage(): boolean;
  /** Bytes of compiled code in the engine's heap; null where no engine tells (a browser). */
  codeBytes(): number | null;
  /**
   * How long this thread has been runnable but waiting for a CPU since it started, in ms: what
   * other threads and processes on the same cores have cost it. Null where the host cannot tell
   * (a browser; Node off Linux).
   */
  threadWaiting(): number | null;
  /** What holds each target, from a heap snapshot of this thread; null where none can be taken. */
  heapRetainers(targets: object[], landmarks: object[]): HeapRetainers | null;
  /** Detaches a buffer: every view of it, anywhere, is empty from now on. */
  unmap(buffer: ArrayBuffer): void;
  /** Brand checks that no prototype trick fools. */
  isUint8Array(value: unknown): value is Uint8Array;
  isArrayBuffer(value: unknown): value is ArrayBuffer;
  /** Hands every rejection nothing handled, of any promise of this thread, to `listener` until the returned function is called. */
  listenForRejections(listener: (reason: unknown, promise: Promise<unknown>) => void): () => void;
}

/** Why inflateRaw failed: the output passed `maxOutput`, the input ended inside the stream, or the data is corrupt. */
export class InflateFailure extends Error {
  constructor(
    readonly reason: 'too-large' | 'cut-short' | 'corrupt',
    message: string,
  ) {
    super(message);
  }
}
