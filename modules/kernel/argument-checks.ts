/*
 * Argument checks for keel:kernel. Every API function takes each argument into a local once
 * and checks it here, so that a value that is not what the declaration says — a string size,
 * an object whose valueOf answers differently each time, a timer of 3e9 ms — is refused with
 * a TypeError or RangeError naming the function and the argument, before anything changes.
 */

/** A value as an error message shows it: strings quoted (and cut short), objects by kind only. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return typeof value === 'function' ? 'a function' : 'an object';
}

function refuse(kind: typeof TypeError, where: string, expected: string, value: unknown): never {
  throw new kind(`${where} must be ${expected}, not ${shown(value)}`);
}

/** `where` is "function: argument", e.g. "kalloc: bytes". */
export function checkString(where: string, value: unknown, optional = false): string {
  if (typeof value !== 'string' && !(optional && value === undefined)) refuse(TypeError, where, 'a string', value);
  return value as string;
}

/** A number in [min, max], whole unless `whole` is false: a TypeError for what is no number, a RangeError for the rest. */
export function checkNumber(where: string, value: unknown, min: number, max: number, whole = true): number {
  if (typeof value !== 'number') refuse(TypeError, where, 'a number', value);
  if (!(whole ? Number.isInteger(value) : Number.isFinite(value)) || value < min || value > max) {
    refuse(RangeError, where, `a ${whole ? 'whole ' : ''}number from ${min} to ${max}`, value);
  }
  return value;
}

/** One of `options` (undefined among them makes the argument optional). */
export function checkOneOf<Option>(where: string, value: unknown, options: readonly Option[]): Option {
  if (!options.includes(value as Option)) refuse(TypeError, where, `one of ${options.filter((option) => option !== undefined).map(shown).join(', ')}`, value);
  return value as Option;
}

export function checkFunction<Value>(where: string, value: Value): Value {
  if (typeof value !== 'function') refuse(TypeError, where, 'a function', value);
  return value;
}

/** Longest timer a host can arm: setTimeout takes at most 2^31 - 1 milliseconds. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;
