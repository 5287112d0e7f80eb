/*
 * Changes to the frame table as runs, the form an update carries them in: first frame, count,
 * owner id, repeated — [40, 3, 17] says frames 40, 41 and 42 now belong to owner 17. A module
 * load is a run or two, however much memory the machine has.
 *
 *   const seen = unseenTable(frames);             // the server's copy of what the page has
 *   const runs = changedRuns(seen, frameTable);   // what changed since, and `seen` catches up
 *   applyRuns(pageTable, runs);                   // the page's copy matches frameTable as read
 */

/** A copy of a table that matches no frame yet, so that the first changedRuns lists every frame. */
export const unseenTable = (frames: number): Int32Array => new Int32Array(frames).fill(-1);

/**
 * The runs of frames whose owner in `current` is not the one in `seen`, and `seen` updated to
 * match. `current` may be written meanwhile (another thread's shared memory): each word is
 * read once, so the runs and `seen` agree with each other whatever it does.
 */
export function changedRuns(seen: Int32Array, current: Int32Array): number[] {
  const runs: number[] = [];
  let runOwner = 0;
  let runStart = -1;
  for (let frame = 0; frame < seen.length; frame++) {
    const owner = current[frame]!;
    const changed = owner !== seen[frame];
    if (runStart >= 0 && (!changed || owner !== runOwner)) {
      runs.push(runStart, frame - runStart, runOwner);
      runStart = -1;
    }
    if (!changed) continue;
    seen[frame] = owner;
    if (runStart < 0) {
      runStart = frame;
      runOwner = owner;
    }
  }
  if (runStart >= 0) runs.push(runStart, seen.length - runStart, runOwner);
  return runs;
}

/**
 * Writes `runs` into `table`; a run that does not fit the table is cut to it. `onRun` hears of
 * each run just before it is written, while the table still holds the frames' old owners.
 */
export function applyRuns(table: Int32Array, runs: readonly number[], onRun?: (first: number, count: number, owner: number) => void): void {
  for (let index = 0; index + 2 < runs.length; index += 3) {
    const first = Math.max(0, runs[index]!);
    const end = Math.min(table.length, first + runs[index + 1]!);
    if (end <= first) continue;
    onRun?.(first, end - first, runs[index + 2]!);
    table.fill(runs[index + 2]!, first, end);
  }
}
