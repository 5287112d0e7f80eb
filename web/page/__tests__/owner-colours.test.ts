/*
 * The modules' hues (web/page/owner-colours.ts): each module keeps its own hue, from its name,
 * unless a module seen before took one too close to it; then it moves to the free hue farthest
 * from those taken. The same names in the same order give the same hues, so every session of
 * a build draws the same picture.
 */
import { describe, expect, it } from 'vitest';
import { ModuleHues, moduleHue } from '../owner-colours.ts';

const distance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
const closestPair = (hues: number[]) => Math.min(...hues.flatMap((a, index) => hues.slice(index + 1).map((b) => distance(a, b))));
const BOOT_ORDER = ['kernel', 'sysinfo', 'shell', 'rootfs', 'kv', 'swap'];

describe('ModuleHues', () => {
  it('tells apart modules whose names hash to nearly the same hue (kernel, sysinfo and rootfs all to reds)', () => {
    expect(closestPair(['kernel', 'sysinfo', 'rootfs'].map(moduleHue))).toBeLessThan(30);
    const hues = new ModuleHues();
    expect(closestPair(BOOT_ORDER.map((name) => hues.hueOf(name)))).toBeGreaterThanOrEqual(30);
  });

  it('keeps a module’s own hue while nothing near it is taken, and a hue once given for the whole session', () => {
    const hues = new ModuleHues();
    expect(hues.hueOf('kernel')).toBe(moduleHue('kernel'));
    expect(hues.hueOf('kv')).toBe(moduleHue('kv'));
    const moved = hues.hueOf('rootfs');
    expect(moved).not.toBe(moduleHue('rootfs'));
    hues.hueOf('sysinfo');
    expect(hues.hueOf('rootfs')).toBe(moved);
  });

  it('gives the same names in the same order the same hues, and keeps them apart as long as there is room', () => {
    const names = Array.from({ length: 12 }, (_, index) => `module-${index}`);
    const first = new ModuleHues();
    const second = new ModuleHues();
    const hues = names.map((name) => first.hueOf(name));
    expect(names.map((name) => second.hueOf(name))).toEqual(hues);
    expect(closestPair(hues)).toBeGreaterThanOrEqual(15);
  });
});
