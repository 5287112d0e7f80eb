/*
 * Devices backed directly by the host: a sha256 engine (as a crypto coprocessor would be) and
 * the host port, through which the kernel can ask the engine to collect garbage and how much
 * compiled code it holds — what keel needs to prove that unloaded code really went away.
 * Garbage collection is available only when node runs with --expose-gc (npm scripts do).
 */
import { createHash } from 'node:crypto';
import { getHeapCodeStatistics } from 'node:v8';
import type { CryptoDevice, HostDevice } from '../machine-interface.ts';

export const cryptoDevice: CryptoDevice = {
  sha256: (bytes) => createHash('sha256').update(bytes).digest('hex'),
};

export const hostDevice: HostDevice = {
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
};
