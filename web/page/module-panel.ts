/*
 * The modules panel: the kernel's module table as its last event reported it — name, version,
 * size (the frames the page's copy of the frame table gives its text and data owners), users,
 * state (Loading, Live, Unloading, or Zombie for an unloaded module whose code the host still
 * holds, with what holds it under the state and as the row's tooltip) — and the import graph between the loaded modules. Clicking a row or a node
 * highlights that module's frames on the map.
 */
import type { ModuleRow } from '../protocol/messages.ts';
import { importGraphLayout, NODE_HEIGHT, NODE_WIDTH } from './import-graph-layout.ts';
import { textColour } from './owner-colours.ts';
import type { PictureState } from './picture-state.ts';

const SVG = 'http://www.w3.org/2000/svg';

function cell(text: string, className?: string): HTMLTableCellElement {
  const element = document.createElement('td');
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function svg<Tag extends keyof SVGElementTagNameMap>(tag: Tag, attributes: Record<string, string | number>): SVGElementTagNameMap[Tag] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

export function renderModuleTable(body: HTMLTableSectionElement, state: PictureState, selected: string | null, onSelect: (module: string | null) => void): void {
  const { modules, zombies } = state.modules;
  const nameOf = new Map(modules.map((row) => [row.id, row.name]));
  const rows = modules.map((module) => {
    const users = module.users.map((id) => nameOf.get(id) ?? `#${id}`);
    const bytes = state.framesOf([module.id, module.data]) * state.frameSize;
    const row = document.createElement('tr');
    row.append(cell(module.name), cell(module.version), cell(bytes.toLocaleString('en-US'), 'number'), cell(`${users.length}${users.length ? ` ${users.join(', ')}` : ''}`), cell(module.state, `state-${module.state.toLowerCase()}`));
    row.dataset.module = module.name;
    row.style.setProperty('--module-colour', textColour(module.name));
    if (module.name === selected) row.classList.add('selected');
    row.addEventListener('click', () => onSelect(module.name === selected ? null : module.name));
    return row;
  });
  for (const zombie of zombies) {
    const row = document.createElement('tr');
    row.append(cell(zombie.name), cell(zombie.version), cell('0', 'number'), cell('0'), cell('Zombie', 'state-zombie'));
    row.dataset.module = zombie.name;
    // What holds it, as dmesg says: on hover over the row, and under it in small type.
    if (zombie.holder) {
      row.title = zombie.holder;
      const holder = document.createElement('div');
      holder.className = 'zombie-holder';
      holder.textContent = zombie.holder;
      row.lastElementChild!.append(holder);
    }
    rows.push(row);
  }
  body.replaceChildren(...rows);
}

export function renderImportGraph(graph: SVGSVGElement, rows: readonly ModuleRow[], selected: string | null, onSelect: (module: string | null) => void): void {
  const { nodes, edges, width, height } = importGraphLayout(rows);
  // Drawn to the scale its box allows (never larger than life): the panel gives it the room the table leaves.
  graph.setAttribute('viewBox', `-4 -4 ${width + 8} ${height + 8}`);
  graph.setAttribute('preserveAspectRatio', 'xMinYMin meet');
  graph.style.maxWidth = `${width + 8}px`;
  graph.style.maxHeight = `${height + 8}px`;
  const arrow = svg('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  arrow.append(svg('path', { d: 'M0,0 L8,4 L0,8 z', fill: '#5f6368' }));
  const definitions = svg('defs', {});
  definitions.append(arrow);
  const lines = edges.map(({ from, to, hold }) => {
    const line = svg('line', { x1: from.x, y1: from.y + NODE_HEIGHT / 2, x2: to.x + NODE_WIDTH, y2: to.y + NODE_HEIGHT / 2, class: hold ? 'edge hold' : 'edge', 'marker-end': 'url(#arrow)' });
    return line;
  });
  const boxes = nodes.map(({ row, x, y }) => {
    const group = svg('g', { class: row.name === selected ? 'node selected' : 'node', transform: `translate(${x},${y})` });
    group.append(svg('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 4, fill: textColour(row.name) }));
    const label = svg('text', { x: NODE_WIDTH / 2, y: NODE_HEIGHT / 2 + 4, 'text-anchor': 'middle' });
    label.textContent = `${row.name} ${row.version}`;
    group.append(label);
    group.dataset.module = row.name;
    group.addEventListener('click', () => onSelect(row.name === selected ? null : row.name));
    return group;
  });
  graph.replaceChildren(definitions, ...lines, ...boxes);
}
