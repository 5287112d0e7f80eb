/*
 * Devices backed directly by the host: sha256 and Ed25519 (as a crypto coprocessor would be) and
 * the host port, through which the kernel can ask the engine to collect garbage and how much
 * compiled code it holds — what keel needs to prove that unloaded code really went away — and,
 * when it did not, what still holds it (a heap snapshot of the machine's own thread).
 * Garbage collection is available only when node runs with --expose-gc (npm scripts do).
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { getHeapCodeStatistics } from 'node:v8';
import { heapRetainers } from '../heap-retainers.ts';
import type { CryptoDevice, HostDevice } from '../machine-interface.ts';

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

export const cryptoDevice: CryptoDevice = {
  sha256: (bytes) => createHash('sha256').update(bytes).digest('hex'),
  verify(publicKey, bytes, signature) {
    try {
      return verify(null, bytes, keyObject(publicKey), Buffer.from(signature, 'hex'));
    } catch {
      return false;
    }
  },
};

/** The host port, but for where unhandled rejections go: that is each machine's own (machine.ts). */
export const hostDevice: Omit<HostDevice, 'onUnhandledRejection'> = {
  collectGarbage() {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) return false;
    gc();
    return true;
  },
  codeBytes() {
    const statistics = getHeapCodeStatistics();
    return statistics.bytecode_and_metadata_size + statistics.code_and_metadata_size;
  },
  heapRetainers,
};
