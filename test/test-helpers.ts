/*
 * Small helpers unit tests share: a seeded random source (repeatable "random" cases) and
 * catching what an action throws, to assert on the error itself.
 */

/** A seeded xorshift generator: `random(limit)` gives a whole number below `limit`. */
export function randomSource(seed: number): (limit: number) => number {
  let state = seed;
  return (limit) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % limit;
  };
}

/** What `action` throws; fails the test if it returns instead. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
