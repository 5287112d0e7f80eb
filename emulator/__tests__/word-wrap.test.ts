/*
 * Word wrapping of console output (emulator/word-wrap.ts): a line longer than the screen breaks
 * at its last space that fits, never inside a word; escape sequences take no room; the column
 * carries from one write to the next; a word wider than the screen, and a screen of unknown
 * width, are left alone.
 */
import { describe, expect, it } from 'vitest';
import { WordWrapper } from '../word-wrap.ts';

const SWAP = 'swap: kv 1.0.0 -> 2.0.0: quiescent in 0.00 ms, callers paused 0.87 ms, 0 state entries transferred, 1 text frames freed, 3.20 ms in all\n';

describe('WordWrapper', () => {
  it.each([20, 37, 54, 80])('breaks a long line at spaces for %i columns, every row within the width and every word whole', (columns) => {
    const rows = new WordWrapper(() => columns).wrap(SWAP).split('\n').slice(0, -1);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(columns);
    expect(rows.join(' ')).toBe(SWAP.trimEnd());
  });

  it('leaves a line that fits, a screen of unknown width and a word wider than the screen as they are', () => {
    expect(new WordWrapper(() => 200).wrap(SWAP)).toBe(SWAP);
    expect(new WordWrapper(() => undefined).wrap(SWAP)).toBe(SWAP);
    expect(new WordWrapper(() => 0).wrap(SWAP)).toBe(SWAP);
    // The long word is the terminal's to wrap; it ends in column 9 of its second row, where cd no longer fits.
    expect(new WordWrapper(() => 10).wrap('ab 0123456789abcdef cd\n')).toBe('ab 0123456789abcdef\ncd\n');
  });

  it('counts no room for colours and follows \\r, tabs and a cursor move to a column', () => {
    const wrapper = new WordWrapper(() => 10);
    expect(wrapper.wrap('\x1b[31mred\x1b[0m words here\n')).toBe('\x1b[31mred\x1b[0m words\nhere\n');
    expect(wrapper.wrap('12345678\rab cd ef\n')).toBe('12345678\rab cd ef\n');
    expect(wrapper.wrap('\tab cd\n')).toBe('\tab\ncd\n');
    expect(wrapper.wrap('abcdefgh\x1b[1Gab cd\n')).toBe('abcdefgh\x1b[1Gab cd\n');
  });

  it('carries the column from one write to the next, and starts again where told the cursor is at a line start', () => {
    const wrapper = new WordWrapper(() => 12);
    expect(wrapper.wrap('keel# ')).toBe('keel# ');
    expect(wrapper.wrap('one two')).toBe('one\ntwo');
    wrapper.atLineStart();
    expect(wrapper.wrap('three four\n')).toBe('three four\n');
  });
});
