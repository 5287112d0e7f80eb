/*
 * The memory sizes the boot CLI, the web server and the dev loop take: --mem 64M, a byte count
 * or a number with K, M or G, as a whole number of 4 KiB frames that the host can really
 * allocate; and --heap 512M, the machine thread's own heap limit, a whole number of MiB.
 */
import { BootError } from './firmware.ts';
import { FRAME_SIZE } from './machine-interface.ts';

/** Past this, the sandbox's Uint8Array cannot be made (V8's limit for a typed array, 2^32 bytes here). */
export const MAX_MEMORY_BYTES = 4 * 1024 ** 3;

/** The least heap a machine thread boots in (its kernel, shell and a few modules), and the most the option takes. */
export const MIN_HEAP_MEGABYTES = 32;
export const MAX_HEAP_MEGABYTES = 64 * 1024;

/** "64M", "512K", "1G" or a byte count → bytes, or null if it is none of these. */
function sizeInBytes(text: string): number | null {
  const match = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim());
  if (!match) return null;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}

/** --heap's "512M", "1G" → MiB: a whole number of them, from 32M to 64G. */
export function parseHeapSize(text: string): number {
  const bytes = sizeInBytes(text);
  if (bytes === null || bytes % 1024 ** 2 !== 0 || bytes < MIN_HEAP_MEGABYTES * 1024 ** 2 || bytes > MAX_HEAP_MEGABYTES * 1024 ** 2) {
    throw new BootError(`--heap ${text}: expected a whole number of megabytes from ${MIN_HEAP_MEGABYTES}M to ${MAX_HEAP_MEGABYTES / 1024}G, such as 512M`);
  }
  return bytes / 1024 ** 2;
}

/** "64M", "512K", "1G" or a byte count → bytes. */
export function parseMemorySize(text: string): number {
  const bytes = sizeInBytes(text);
  if (bytes === null) throw new BootError(`--mem ${text}: expected a size such as 64M`);
  if (bytes > MAX_MEMORY_BYTES) throw new BootError(`--mem ${text}: more than this host can give a machine (at most ${MAX_MEMORY_BYTES / 1024 ** 3}G)`);
  if (bytes === 0 || bytes % FRAME_SIZE !== 0) throw new BootError(`--mem ${text}: memory size must be a positive multiple of ${FRAME_SIZE} bytes`);
  return bytes;
}
