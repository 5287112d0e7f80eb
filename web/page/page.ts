/*
 * The page: the shell (terminal-panel.ts) beside the live map of the machine's physical memory
 * (memory-map.ts, legend.ts), the modules (module-panel.ts) and the chart over time
 * (timeline-chart.ts), all fed by one connection to the machine (connection.ts): a WebSocket to
 * the server that runs it (`npm run web`, main.ts) or the machine in this tab (`npm run site`,
 * web/site/main.ts). Each update is applied to the page's state at once and drawn at the next
 * animation frame; then the page tells the machine's watcher it has drawn it, and the watcher
 * sends the next — so the picture is never behind by more than one update, however busy the
 * machine. A connection that can power a new machine on (the tab's) gets a button for it, and
 * Enter in the terminal does the same, once the machine has ended.
 *
 *   startPage(connectSocket);
 */
import type { PictureUpdate } from '../protocol/messages.ts';
import { TERMINAL_COLUMNS, TERMINAL_ROWS } from '../protocol/messages.ts';
import type { Connect } from './connection.ts';
import { renderLegend } from './legend.ts';
import { MemoryMap } from './memory-map.ts';
import { renderImportGraph, renderModuleTable } from './module-panel.ts';
import { PictureState, type Run } from './picture-state.ts';
import { createTerminalPanel } from './terminal-panel.ts';
import { renderChartKey, TimelineChart } from './timeline-chart.ts';
import './page.css';

export function startPage(connect: Connect): void {
  const element = <Kind extends HTMLElement>(id: string) => document.getElementById(id) as Kind;
  const status = element('status');
  const notice = element('notice');

  let state: PictureState | null = null;
  let map: MemoryMap | null = null;
  let chart: TimelineChart | null = null;
  let selected: string | null = null;
  /** The owner ids the map highlights now, as a key; null when it highlights nothing. */
  let highlighted: string | null = null;
  /** Runs applied but not drawn yet, what else the updates since the last drawing changed, and the update to acknowledge once drawn. */
  let undrawn: Run[] = [];
  const stale = { legend: false, modules: false, graph: false, chart: false };
  let toAcknowledge = 0;
  let halted = false;

  /** Pixels between the map and its legend (page.css). */
  const MAP_LEGEND_GAP = 10;
  const clamp = (value: number, { min, max }: { min: number; max: number }) => Math.min(max, Math.max(min, value));
  const powerOnButton = element<HTMLButtonElement>('power-on');
  const mapArea = element('map-and-legend');
  /** Whether keys typed go to the machine: not once it has ended or its connection is lost. */
  let taking = true;
  // The handlers are called once the connection has something to say, never while it is made.
  const connection = connect({
    hello(frames, frameSize) {
      const again = state !== null;
      state = new PictureState(frames, frameSize);
      // A machine powered on again: its picture starts afresh, on canvases without the last one's listeners.
      if (again) {
        for (const id of ['memory-map', 'timeline']) element(id).replaceWith(element(id).cloneNode());
        Object.assign(stale, { legend: true, modules: true, graph: true, chart: true });
        undrawn = [];
        selected = highlighted = null;
        toAcknowledge = 0;
      }
      halted = false;
      // The map fills its panel's room beside the legend (of a fixed width), and the legend stands next to it.
      const legend = element('legend');
      map = new MemoryMap(element('memory-map'), element('map-tooltip'), state, () => ({ width: mapArea.clientWidth - legend.offsetWidth - MAP_LEGEND_GAP, height: mapArea.clientHeight }));
      chart = new TimelineChart(element('timeline'), element('chart-tooltip'), state);
      const mebibytes = (frames * frameSize) / 2 ** 20;
      status.textContent = `machine running${connection.powerOn ? ` in ${connection.where}` : ''} · ${mebibytes.toLocaleString('en-US')} MiB: ${frames.toLocaleString('en-US')} frames of ${frameSize / 1024} KiB`;
      status.className = '';
      if (again) return;
      new ResizeObserver(() => map?.resize()).observe(mapArea);
      new ResizeObserver(() => chart?.draw()).observe(element('timeline').parentElement!);
    },
    output: (text) => terminal.write(text),
    update(update: PictureUpdate) {
      if (!state) return;
      const runs = state.apply(update);
      undrawn.push(...runs);
      // Each panel is drawn again only when what it shows changed: the machine should not pay for a page redrawing the same picture.
      stale.legend ||= runs.length > 0 || update.owners.length > 0 || update.forgotten.length > 0;
      stale.modules ||= runs.length > 0 || update.table !== null;
      stale.graph ||= update.table !== null;
      stale.chart ||= update.samples.length > 0 || update.events.length > 0 || update.commands.length > 0;
      toAcknowledge = update.sequence;
      requestAnimationFrame(draw);
    },
    halted(_status, reason) {
      halted = true;
      taking = false;
      status.textContent = connection.powerOn ? `machine ended: ${reason}` : `machine ended: ${reason} — reload the page for a new one`;
      status.className = 'ended';
      if (connection.powerOn) {
        powerOnButton.hidden = false;
        terminal.write('\r\n[press Enter or the button above to power on again]\r\n');
      }
    },
    refused: (reason) => console.warn(`keel: the server refused a message: ${reason}`),
    closed(code, reason) {
      if (halted) return;
      taking = false;
      status.className = 'ended';
      status.textContent = reason ? 'no machine' : `connection to the server lost (code ${code}) — reload the page`;
      if (reason) {
        notice.textContent = reason;
        notice.hidden = false;
      }
    },
  });
  const terminal = createTerminalPanel(
    element('terminal'),
    (keys) => {
      if (taking) connection.send({ type: 'keys', data: keys });
      else if (halted && keys.includes('\r')) powerOn();
    },
    (columns, rows) => connection.send({ type: 'resize', columns: clamp(columns, TERMINAL_COLUMNS), rows: clamp(rows, TERMINAL_ROWS) }),
  );
  terminal.focus();
  renderChartKey(element('chart-key'));
  powerOnButton.addEventListener('click', () => powerOn());

  /** A new machine in place of the one that ended, where the connection can start one. */
  function powerOn(): void {
    if (!halted || !connection.powerOn) return;
    halted = false;
    taking = true;
    powerOnButton.hidden = true;
    terminal.reset();
    terminal.focus();
    status.className = '';
    status.textContent = 'powering on…';
    connection.powerOn();
  }

  function select(module: string | null): void {
    selected = module;
    Object.assign(stale, { legend: true, modules: true, graph: true });
    if (state) draw();
  }

  /** Draws what the updates since the last drawing changed, then acknowledges the latest. */
  function draw(): void {
    if (!state || !map) return;
    const owners = selected === null ? null : state.ownersOf(selected);
    const key = owners && [...owners].sort((a, b) => a - b).join(',');
    if (key !== highlighted) {
      highlighted = key;
      map.highlight(owners);
    } else map.drawRuns(undrawn);
    undrawn = [];
    if (stale.legend) renderLegend(element('legend'), state, selected, select);
    if (stale.modules) renderModuleTable(element<HTMLTableSectionElement>('module-rows'), state, selected, select);
    if (stale.graph) renderImportGraph(document.getElementById('import-graph') as unknown as SVGSVGElement, state.modules.modules, selected, select);
    if (stale.chart) chart?.draw();
    Object.assign(stale, { legend: false, modules: false, graph: false, chart: false });
    // Taken before it is sent: a machine in the tab answers `drawn` with the next update at once, inside this call.
    const drawn = toAcknowledge;
    toAcknowledge = 0;
    if (drawn > 0) connection.send({ type: 'drawn', sequence: drawn });
  }
}
