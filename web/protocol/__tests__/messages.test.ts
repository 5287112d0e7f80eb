/*
 * The page's messages as the server reads them (web/protocol/messages.ts): the three the
 * protocol has are taken, with exactly their fields; anything else — not JSON, not an object,
 * an unknown type, a missing, extra or mistyped field, a value out of range, a key past the
 * length limit, a field named __proto__ — is refused with a reason, never passed on.
 */
import { describe, expect, it } from 'vitest';
import { encodeMessage, MAX_KEYS_LENGTH, readPageMessage, TERMINAL_COLUMNS } from '../messages.ts';

const refusal = (text: string) => {
  const read = readPageMessage(text);
  if (!('refused' in read)) throw new Error(`${text} was taken as ${JSON.stringify(read)}`);
  return read.refused;
};

describe('readPageMessage', () => {
  it('takes keys, resize and drawn with exactly their fields', () => {
    expect(readPageMessage('{"type":"keys","data":"lsmod\\r"}')).toEqual({ type: 'keys', data: 'lsmod\r' });
    expect(readPageMessage('{"type":"keys","data":""}')).toEqual({ type: 'keys', data: '' });
    expect(readPageMessage('{"type":"resize","columns":80,"rows":24}')).toEqual({ type: 'resize', columns: 80, rows: 24 });
    expect(readPageMessage('{"type":"drawn","sequence":1}')).toEqual({ type: 'drawn', sequence: 1 });
    expect(readPageMessage(encodeMessage({ type: 'keys', data: 'x'.repeat(MAX_KEYS_LENGTH) }))).toEqual({ type: 'keys', data: 'x'.repeat(MAX_KEYS_LENGTH) });
  });

  it.each([
    ['not JSON', 'lsmod', 'not JSON'],
    ['JSON cut short', '{"type":"keys","data":"ls', 'not JSON'],
    ['null', 'null', 'not a JSON object'],
    ['an array', '[{"type":"keys","data":"x"}]', 'not a JSON object'],
    ['a string', '"keys"', 'not a JSON object'],
    ['no type', '{"data":"x"}', 'unknown type undefined'],
    ['an unknown type, even one that sounds like a line of the console', '{"type":"line","text":"halt"}', 'unknown type "line"'],
    ['the host channel', '{"type":"channel","header":"{}","bytes":[]}', 'unknown type "channel"'],
    ['a type that is an inherited name', '{"type":"toString"}', 'unknown type "toString"'],
    ['a type that is not a string', '{"type":1}', 'unknown type 1'],
    ['keys without data', '{"type":"keys"}', 'keys: data must be a string'],
    ['keys whose data is a number', '{"type":"keys","data":42}', 'keys: data must be a string'],
    ['keys whose data is an array of codes', '{"type":"keys","data":[3]}', 'keys: data must be a string'],
    ['keys with an extra field', '{"type":"keys","data":"x","atPrompt":true}', 'keys: unexpected field "atPrompt"'],
    ['a field named __proto__', '{"type":"keys","data":"x","__proto__":{"data":1}}', 'keys: unexpected field "__proto__"'],
    ['keys past the length limit', encodeMessage({ type: 'keys', data: 'x'.repeat(MAX_KEYS_LENGTH + 1) }), `keys: data is ${MAX_KEYS_LENGTH + 1} characters, more than ${MAX_KEYS_LENGTH}`],
    ['resize without rows', '{"type":"resize","columns":80}', 'resize: rows must be a whole number from 2 to 1000'],
    ['resize with fractional columns', '{"type":"resize","columns":80.5,"rows":24}', `resize: columns must be a whole number from ${TERMINAL_COLUMNS.min} to ${TERMINAL_COLUMNS.max}`],
    ['resize with columns as text', '{"type":"resize","columns":"80","rows":24}', `resize: columns must be a whole number from ${TERMINAL_COLUMNS.min} to ${TERMINAL_COLUMNS.max}`],
    ['resize too narrow', '{"type":"resize","columns":3,"rows":24}', `resize: columns must be a whole number from ${TERMINAL_COLUMNS.min} to ${TERMINAL_COLUMNS.max}`],
    ['resize absurdly wide', '{"type":"resize","columns":1e9,"rows":24}', `resize: columns must be a whole number from ${TERMINAL_COLUMNS.min} to ${TERMINAL_COLUMNS.max}`],
    ['drawn of sequence 0', '{"type":"drawn","sequence":0}', 'drawn: sequence must be a whole number from 1'],
    ['drawn of a negative sequence', '{"type":"drawn","sequence":-3}', 'drawn: sequence must be a whole number from 1'],
    ['drawn of a sequence past the safe integers', '{"type":"drawn","sequence":1e300}', 'drawn: sequence must be a whole number from 1'],
  ])('refuses %s', (_case, text, reason) => {
    expect(refusal(text)).toBe(reason);
  });
});
