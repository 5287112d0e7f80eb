/*
 * The memory map's legend: free frames, each boot region, and each module with a swatch for
 * its text and one for its data, every entry with the frames it holds now. Clicking a module
 * highlights its frames on the map (clicking it again, or another, moves or clears that).
 */
import { BOOT_REGIONS, dataColour, FREE_COLOUR, textColour } from './owner-colours.ts';
import type { PictureState } from './picture-state.ts';

function swatch(colour: string, title: string): HTMLElement {
  const element = document.createElement('span');
  element.className = 'swatch';
  element.style.background = colour;
  element.title = title;
  return element;
}

function entry(swatches: HTMLElement[], name: string, frames: number): HTMLLIElement {
  const item = document.createElement('li');
  const label = document.createElement('span');
  label.className = 'legend-name';
  label.textContent = name;
  const count = document.createElement('span');
  count.className = 'legend-frames';
  count.textContent = `${frames.toLocaleString('en-US')} ${frames === 1 ? 'frame' : 'frames'}`;
  item.append(...swatches, label, count);
  return item;
}

export function renderLegend(list: HTMLElement, state: PictureState, selected: string | null, onSelect: (module: string | null) => void): void {
  const items: HTMLLIElement[] = [entry([swatch(FREE_COLOUR, 'free')], 'free', state.frameCounts.get(0) ?? 0)];
  const modules = new Set<string>();
  for (const region of BOOT_REGIONS) {
    const ids = [...state.owners.values()].filter((owner) => owner.kind === region.kind).map((owner) => owner.id);
    if (ids.length > 0) items.push(entry([swatch(region.colour, region.title)], region.title, state.framesOf(ids)));
  }
  for (const owner of state.owners.values()) if (owner.kind === 'text' || owner.kind === 'data') modules.add(owner.label);
  for (const module of [...modules].sort()) {
    const item = entry([swatch(textColour(module), `${module} text`), swatch(dataColour(module), `${module} data`)], module, state.framesOf(state.ownersOf(module)));
    item.className = 'legend-module';
    item.dataset.module = module;
    item.setAttribute('role', 'button');
    if (module === selected) item.classList.add('selected');
    item.addEventListener('click', () => onSelect(module === selected ? null : module));
    items.push(item);
  }
  list.replaceChildren(...items);
}
