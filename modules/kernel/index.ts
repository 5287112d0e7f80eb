/*
 * The kernel module, version 1.1.0: the core of kernel-entry.ts with the next-fit frame policy
 * (frame-allocator.next-fit.ts), which /proc/meminfo names. Version 1.0.0, in
 * versions/1.0.0/, is the same core with first fit, and the one the bootstrap starts (it is
 * marked default); `swap kernel` moves a running machine between them.
 */
import { nextFit } from './frame-allocator.next-fit.ts';
import { kernelEntry } from './kernel-entry.ts';

export const { start, takeOver } = kernelEntry(nextFit);
