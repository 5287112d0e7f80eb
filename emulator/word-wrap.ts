/*
 * Word wrapping for the console's output at a terminal of known width. A terminal wraps a line
 * longer than its width at the last column, in the middle of a word ("callers" as "cal" and
 * "lers"); the terminal (terminal.ts) passes the kernel's output through this first, which
 * breaks such a line at the last space that fits instead, so each word stays whole. A word
 * longer than the whole width is left to the terminal's own wrap. Escape sequences take no
 * room; \r, \n and cursor moves to a column are followed.
 *
 *   const wrapper = new WordWrapper(() => screen.columns);
 *   screen.write(wrapper.wrap(text));        // text with a \n in place of a space where it must break
 *   wrapper.atLineStart();                   // someone else (readline) moved the cursor to column 0
 *
 * It keeps the cursor's column from one write to the next; a width of 0 or undefined (a pipe,
 * not a terminal) wraps nothing.
 */

/** An escape sequence: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), or ESC and one character. */
const ESCAPE = /\x1b(?:\[([0-9;?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|.)/y;
const TAB_STOP = 8;

export class WordWrapper {
  private column = 0;

  constructor(private readonly width: () => number | undefined) {}

  /** The cursor is at the start of a line: what is written next starts there. */
  atLineStart(): void {
    this.column = 0;
  }

  wrap(text: string): string {
    const width = this.width() ?? 0;
    let out = '';
    let spaces = '';
    let index = 0;
    while (index < text.length) {
      const character = text[index]!;
      if (character === ' ') {
        spaces += ' ';
        index++;
        continue;
      }
      if (character === '\x1b') {
        ESCAPE.lastIndex = index;
        const escape = ESCAPE.exec(text);
        const sequence = escape?.[0] ?? character;
        out += spaces + sequence;
        this.column += spaces.length;
        spaces = '';
        if (escape?.[2]) this.cursorMove(escape[2], escape[1] ?? '');
        index += sequence.length;
        continue;
      }
      if (character === '\n' || character === '\r' || character === '\t' || character === '\b') {
        out += spaces + character;
        this.column += spaces.length;
        spaces = '';
        if (character === '\n' || character === '\r') this.column = 0;
        else if (character === '\t') this.column = (Math.floor(this.column / TAB_STOP) + 1) * TAB_STOP;
        else this.column = Math.max(0, this.column - 1);
        index++;
        continue;
      }
      let end = index;
      while (end < text.length && !' \x1b\n\r\t\b'.includes(text[end]!)) end++;
      const word = text.slice(index, end);
      const length = [...word].length;
      if (width > 0 && this.column > 0 && this.column + spaces.length + length > width && length <= width) {
        out += '\n';
        this.column = 0;
      } else {
        out += spaces;
        this.column += spaces.length;
      }
      spaces = '';
      out += word;
      this.column += length;
      // Past the last column the terminal has wrapped it: the column is where the wrapped text ends.
      if (width > 0 && this.column > width) this.column %= width;
      index = end;
    }
    this.column += spaces.length;
    return out + spaces;
  }

  /** Follows the cursor moves that set its column: to a column (G), to a row and column (H, f), forward (C) and back (D). */
  private cursorMove(final: string, parameters: string): void {
    const [first, second] = parameters.split(';').map((part) => Number.parseInt(part, 10));
    if (final === 'G') this.column = Math.max(0, (first || 1) - 1);
    else if (final === 'H' || final === 'f') this.column = Math.max(0, (second || 1) - 1);
    else if (final === 'C') this.column += first || 1;
    else if (final === 'D') this.column = Math.max(0, this.column - (first || 1));
  }
}
