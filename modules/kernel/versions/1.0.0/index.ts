/*
 * The kernel module, version 1.0.0 — the default, which the bootstrap starts: the core of
 * ../../kernel-entry.ts with the first-fit frame policy. Version 1.1.0 (../../index.ts) differs
 * only in its policy, next fit; `swap kernel` moves a running machine between the two.
 */
import { firstFit } from '../../frame-allocator.first-fit.ts';
import { kernelEntry } from '../../kernel-entry.ts';

export const { start, takeOver } = kernelEntry(firstFit);
