/*
 * The modules' colours (web/page/owner-colours.ts): a module's hue is a pure function of its
 * name — nothing a session saw before changes it — the shipped modules have twelve distinct
 * hues, those seen together most are far apart, and any other name lands between them, with
 * names that differ in one letter spread over the hues.
 */
import { describe, expect, it } from 'vitest';
import { dataColour, HUE_STEP, moduleHue, PINNED_HUES, textColour } from '../owner-colours.ts';

const distance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
const closestPair = (hues: number[]) => Math.min(...hues.flatMap((a, index) => hues.slice(index + 1).map((b) => distance(a, b))));

describe('module colours', () => {
  it('give each shipped module a hue of its own, the six of the README’s walk-through 60 degrees apart', () => {
    const shipped = Object.keys(PINNED_HUES);
    expect(new Set(shipped.map(moduleHue)).size).toBe(shipped.length);
    expect(new Set(shipped.map(textColour)).size).toBe(shipped.length);
    expect(closestPair(['kernel', 'shell', 'sysinfo', 'kv', 'swap', 'rootfs'].map(moduleHue))).toBe(60);
    expect(closestPair(['workload', 'kv', 'scheduler'].map(moduleHue))).toBeGreaterThanOrEqual(60);
  });

  it('are the same whatever was asked before (load order), a pure function of the name', () => {
    const names = ['kv', 'greeter', 'rootfs', 'kernel', 'greeter-2', 'swap'];
    const first = names.map(textColour);
    const reversed = [...names].reverse().map(textColour).reverse();
    expect(reversed).toEqual(first);
    expect(names.map(dataColour)).toEqual(names.map(dataColour));
    expect(textColour('kv')).toBe('#adad1f');
  });

  it('put any other module halfway between two shipped hues, never on one, and spread similar names', () => {
    const names = Array.from({ length: 240 }, (_, index) => `module-${index}`);
    const hues = names.map(moduleHue);
    for (const hue of hues) expect(hue % HUE_STEP).toBe(HUE_STEP / 2);
    const counts = new Map<number, number>();
    for (const hue of hues) counts.set(hue, (counts.get(hue) ?? 0) + 1);
    expect(counts.size).toBe(360 / HUE_STEP);
    // 20 names a hue on average: none gets more than twice that.
    expect(Math.max(...counts.values())).toBeLessThan(40);
    // Names one letter apart differ in hue as often as any two (11 times in 12), not by luck of order.
    const neighbours = Array.from({ length: 26 }, (_, index) => [`greeter-${String.fromCharCode(97 + index)}`, `greeter-${String.fromCharCode(98 + index)}`]);
    const different = neighbours.filter(([a, b]) => moduleHue(a!) !== moduleHue(b!)).length;
    expect(different).toBeGreaterThanOrEqual(20);
    expect(moduleHue('constructor') % HUE_STEP).toBe(HUE_STEP / 2);
  });
});
