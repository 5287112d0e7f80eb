/*
 * A result too large to print is cut, as a kernel log line too long for its record is: `call`
 * prints at most RESULT_CHARACTERS of a result's JSON, then one line saying how much there was.
 * A string result is cut before it is made JSON, so that a 200 MB string is never copied whole.
 *
 *   const { json, cutFrom } = cutResult(result, printableJson);   // cutFrom: the full length, or null
 */
export const RESULT_CHARACTERS = 65_536;

type Printer = (value: unknown) => { json: string } | { error: string };

export function cutResult(result: unknown, printable: Printer): { json: string; cutFrom: number | null } | { error: string } {
  const long = typeof result === 'string' && result.length > RESULT_CHARACTERS;
  const printed = printable(long ? result.slice(0, RESULT_CHARACTERS) : result);
  if ('error' in printed) return printed;
  // A string's JSON is its characters, escapes and two quotes: its own length is what the user would have seen.
  const total = long ? (result as string).length + 2 : printed.json.length;
  if (total <= RESULT_CHARACTERS) return { json: printed.json, cutFrom: null };
  return { json: printed.json.slice(0, RESULT_CHARACTERS), cutFrom: total };
}
