/*
 * Next fit (kernel 1.1.0's frame policy): the search starts where the last allocation ended
 * (the rover, kept in the frame table) and wraps around once. Frames freed at the bottom are
 * reused only once the rover comes round again, and a search skips what was just allocated,
 * which first fit walks past every time.
 */
import type { FramePolicy, FrameTable } from './frame-allocator.ts';

/** The first run of `count` free frames in [from, to), or undefined. */
function runIn(ownerOf: Int32Array, count: number, from: number, to: number): number | undefined {
  let runStart = from;
  for (let frame = from; frame < to; frame++) {
    if (ownerOf[frame] !== 0) runStart = frame + 1;
    else if (frame - runStart + 1 === count) return runStart;
  }
  return undefined;
}

export const nextFit: FramePolicy = {
  name: 'next-fit',
  findRun(table: FrameTable, count: number): number | undefined {
    const { ownerOf } = table;
    const rover = Math.min(table.rover ?? 0, ownerOf.length);
    const first = runIn(ownerOf, count, rover, ownerOf.length) ?? runIn(ownerOf, count, 0, Math.min(ownerOf.length, rover + count - 1));
    if (first !== undefined) table.rover = first + count;
    return first;
  },
};
