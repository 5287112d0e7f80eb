/*
 * The page's state (web/page/picture-state.ts): frames counted per owner as the runs move them,
 * a frame whose owner's name comes after it drawn again when the name comes (it reached the
 * table first, so it was drawn unnamed), versions known from the table and from events, the
 * end of the used frames followed as they move, and the chart keeping only its window.
 */
import { describe, expect, it } from 'vitest';
import type { PictureUpdate } from '../../protocol/messages.ts';
import { CHART_WINDOW_MS, PictureState } from '../picture-state.ts';

const update = (fields: Partial<PictureUpdate>): PictureUpdate => ({
  type: 'update', sequence: 1, runs: [], owners: [], forgotten: [], table: null, events: [], eventsLeftOut: 0, commands: [], samples: [], ...fields,
});

describe('PictureState', () => {
  it('counts each owner’s frames as runs move them', () => {
    const state = new PictureState(16, 4096);
    state.apply(update({ runs: [0, 4, 1, 4, 12, 0] }));
    state.apply(update({ runs: [6, 3, 7] }));
    expect(Object.fromEntries(state.frameCounts)).toEqual({ 0: 9, 1: 4, 7: 3 });
    state.apply(update({ runs: [6, 3, 0, 0, 1, 0] }));
    expect(Object.fromEntries(state.frameCounts)).toEqual({ 0: 13, 1: 3 });
  });

  it('draws a frame again when its owner’s name arrives after it', () => {
    const state = new PictureState(16, 4096);
    expect(state.apply(update({ runs: [3, 2, 9, 8, 1, 9] }))).toEqual([{ first: 3, count: 2 }, { first: 8, count: 1 }]);
    expect(state.apply(update({ owners: [{ id: 9, kind: 'text', label: 'kv' }] }))).toEqual([{ first: 3, count: 2 }, { first: 8, count: 1 }]);
    expect(state.ownersOf('kv')).toEqual(new Set([9]));
  });

  it('knows a frame’s module version from the table or a load event, and forgets it with the owner', () => {
    const state = new PictureState(8, 4096);
    state.apply(update({
      runs: [0, 1, 5, 1, 1, 6, 2, 1, 8],
      owners: [{ id: 5, kind: 'text', label: 'kv' }, { id: 6, kind: 'data', label: 'kv' }, { id: 8, kind: 'text', label: 'kv' }],
      table: { modules: [{ id: 5, data: 6, name: 'kv', version: '1.0.0', state: 'Live', users: [], imports: [] }], zombies: [] },
      events: [{ time: 1, event: 'loaded', id: 8, name: 'kv', version: '2.0.0' }],
    }));
    expect(state.frameOwner(1)).toMatchObject({ id: 6, version: '1.0.0' });
    expect(state.frameOwner(2)).toMatchObject({ id: 8, version: '2.0.0' });
    state.apply(update({ runs: [0, 1, 0], forgotten: [5] }));
    expect(state.frameOwner(0)).toEqual({ id: 0, owner: undefined, version: undefined });
    expect(state.versions.has(5)).toBe(false);
  });

  it('knows where the used frames end, as frames are taken and given back', () => {
    const state = new PictureState(64, 4096);
    expect(state.usedEnd).toBe(0);
    state.apply(update({ runs: [0, 10, 1, 10, 54, 0] }));
    expect(state.usedEnd).toBe(10);
    state.apply(update({ runs: [40, 2, 7] }));
    expect(state.usedEnd).toBe(42);
    state.apply(update({ runs: [40, 2, 0] }));
    expect(state.usedEnd).toBe(10);
    state.apply(update({ runs: [63, 1, 3, 0, 10, 0] }));
    expect(state.usedEnd).toBe(64);
  });

  it('keeps the chart’s samples, marks and commands of its window only', () => {
    const state = new PictureState(4, 4096);
    state.apply(update({
      samples: [{ time: 0, framesUsed: 1, codeBytes: 10 }], events: [{ time: 5, event: 'loaded', id: 1, name: 'a', version: '1' }, { time: 15, event: 'unloaded', id: 1, name: 'a', version: '1' }],
      commands: [{ time: 4, line: 'modprobe a' }, { time: 14, line: 'rmmod a' }],
    }));
    state.apply(update({ samples: [{ time: CHART_WINDOW_MS + 10, framesUsed: 2, codeBytes: 20 }] }));
    expect(state.samples.map((sample) => sample.time)).toEqual([CHART_WINDOW_MS + 10]);
    expect(state.marks.map((mark) => mark.time)).toEqual([15]);
    expect(state.commands).toEqual([{ time: 14, line: 'rmmod a' }]);
    expect(state.latest).toBe(CHART_WINDOW_MS + 10);
  });
});
