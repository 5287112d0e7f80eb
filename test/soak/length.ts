/*
 * How long the soak tests run. `npm test` runs them a tenth as long, so that the suite stays
 * quick; `npm run soak` (which CI runs too) sets KEEL_SOAK=1 and runs them in full. Every check
 * is the same at either length.
 *
 *   const CYCLES = soakLength(10_000);   // 1,000 in npm test, 10,000 in npm run soak
 */
export const FULL_SOAK = process.env.KEEL_SOAK === '1';

export const soakLength = (full: number): number => (FULL_SOAK ? full : full / 10);
