/*
 * What every figure returns: rows of keel against a baseline measured in the same run, ratio
 * first. A row with `pending` set has no numbers yet and says why.
 *
 * Beside the baseline (what keel competes with) a row may carry a floor: the physical limit of
 * the same work, measured in the same run — a plain copy of the same bytes, compiling the same
 * code, the direct call. The ratio to it says how far keel is from what the machine could do.
 *
 *   withFloor(compare('load 1 KB', keel, imported, 'ms', runs), compiled)
 */

export interface Row {
  case: string;
  /** keel ÷ baseline; null where there is nothing to compare with (the note says why). */
  ratio: number | null;
  keel: number | null;
  baseline: number | null;
  unit: string;
  /** How many runs the median was taken over (1 for counts and sizes, which do not vary). */
  runs: number;
  note?: string;
  pending?: string;
  /** The physical limit of the same work, in `unit` (the figure's `floor` says what it is). */
  floor?: number;
  /** keel ÷ floor. */
  floorRatio?: number;
}

export interface Figure {
  number: number;
  id: string;
  title: string;
  /** What the baseline column is, e.g. "import() of the same bundle". */
  baseline: string;
  /** What the floor column is, for the rows that have one, e.g. "vm.compileFunction of the same bytes + sha256 + the signature check". */
  floor?: string;
  rows: Row[];
}

export interface FigureOptions {
  /** Small sizes, few runs: every figure in seconds, for the test. */
  quick: boolean;
}

/** A row comparing keel with its baseline. */
export function compare(caseName: string, keel: number, baseline: number, unit: string, runs: number, note?: string): Row {
  return { case: caseName, ratio: keel / baseline, keel, baseline, unit, runs, ...(note ? { note } : {}) };
}

/** A row with a keel figure only: the baseline has no counterpart. */
export function keelOnly(caseName: string, keel: number, unit: string, runs: number, note: string): Row {
  return { case: caseName, ratio: null, keel, baseline: null, unit, runs, note };
}

/** The row with its floor: the same work at the machine's limit (see the header). */
export function withFloor(row: Row, floor: number): Row {
  return { ...row, floor, ...(row.keel === null ? {} : { floorRatio: row.keel / floor }) };
}
