/*
 * npm run sim's option checks (sim/options.ts): counts must be whole numbers in range, and a
 * --break must name an invariant and a step inside the run. Through a real process, a couple
 * of these are in test/scripts.test.ts.
 */
import { expect, it } from 'vitest';
import { simOptions } from '../options.ts';

const defaults = { seed: '1', steps: '10000', seeds: '1', jobs: '2' };

it('takes the defaults and a break inside the run', () => {
  expect(simOptions(defaults)).toEqual({ first: 1, steps: 10000, seeds: 1, jobs: 2, verbose: false });
  expect(simOptions({ ...defaults, steps: '400', break: 'frames@399', verbose: true })).toEqual({ first: 1, steps: 400, seeds: 1, jobs: 2, verbose: true, break: 'frames@399' });
  expect(simOptions({ ...defaults, seed: '0' })).toMatchObject({ first: 0 });
});

it.each([
  [{ steps: '0' }, '--steps 0: expected a whole number of at least 1'],
  [{ steps: '-5' }, '--steps -5: expected a whole number of at least 1'],
  [{ steps: '1.5' }, '--steps 1.5: expected a whole number of at least 1'],
  [{ steps: '1e3' }, '--steps 1e3: expected a whole number of at least 1'],
  [{ seed: '-1' }, '--seed -1: expected a whole number of at least 0'],
  [{ seeds: '0' }, '--seeds 0: expected a whole number of at least 1'],
  [{ jobs: 'lots' }, '--jobs lots: expected a whole number of at least 1'],
  [{ steps: '100', break: 'frames@100' }, "--break frames@100: step 100 is past the run's end (its steps are 0 to 99)"],
  [{ steps: '100', break: 'ledger@5000' }, "--break ledger@5000: step 5000 is past the run's end (its steps are 0 to 99)"],
  [{ break: 'speed@5' }, '--break speed@5: expected KIND@STEP, KIND one of frames, refcount, ledger'],
  [{ break: 'frames' }, '--break frames: expected KIND@STEP, KIND one of frames, refcount, ledger'],
  [{ break: 'frames@-1' }, '--break frames@-1: expected KIND@STEP, KIND one of frames, refcount, ledger'],
])('refuses %j', (given, error) => {
  expect(simOptions({ ...defaults, ...given })).toEqual({ error });
});
