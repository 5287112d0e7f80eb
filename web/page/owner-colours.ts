/*
 * The colours of the memory map, its legend, the module list and the import graph: one per
 * kind of boot region, one hue per module, dark for its text and light for its data. A
 * module's hue is a pure function of its name, so it is the same in every session whatever
 * order modules load in: the modules keel ships have hues of their own (PINNED_HUES), twelve
 * hues 30 degrees apart, so that any of them side by side are told apart at a glance; any other
 * module's name is hashed to one of the twelve hues halfway between those, so that it never
 * wears a shipped module's colour, and two names that differ in one letter are as likely to
 * get different hues as any two. Hues 30 degrees apart differ in lightness too. Colours are worked out here as #rrggbb, so the canvas, the
 * legend's swatches and the tests all see exactly the same value.
 */
import type { OwnerName } from '../protocol/messages.ts';

export const FREE_COLOUR = '#e6e8eb';
/** An owner the table holds before its name has arrived (the name is a message behind). */
export const UNNAMED_COLOUR = '#9aa0a6';

/** The boot regions, in the order the legend lists them, with what a person calls them. */
export const BOOT_REGIONS: ReadonlyArray<{ kind: string; title: string; colour: string }> = [
  { kind: 'firmware', title: 'firmware', colour: '#3d4349' },
  { kind: 'kernel-text', title: 'base image', colour: '#1f3b73' },
  { kind: 'kernel-init', title: 'base image, boot-only', colour: '#6b85bd' },
];

/** Degrees between neighbouring hues of the palette. */
export const HUE_STEP = 30;

/**
 * The shipped modules' hues, one each of the twelve. The three loaded at every boot (kernel,
 * shell, sysinfo) and the three the README's walk-through adds (kv, swap, rootfs) are 60 degrees
 * apart; workload is as far from the two it imports (kv, scheduler).
 */
export const PINNED_HUES: Readonly<Record<string, number>> = {
  kernel: 0,
  kerneld: 30,
  kv: 60,
  faulty: 90,
  shell: 120,
  hello: 150,
  swap: 180,
  devload: 210,
  rootfs: 240,
  scheduler: 270,
  sysinfo: 300,
  workload: 330,
};

/** FNV-1a of the name, then murmur3's finaliser, so that a one-letter change moves every bit. */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A module's hue, in degrees: its pinned one, or its name's hash on the hues between those. */
export function moduleHue(name: string): number {
  if (Object.hasOwn(PINNED_HUES, name)) return PINNED_HUES[name]!;
  const slots = 360 / HUE_STEP;
  return HUE_STEP / 2 + (nameHash(name) % slots) * HUE_STEP;
}

/** HSL (degrees, percent, percent) as #rrggbb. */
export function hslToHex(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const chroma = s * Math.min(l, 1 - l);
  const channel = (offset: number) => {
    const k = (offset + hue / 30) % 12;
    const value = l - chroma * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/**
 * Saturation and lightness of a hue's text and data colours. Neighbouring hues of the palette
 * (30 degrees) are also told apart by lightness: the hues at multiples of 60 are mid, those
 * between them dark, and the half-steps of other modules light.
 */
function shade(hue: number): { text: [number, number]; data: [number, number] } {
  if (hue % (2 * HUE_STEP) === 0) return { text: [70, 40], data: [70, 72] };
  if (hue % HUE_STEP === 0) return { text: [65, 27], data: [55, 60] };
  return { text: [75, 55], data: [80, 82] };
}

export const textColour = (module: string): string => {
  const hue = moduleHue(module);
  return hslToHex(hue, ...shade(hue).text);
};
export const dataColour = (module: string): string => {
  const hue = moduleHue(module);
  return hslToHex(hue, ...shade(hue).data);
};

/** The colour of a frame whose owner is `owner` (undefined: not named yet); `free` for id 0. */
export function ownerColour(owner: Pick<OwnerName, 'kind' | 'label'> | undefined, free = false): string {
  if (free) return FREE_COLOUR;
  if (!owner) return UNNAMED_COLOUR;
  if (owner.kind === 'text') return textColour(owner.label);
  if (owner.kind === 'data') return dataColour(owner.label);
  return BOOT_REGIONS.find((region) => region.kind === owner.kind)?.colour ?? UNNAMED_COLOUR;
}
