/*
 * The memory size the boot CLI and the dev loop take (--mem 64M): a byte count or a number
 * with K, M or G, as a whole number of 4 KiB frames that the host can really allocate.
 */
import { BootError } from './firmware.ts';
import { FRAME_SIZE } from './machine-interface.ts';

/** Past this, the sandbox's Uint8Array cannot be made (V8's limit for a typed array, 2^32 bytes here). */
export const MAX_MEMORY_BYTES = 4 * 1024 ** 3;

/** "64M", "512K", "1G" or a byte count → bytes. */
export function parseMemorySize(text: string): number {
  const match = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim());
  if (!match) throw new BootError(`--mem ${text}: expected a size such as 64M`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const bytes = Number(match[1]) * unit;
  if (bytes > MAX_MEMORY_BYTES) throw new BootError(`--mem ${text}: more than this host can give a machine (at most ${MAX_MEMORY_BYTES / 1024 ** 3}G)`);
  if (bytes === 0 || bytes % FRAME_SIZE !== 0) throw new BootError(`--mem ${text}: memory size must be a positive multiple of ${FRAME_SIZE} bytes`);
  return bytes;
}
