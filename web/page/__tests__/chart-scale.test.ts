/*
 * The chart's arithmetic (web/page/chart-scale.ts): an axis spans its data's range, so that one
 * frame more is a visible step; the boot's climb is left out of that range once a command is
 * typed; and labels go first to what was typed, then to what happened to an event's module,
 * and last to loads that came along (`swap kv` loads the swap module: the label says swap kv);
 * a command that changed no module is not labelled.
 */
import { describe, expect, it } from 'vitest';
import type { ModuleEventMark } from '../../protocol/messages.ts';
import { axisRange, chartMarks, niceStep, placeLabels, samplesToSpan } from '../chart-scale.ts';

const event = (time: number, kind: ModuleEventMark['event'], name: string): ModuleEventMark => ({ time, event: kind, id: 1, name, version: '1.0.0' });

describe('axisRange', () => {
  it('spans the data, not 0 to all of memory: one frame more is a tenth of the axis or more', () => {
    const axis = axisRange([193, 194], 8);
    expect(axis).toEqual({ low: 188, high: 198, step: 2 });
    expect(1 / (axis.high - axis.low)).toBeGreaterThanOrEqual(0.1);
    const wide = axisRange([150, 400], 8);
    expect(wide.low).toBeLessThanOrEqual(150);
    expect(wide.high).toBeGreaterThanOrEqual(400);
    expect(wide.low).toBeGreaterThan(0);
  });

  it('never goes below 0, and has an axis when there is no data yet', () => {
    expect(axisRange([1, 2], 8).low).toBe(0);
    expect(axisRange([], 8)).toMatchObject({ low: 0 });
    expect(axisRange([], 8).high).toBeGreaterThan(0);
    expect([0.3, 1, 3, 7, 45].map(niceStep)).toEqual([0.5, 1, 5, 10, 50]);
  });
});

describe('samplesToSpan', () => {
  const samples = [0, 100, 200, 300, 400].map((time, index) => ({ time, framesUsed: [16, 150, 190, 191, 192][index]! }));
  it('spans every sample before a command is typed, and from the one in effect at the first command on after', () => {
    expect(samplesToSpan(samples, undefined)).toHaveLength(5);
    expect(samplesToSpan(samples, 250).map((sample) => sample.framesUsed)).toEqual([190, 191, 192]);
    expect(samplesToSpan(samples, 900).map((sample) => sample.framesUsed)).toEqual([192]);
  });
});

describe('chartMarks and placeLabels', () => {
  const events = [event(1000, 'loaded', 'swap'), event(1010, 'swapped', 'kv'), event(1100, 'reclaimed', 'kv'), event(5000, 'loaded', 'rootfs'), event(9000, 'users', 'kv')];
  const commands = [{ time: 995, line: 'swap kv' }, { time: 3000, line: 'lsmod' }, { time: 4990, line: 'modprobe rootfs' }];
  const marks = chartMarks(events, commands);

  it('marks every command and every event the key names (not users changing), with what hovering says', () => {
    expect(marks.map((mark) => mark.label)).toEqual(['swap kv', 'load swap', 'swap kv', 'reclaimed kv', 'lsmod', 'modprobe rootfs', 'load rootfs']);
    expect(marks.find((mark) => mark.label === 'load swap')!.detail).toBe('module loaded: swap 1.0.0');
    expect(marks[0]!.detail).toBe('typed: swap kv');
  });

  it('labels what was typed before what followed from it, and what happened to the module before an incidental load', () => {
    // 10 ms a pixel, labels 60 pixels wide: the command, the swap, the load and the reclaim all want the same place.
    const x = (time: number) => time / 10;
    const placed = placeLabels(marks, x, () => 52, 1, 1000);
    expect(placed.map((label) => label.mark.label)).toEqual(['modprobe rootfs', 'swap kv']);
    const two = placeLabels(marks, x, () => 52, 2, 1000);
    expect(two.map((label) => [label.mark.label, label.row])).toEqual([['modprobe rootfs', 0], ['swap kv', 0], ['swap kv', 1], ['load rootfs', 1]]);
    // Of two commands that want the same room, the newer is labelled.
    const twoCommands = chartMarks([event(1010, 'loaded', 'kv'), event(1030, 'unloaded', 'kv')], [{ time: 1000, line: 'modprobe kv' }, { time: 1020, line: 'rmmod kv' }]);
    expect(placeLabels(twoCommands, x, () => 52, 1, 1000).map((label) => label.mark.label)).toEqual(['rmmod kv']);
    // A command that changed no module is not labelled, however much room there is: its triangle's hover names it.
    expect(placeLabels(marks, (time) => time * 10, () => 10, 2, 1e9).map((label) => label.mark.label)).not.toContain('lsmod');
    expect(marks.find((mark) => mark.label === 'lsmod')!.detail).toBe('typed: lsmod');
  });

  it('ends a label at its mark rather than run past the right edge', () => {
    const [label] = placeLabels([marks[0]!], () => 990, () => 40, 1, 1000);
    expect(label!.x + 40).toBeLessThanOrEqual(1000);
  });
});
