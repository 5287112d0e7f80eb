/*
 * The colours of the memory map, its legend, the module list and the import graph: one per
 * kind of boot region, one hue per module, dark for its text and light for its data. A module's
 * hue comes from its name, so it is the same in every session — unless that hue is too close
 * to one a module seen before took (kernel, rootfs and sysinfo all hash to reds), when it takes
 * the free hue farthest from all taken; modules are seen in the same order on every boot, so
 * the picture is still the same each time. Colours are worked out here as #rrggbb, so the
 * canvas, the legend's swatches and the tests all see exactly the same value.
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
  { kind: 'initrd', title: 'ramdisk', colour: '#9c7b4f' },
];

/** FNV-1a of the name, folded to a hue: the same for a module in every session. */
export function moduleHue(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 360;
}

/** Hues closer than this (degrees) are told apart only with effort: a module's hue keeps at least this far from the others', while it can. */
const CLOSEST_HUES = 30;
/** The hues a module may be moved to when its own is taken: every 15 degrees. */
const HUE_STEPS = 24;

const circularDistance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

/** Gives each module name a hue for the whole session: its own (moduleHue), or the free one farthest from those taken. */
export class ModuleHues {
  readonly #hues = new Map<string, number>();

  hueOf(name: string): number {
    const known = this.#hues.get(name);
    if (known !== undefined) return known;
    const own = moduleHue(name);
    const taken = [...this.#hues.values()];
    const distance = (hue: number) => Math.min(360, ...taken.map((other) => circularDistance(hue, other)));
    let hue = own;
    if (distance(own) < CLOSEST_HUES) {
      // The farthest from every taken hue; of equals, the one nearest the module's own.
      for (let step = 0; step < HUE_STEPS; step++) {
        const candidate = (step * 360) / HUE_STEPS;
        const better = distance(candidate) - distance(hue) || circularDistance(hue, own) - circularDistance(candidate, own);
        if (better > 0) hue = candidate;
      }
    }
    this.#hues.set(name, hue);
    return hue;
  }
}

/** The page's: one machine, one set of hues. */
const pageHues = new ModuleHues();

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

export const textColour = (module: string): string => hslToHex(pageHues.hueOf(module), 70, 40);
export const dataColour = (module: string): string => hslToHex(pageHues.hueOf(module), 70, 72);

/** The colour of a frame whose owner is `owner` (undefined: not named yet); `free` for id 0. */
export function ownerColour(owner: Pick<OwnerName, 'kind' | 'label'> | undefined, free = false): string {
  if (free) return FREE_COLOUR;
  if (!owner) return UNNAMED_COLOUR;
  if (owner.kind === 'text') return textColour(owner.label);
  if (owner.kind === 'data') return dataColour(owner.label);
  return BOOT_REGIONS.find((region) => region.kind === owner.kind)?.colour ?? UNNAMED_COLOUR;
}
