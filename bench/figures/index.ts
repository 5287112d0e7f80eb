/* Every figure of the benchmark, by id, in the order the report lists them. */
import type { Figure, FigureOptions } from '../lib/figure.ts';
import { baseImage } from './base-image.ts';
import { bootTime } from './boot-time.ts';
import { callCost } from './call-cost.ts';
import { kernelSwap } from './kernel-swap.ts';
import { loadLatency } from './load-latency.ts';
import { peakMemory } from './peak-memory.ts';
import { site } from './site.ts';
import { swap } from './swap.ts';
import { updateMemory } from './update-memory.ts';
import { webPage } from './web-page.ts';
import { zombieHolders } from './zombie-holders.ts';

export const FIGURES: Record<string, (options: FigureOptions) => Promise<Figure>> = {
  'base-image': baseImage,
  'boot-time': bootTime,
  'load-latency': loadLatency,
  'call-cost': callCost,
  swap,
  'update-memory': updateMemory,
  'peak-memory': peakMemory,
  'web-page': webPage,
  'kernel-swap': kernelSwap,
  'zombie-holders': zombieHolders,
  site,
};
