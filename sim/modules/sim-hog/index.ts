/*
 * Sim fixture: sim-hog — allocates free frames until only `leave` are left, so that the loads
 * and swaps that follow run out of memory (and must leave nothing allocated behind them).
 * Its frames go back with unhog, or with its unload.
 */
import { kalloc, kernelInternals, kfree } from 'keel:kernel';

const FRAME = 4096;
let taken: Uint8Array[] = [];

/** Takes frames until `leave` are free (fewer if memory is fragmented); returns how many it took. */
export function hog(leave: number): number {
  let wanted = kernelInternals().frames.free - leave;
  let chunk = wanted;
  let frames = 0;
  while (wanted > 0 && chunk > 0) {
    try {
      taken.push(kalloc(Math.min(chunk, wanted) * FRAME));
      frames += Math.min(chunk, wanted);
      wanted -= Math.min(chunk, wanted);
    } catch {
      chunk = Math.floor(chunk / 2);
    }
  }
  return frames;
}

/** Gives back every frame hog took; returns how many. */
export function unhog(): number {
  const frames = taken.reduce((sum, buffer) => sum + buffer.length / FRAME, 0);
  for (const buffer of taken) kfree(buffer);
  taken = [];
  return frames;
}

export function exit(): void {
  taken = [];
}
