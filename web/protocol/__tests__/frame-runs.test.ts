/*
 * Frame-table changes as runs (web/protocol/frame-runs.ts): a page that applies the runs the
 * server reads from a changing table holds exactly that table, whatever the changes (property
 * tests with fast-check), and a load or an unload is a run or two, not a frame each.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRuns, changedRuns, unseenTable } from '../frame-runs.ts';

describe('changedRuns and applyRuns', () => {
  it('lists every frame the first time, as runs of one owner each', () => {
    const table = Int32Array.from([1, 1, 1, 0, 0, 7, 7, 0]);
    expect(changedRuns(unseenTable(8), table)).toEqual([0, 3, 1, 3, 2, 0, 5, 2, 7, 7, 1, 0]);
  });

  it('then lists only what changed: a module loaded is one run, unloaded one run of free frames', () => {
    const table = new Int32Array(64);
    const seen = unseenTable(64);
    changedRuns(seen, table);
    table.fill(9, 10, 30);
    expect(changedRuns(seen, table)).toEqual([10, 20, 9]);
    expect(changedRuns(seen, table)).toEqual([]);
    table.fill(0, 10, 30);
    table[63] = 4;
    expect(changedRuns(seen, table)).toEqual([10, 20, 0, 63, 1, 4]);
  });

  it('splits a run of changed frames where the new owner changes', () => {
    const table = new Int32Array(6);
    const seen = unseenTable(6);
    changedRuns(seen, table);
    table.set([0, 3, 3, 5, 5, 0]);
    expect(changedRuns(seen, table)).toEqual([1, 2, 3, 3, 2, 5]);
  });

  it('keeps a page’s copy equal to the table through any sequence of changes', () => {
    const change = fc.record({ first: fc.nat(99), count: fc.integer({ min: 1, max: 40 }), owner: fc.nat(6) });
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 5 }), { maxLength: 12 }), (batches) => {
        const table = new Int32Array(100);
        const seen = unseenTable(100);
        const page = new Int32Array(100).fill(-5);
        for (const batch of batches) {
          for (const { first, count, owner } of batch) table.fill(owner, first, Math.min(100, first + count));
          const runs = changedRuns(seen, table);
          for (let index = 0; index < runs.length; index += 3) expect(runs[index + 1]).toBeGreaterThan(0);
          applyRuns(page, runs);
          expect([...page]).toEqual([...table]);
          expect([...seen]).toEqual([...table]);
        }
      }),
    );
  });

  it('tells its listener each run while the table still holds the old owners, and cuts a run that does not fit', () => {
    const page = Int32Array.from([2, 2, 2, 2]);
    const heard: number[][] = [];
    applyRuns(page, [1, 2, 5, 3, 9, 6, 10, 1, 1], (first, count, owner) => heard.push([first, count, owner, page[first]!]));
    expect(heard).toEqual([[1, 2, 5, 2], [3, 1, 6, 2]]);
    expect([...page]).toEqual([2, 5, 5, 6]);
  });
});
