/*
 * The line terminal's editing (line-editor.ts) key by key, and its drawing of a line longer
 * than the screen is wide (line-terminal.ts), read back through a real terminal emulator.
 * The shell's own behaviour at both terminals is test/terminal.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { LineEditor, readKeys } from '../line-editor.ts';
import { LineTerminal } from '../line-terminal.ts';
import { Screen } from '../../test/screen.ts';

const edit = (keys: string, editor = new LineEditor()) => {
  for (const key of readKeys(keys)) editor.apply(key);
  return editor;
};

describe('the line editor', () => {
  it('reads escape sequences whole, \\r\\n as one Enter, and a run of characters as one text', () => {
    expect([...readKeys('ab\x1b[D\x1bOH\x1b[3~\x1b[1;5C\r\n\x7f\x1bb')].map((key) => (key.name === 'text' ? key.text : key.name)))
      .toEqual(['ab', 'left', 'home', 'delete', 'word-right', 'enter', 'backspace', 'word-left']);
  });

  it('edits in the middle: left, insert, Home, Delete, End, Backspace', () => {
    const editor = edit('lsmd\x1b[Do\x1b[H\x1b[3~x\x1b[F\x7f');
    expect([editor.line, editor.cursor]).toEqual(['xsmo', 4]);
  });

  it('kills to the start (Ctrl-U), to the end (Ctrl-K) and the word before (Ctrl-W)', () => {
    expect(edit('cat /proc/modules\x17').line).toBe('cat ');
    expect(edit('echo one two\x1b[D\x1b[D\x1b[D\x15').line).toBe('two');
    expect(edit('echo one two\x01\x1b[C\x0b').line).toBe('e');
  });

  it('walks the history newest first, without duplicates, matching what was typed before the cursor', () => {
    const editor = new LineEditor();
    for (const line of ['lsmod', 'modprobe kv', 'free', 'lsmod']) edit(line, editor).take();
    expect(edit('\x1b[A', editor).line).toBe('lsmod');
    expect(edit('\x1b[A\x1b[A', editor).line).toBe('modprobe kv');
    expect(edit('\x1b[B\x1b[B\x1b[B', editor).line).toBe('');
    expect(edit('mod\x1b[A', editor).line).toBe('modprobe kv');
    expect(edit('\x1b[A', editor).line).toBe('modprobe kv');
  });

  it("completes to the candidates' common prefix, and says when a Tab added nothing", () => {
    const editor = edit('modprobe sw');
    expect(editor.complete(['swap ', 'swappy '], 'sw')).toBe(true);
    expect(editor.line).toBe('modprobe swap');
    expect(editor.complete(['swap ', 'swappy '], 'swap')).toBe(false);
  });
});

describe('the line terminal on a narrow screen', () => {
  it('draws a line longer than the screen over several rows and keeps the cursor where the line is edited', async () => {
    const screen = new Screen();
    const terminal = new LineTerminal({ write: (text) => screen.write(text), columns: () => 120 });
    terminal.reading('keel# ', 0);
    terminal.keys(`echo ${'x'.repeat(150)}`);
    // 'keel# echo ' and 109 x's fill the first row; the cursor is on the second, after 41 more.
    await screen.until((lines) => lines.at(-1) === 'x'.repeat(41) && lines.at(-2) === `keel# echo ${'x'.repeat(109)}`);
    terminal.keys('\x01\x1b[C\x1b[C\x1b[C\x1b[CX');
    // The cursor is on the first row now, after the X.
    const lines = await screen.until((now) => now.at(-1) === `keel# echoX ${'x'.repeat(108)}`);
    expect(screen.cursorColumn()).toBe('keel# echoX'.length);
    terminal.keys('\x05');
    expect((await screen.until((now) => now.at(-1) === 'x'.repeat(42))).at(-2)).toBe(lines.at(-1));
  });
});
