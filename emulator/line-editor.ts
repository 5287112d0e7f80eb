/*
 * The line being typed, without a screen: what each key does to it, as node:readline's emacs
 * keys do — insert, Backspace, Delete, left and right, Home/End and Ctrl-A/E, Ctrl-U (kill to
 * the start), Ctrl-K (to the end), Ctrl-W (the word before), history (up/down, Ctrl-P/N: the
 * entries that start with what was typed, newest first, duplicates removed) and a completion's
 * common prefix. Host-neutral: the line terminal (line-terminal.ts) draws it, in a browser tab
 * where node:readline does not exist.
 *
 *   for (const key of readKeys('ls\x1b[D\r')) ...   // { name: 'text', text: 'ls' }, { name: 'left' }, { name: 'enter' }
 *   editor.insert('lsmod'); editor.apply({ name: 'home' }); editor.take();   // 'lsmod', added to the history
 */

/** A key, named as the editor acts on it; `text` is typed characters (a paste arrives as one). */
export type Key =
  | { name: 'text'; text: string }
  | { name: 'enter' | 'backspace' | 'delete' | 'left' | 'right' | 'home' | 'end' | 'up' | 'down' | 'word-left' | 'word-right' }
  | { name: 'kill-start' | 'kill-end' | 'kill-word' | 'clear-screen' | 'tab' | 'interrupt' | 'end-of-input' | 'ignored' };

const CONTROL: Record<string, Key['name']> = {
  '\r': 'enter', '\n': 'enter', '\x7f': 'backspace', '\b': 'backspace', '\t': 'tab', '\x01': 'home', '\x05': 'end', '\x02': 'left', '\x06': 'right',
  '\x03': 'interrupt', '\x04': 'end-of-input', '\x0b': 'kill-end', '\x0c': 'clear-screen', '\x0e': 'down', '\x10': 'up', '\x15': 'kill-start', '\x17': 'kill-word',
};
/** CSI and SS3 finals (ESC [ A, ESC O H) and the numbers of ESC [ n ~. */
const FINALS: Record<string, Key['name']> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end' };
const TILDES: Record<string, Key['name']> = { '1': 'home', '7': 'home', '4': 'end', '8': 'end', '3': 'delete' };
const ESCAPE = /\x1b(?:\[([0-9;]*)([ -/]*[@-~])|O([A-Za-z])|([\s\S]))?/y;

/** The keys in what a terminal sent (xterm.js's onData): escape sequences read whole, runs of characters as one text. */
export function* readKeys(data: string): Generator<Key> {
  let index = 0;
  while (index < data.length) {
    const character = data[index]!;
    if (character === '\x1b') {
      ESCAPE.lastIndex = index;
      const [sequence, parameters, final, ss3, alt] = ESCAPE.exec(data)!;
      index += sequence.length;
      // A modifier (ESC [ 1 ; 5 C, Ctrl-right) moves by words, as readline does.
      const modified = parameters?.includes(';');
      if (final === '~') yield { name: TILDES[parameters ?? ''] ?? 'ignored' } as Key;
      else if (final !== undefined) yield { name: modified && (final === 'C' || final === 'D') ? (final === 'C' ? 'word-right' : 'word-left') : (FINALS[final] ?? 'ignored') } as Key;
      else if (ss3 !== undefined) yield { name: FINALS[ss3] ?? 'ignored' } as Key;
      else yield { name: alt === 'b' ? 'word-left' : alt === 'f' ? 'word-right' : alt === '\x7f' ? 'kill-word' : 'ignored' } as Key;
      continue;
    }
    if (character < ' ' || character === '\x7f') {
      // \r\n is one Enter, as readline takes it.
      index += character === '\r' && data[index + 1] === '\n' ? 2 : 1;
      yield { name: CONTROL[character] ?? 'ignored' } as Key;
      continue;
    }
    let end = index;
    while (end < data.length && data[end]! >= ' ' && data[end] !== '\x7f' && data[end] !== '\x1b') end++;
    yield { name: 'text', text: data.slice(index, end) };
    index = end;
  }
}

/** The longest start every candidate shares. */
export function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0]!;
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

export class LineEditor {
  line = '';
  cursor = 0;
  /** Lines taken, newest first. */
  private readonly history: string[] = [];
  private historyIndex = -1;
  /** The line as typed before the history was walked, and the start the walk matches entries against. */
  private typed = '';

  constructor(private readonly historySize = 1000) {}

  insert(text: string): void {
    this.replace(this.cursor, this.cursor, text);
  }

  /** Acts on an editing key; false for a key that is not an edit of the line (Enter, Tab, Ctrl-C, ...). */
  apply(key: Key): boolean {
    const { line, cursor } = this;
    const before = line.slice(0, cursor);
    /** Where the word before the cursor starts (its trailing spaces with it), or -1. */
    const wordStart = () => before.search(/\S+\s*$/);
    switch (key.name) {
      case 'text':
        this.insert(key.text);
        break;
      case 'backspace':
        if (cursor > 0) this.replace(cursor - 1, cursor, '');
        break;
      case 'delete':
        this.replace(cursor, cursor + 1, '');
        break;
      case 'left':
        this.cursor = Math.max(0, cursor - 1);
        break;
      case 'right':
        this.cursor = Math.min(line.length, cursor + 1);
        break;
      case 'home':
        this.cursor = 0;
        break;
      case 'end':
        this.cursor = line.length;
        break;
      case 'word-left':
        this.cursor = Math.max(0, wordStart());
        break;
      case 'word-right':
        this.cursor = cursor + (/^\s*\S+/.exec(line.slice(cursor))?.[0].length ?? line.length - cursor);
        break;
      case 'kill-start':
        this.replace(0, cursor, '');
        break;
      case 'kill-end':
        this.replace(cursor, line.length, '');
        break;
      case 'kill-word':
        if (wordStart() >= 0) this.replace(wordStart(), cursor, '');
        break;
      case 'up':
      case 'down':
        this.walkHistory(key.name === 'up' ? 1 : -1);
        return true;
      default:
        return false;
    }
    this.historyIndex = -1;
    return true;
  }

  /** Puts `text` in place of the characters from `start` to `end`, the cursor after it. */
  private replace(start: number, end: number, text: string): void {
    this.line = this.line.slice(0, start) + text + this.line.slice(end);
    this.cursor = start + text.length;
  }

  /** The line is done (Enter): returns it, remembered in the history unless blank, and starts an empty one. */
  take(): string {
    const line = this.line;
    if (line.trim() !== '') {
      const earlier = this.history.indexOf(line);
      if (earlier >= 0) this.history.splice(earlier, 1);
      this.history.unshift(line);
      if (this.history.length > this.historySize) this.history.pop();
    }
    this.clear();
    return line;
  }

  /** Drops the line being typed (Ctrl-C). */
  clear(): void {
    this.line = '';
    this.cursor = 0;
    this.historyIndex = -1;
  }

  /** Applies a completion of the word before the cursor: the candidates' common prefix, if it adds to the word. True if the line changed. */
  complete(candidates: string[], word: string): boolean {
    const prefix = commonPrefix(candidates.filter((candidate) => candidate !== ''));
    if (prefix.startsWith(word) && prefix.length > word.length) {
      this.insert(prefix.slice(word.length));
      return true;
    }
    if (!word.startsWith(prefix)) {
      this.replace(this.cursor - word.length, this.cursor, prefix);
      return true;
    }
    return false;
  }

  /** One step back (1) or forward (-1) through the entries that start with what was typed. */
  private walkHistory(step: 1 | -1): void {
    if (this.historyIndex === -1) this.typed = this.line.slice(0, this.cursor);
    let index = this.historyIndex + step;
    while (index >= 0 && index < this.history.length && (!this.history[index]!.startsWith(this.typed) || this.history[index] === this.line)) index += step;
    if (index >= this.history.length) return;
    this.historyIndex = Math.max(-1, index);
    this.line = index < 0 ? this.typed : this.history[index]!;
    this.cursor = this.line.length;
  }
}
