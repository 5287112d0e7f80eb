/*
 * What every figure returns: rows of keel against a baseline measured in the same run, ratio
 * first. A row with `pending` set has no numbers yet and says why.
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
}

export interface Figure {
  number: number;
  id: string;
  title: string;
  /** What the baseline column is, e.g. "import() of the same bundle". */
  baseline: string;
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
