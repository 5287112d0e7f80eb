/* Tests visibleText (ramdisk/visible-text.ts): every control character shown as cat -v shows it. */
import { describe, expect, it } from 'vitest';
import { visibleText } from '../visible-text.ts';

describe('visibleText', () => {
  it.each([
    ['an escape sequence', 'evil\u001b[2Jtext', 'evil^[[2Jtext'],
    ['a newline that would forge a row', 'row\nforged 4096 0', 'row^Jforged 4096 0'],
    ['a carriage return and a backspace', 'a\rb\bc', 'a^Mb^Hc'],
    ['NUL, tab and DEL', '\u0000\t\u007f', '^@^I^?'],
    ['a C1 control (CSI)', 'x\u009b2Jy', 'xM-^[2Jy'],
  ])('%s', (_case, text, shown) => {
    expect(visibleText(text)).toBe(shown);
  });

  it('leaves printable text, Unicode included, as it is', () => {
    expect(visibleText('ümlaut-fs 1.0.0: a file system — “quoted”')).toBe('ümlaut-fs 1.0.0: a file system — “quoted”');
  });

  it('keeps newlines and tabs when asked (file contents), and nothing else', () => {
    expect(visibleText('a\tb\nc\u001b[0m', true)).toBe('a\tb\nc^[[0m');
  });

  it('leaves no control character in anything it returns', () => {
    const every = Array.from({ length: 0x100 }, (_, code) => String.fromCharCode(code)).join('');
    expect(visibleText(every)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(visibleText(every, true)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
