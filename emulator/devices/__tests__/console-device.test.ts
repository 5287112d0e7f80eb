/*
 * The console device on its own (emulator/devices/console-device.ts): who writes the prompt and
 * echoes a line in each mode, what a terminal is told when a read waits, how type-ahead and a
 * line racing a prompt are shown, and what Ctrl-C and Tab reach in the kernel.
 */
import { describe, expect, it } from 'vitest';
import { Console, type ConsoleMode } from '../console-device.ts';

function device(mode: ConsoleMode) {
  let screen = '';
  const reads: Array<[string, number]> = [];
  const console = new Console((text) => (screen += text), { mode, onRead: (prompt, taken) => reads.push([prompt, taken]) });
  return { console, reads, screen: () => screen };
}

describe('who shows the prompt and the line', () => {
  it('plain: the prompt when a read starts, no echo (a program types)', async () => {
    const { console, screen } = device('plain');
    const line = console.readLine({ prompt: '# ' });
    console.type('lsmod');
    expect(await line).toBe('lsmod');
    expect(screen()).toBe('# ');
  });

  it('transcript: the prompt, then each line as it is taken, typed before the read or after', async () => {
    const { console, screen } = device('transcript');
    console.type('early');
    expect(await console.readLine({ prompt: '# ' })).toBe('early');
    const late = console.readLine({ prompt: '# ' });
    console.type('late');
    expect(await late).toBe('late');
    console.endInput();
    expect(await console.readLine({ prompt: '# ' })).toBeNull();
    expect(screen()).toBe('# early\n# late\n# ');
  });

  it('terminal: tells the terminal a read waits; echoes type-ahead and a line that raced the prompt, not one typed at it', async () => {
    const { console, reads, screen } = device('terminal');
    expect(console.interactive).toBe(true);
    const first = console.readLine({ prompt: '# ' });
    expect(reads).toEqual([['# ', 0]]);
    console.type('at the prompt', true);
    expect(await first).toBe('at the prompt');
    console.type('typed ahead');
    expect(await console.readLine({ prompt: '# ' })).toBe('typed ahead');
    const third = console.readLine({ prompt: '# ' });
    expect(reads).toEqual([['# ', 0], ['# ', 2]]);
    console.type('raced the prompt', false);
    expect(await third).toBe('raced the prompt');
    expect(screen()).toBe('# typed ahead\n# raced the prompt\n');
  });

  it('takes no request, or one that is not an object, as a read with no prompt', async () => {
    const { console, screen } = device('plain');
    console.type('a');
    console.type('b');
    expect(await console.readLine()).toBe('a');
    expect(await console.readLine(null as never)).toBe('b');
    expect(screen()).toBe('');
  });
});

describe('Ctrl-C and Tab', () => {
  it('Ctrl-C throws type-ahead away and tells the last reader, only while no read waits', async () => {
    const { console, reads } = device('terminal');
    let interrupts = 0;
    const request = { prompt: '# ', interrupt: () => interrupts++ };
    const waiting = console.readLine(request);
    console.interrupt();
    expect(interrupts).toBe(0);
    console.type('run this', true);
    await waiting;
    console.type('typed ahead');
    console.interrupt();
    expect(interrupts).toBe(1);
    void console.readLine(request);
    expect(reads.at(-1)).toEqual(['# ', 2]);
  });

  it("Tab asks the last read's completer; one that throws, or answers nonsense, offers nothing", async () => {
    const { console } = device('terminal');
    void console.readLine({ complete: (line) => [[`${line}mod`], line] });
    expect(await console.complete('ls')).toEqual([['lsmod'], 'ls']);
    void console.readLine({ complete: () => { throw new Error('broken'); } });
    expect(await console.complete('ls')).toEqual([[], '']);
    void console.readLine({ complete: () => 42 as never });
    expect(await console.complete('ls')).toEqual([[], '']);
    void console.readLine({});
    expect(await console.complete('ls')).toEqual([[], '']);
  });
});
