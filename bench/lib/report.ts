/*
 * The printed report: a header naming the run and the machine, then one block per figure,
 * each row with its ratio first and the absolute values beside it.
 */
import type { Figure, Row } from './figure.ts';
import type { MachineDescription } from './host.ts';

export interface BenchResults {
  mode: 'quick' | 'full';
  date: string;
  durationSeconds: number;
  machine: MachineDescription;
  figures: Figure[];
}

function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) || magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toPrecision(3);
}

function formatRatio(ratio: number | null): string {
  if (ratio === null) return '—';
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toPrecision(3)}×`;
}

const COLUMNS = [
  { title: 'case', width: 48, align: 'left' },
  { title: 'ratio', width: 9, align: 'right' },
  { title: 'keel', width: 12, align: 'right' },
  { title: 'baseline', width: 12, align: 'right' },
  { title: '÷floor', width: 8, align: 'right' },
  { title: 'floor', width: 10, align: 'right' },
  { title: 'unit', width: 8, align: 'left' },
  { title: 'runs', width: 5, align: 'right' },
  { title: 'note', width: 0, align: 'left' },
] as const;

function line(cells: string[]): string {
  return `    ${cells.map((cell, index) => (COLUMNS[index]!.align === 'left' ? cell.padEnd(COLUMNS[index]!.width) : cell.padStart(COLUMNS[index]!.width))).join('  ')}`.trimEnd();
}

function rowCells(row: Row): string[] {
  if (row.pending) return [row.case, '—', 'pending', '—', '', '', '', '', row.pending];
  const value = (number: number | null | undefined) => (number === null || number === undefined ? '—' : formatNumber(number));
  return [row.case, formatRatio(row.ratio), value(row.keel), value(row.baseline), formatRatio(row.floorRatio ?? null), value(row.floor), row.unit, String(row.runs), row.note ?? ''];
}

export function formatReport(results: BenchResults): string {
  const { machine } = results;
  const blocks = results.figures.map((figure) =>
    [`${figure.number}. ${figure.title} — baseline: ${figure.baseline}${figure.floor ? `; floor: ${figure.floor}` : ''}`, line(COLUMNS.map((column) => column.title)), ...figure.rows.map((row) => line(rowCells(row)))].join('\n'),
  );
  return [
    `keel bench, ${results.mode} run, ${results.date}, ${results.durationSeconds.toFixed(0)} s`,
    `machine: node ${machine.node}, ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}`,
    'ratio = keel ÷ baseline; ÷floor = keel ÷ the same work at the machine\'s limit; values are medians over the runs shown',
    '',
    blocks.join('\n\n'),
  ].join('\n');
}
