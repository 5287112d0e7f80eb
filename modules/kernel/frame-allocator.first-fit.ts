/*
 * First fit (kernel 1.0.0's frame policy): the lowest run of free frames that is long enough.
 * Simple and predictable; allocations pile up at the bottom of memory, and every search starts
 * there, past everything already allocated.
 */
import type { FramePolicy, FrameTable } from './frame-allocator.ts';

export const firstFit: FramePolicy = {
  name: 'first-fit',
  findRun({ ownerOf }: FrameTable, count: number): number | undefined {
    let runStart = 0;
    for (let frame = 0; frame < ownerOf.length; frame++) {
      if (ownerOf[frame] !== 0) runStart = frame + 1;
      else if (frame - runStart + 1 === count) return runStart;
    }
    return undefined;
  },
};
