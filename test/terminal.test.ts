/*
 * The interactive shell as a person meets it: keystrokes into the terminal (emulator/terminal.ts)
 * of a booted machine, the screen read back through a real terminal emulator (test/screen.ts).
 * Prompt redraws after Ctrl-U, Ctrl-L and history, messages arriving while a line is typed,
 * Ctrl-C on a line and on a command that waits, type-ahead, Tab completion, and how a session
 * ends (Ctrl-D, halt: status 0 at a terminal). Each case runs on both terminals: node:readline's
 * (emulator/terminal.ts, npm start and npm run web) and the line terminal that a browser tab
 * uses (emulator/line-terminal.ts, npm run site), which must behave alike.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { LineTerminal } from '../emulator/line-terminal.ts';
import type { Completion } from '../emulator/machine-interface.ts';
import { Terminal } from '../emulator/terminal.ts';
import { buildInMemory, WITH_FIXTURES } from './harness.ts';
import { Screen } from './screen.ts';

const PROMPT = 'keel# ';
const KEY = { up: '\x1b[A', ctrlC: '\x03', ctrlD: '\x04', ctrlL: '\x0c', ctrlU: '\x15', tab: '\t', enter: '\r' };

interface Session {
  machine: Machine;
  screen: Screen;
  /** Types keys (the test then waits for what the screen should show). */
  type(keys: string): Promise<void>;
  /** Types a line and Enter; resolves with the lines printed before the next prompt. */
  run(line: string): Promise<string[]>;
}

interface AnyTerminal {
  write(text: string): void;
  reading(prompt: string, linesTaken: number): void;
  connect(console: { type(line: string, atPrompt?: boolean): void; endInput(): void; interrupt(): void; complete(line: string): Promise<Completion> }, halted: Promise<unknown>): void;
}

/** The two terminals, each on the keys typed and the display it draws on. */
const TERMINALS: Record<string, (keys: PassThrough, display: PassThrough & { columns: number }) => AnyTerminal> = {
  'node:readline': (keys, display) => new Terminal({ input: keys, output: display }),
  'the line terminal': (keys, display) => {
    const terminal = new LineTerminal({ write: (text) => display.write(text), columns: () => display.columns });
    keys.on('data', (bytes: Buffer) => terminal.keys(String(bytes)));
    return terminal;
  },
};

async function startSession(kind: string): Promise<Session> {
  const built = await buildInMemory(WITH_FIXTURES);
  const keys = new PassThrough();
  const display = Object.assign(new PassThrough(), { columns: 120 });
  const screen = new Screen();
  display.on('data', (bytes: Buffer) => screen.write(bytes));
  const terminal = TERMINALS[kind]!(keys, display);
  const machine = new Machine({
    image: new Uint8Array(built.image), initrd: new Uint8Array(built.initrd), cmdline: 'init=shell quiet',
    output: terminal.write, console: { mode: 'terminal', onRead: terminal.reading },
  });
  terminal.connect(machine.console, machine.halted);
  machine.powerOn();
  await screen.until((lines) => lines.at(-1) === PROMPT);
  const promptCount = () => screen.lines().filter((line) => line.startsWith(PROMPT)).length;
  const session: Session = {
    machine,
    screen,
    async type(text) {
      keys.write(text);
      await new Promise((resolve) => setImmediate(resolve));
    },
    async run(line) {
      const before = screen.lines().length;
      const prompts = promptCount();
      keys.write(line + KEY.enter);
      const lines = await screen.until((now) => now.at(-1) === PROMPT && promptCount() > prompts);
      return lines.slice(before, -1);
    },
  };
  return session;
}

describe.each(Object.keys(TERMINALS))('the shell at a terminal (%s)', (kind) => {
  let session: Session;
  beforeAll(async () => {
    session = await startSession(kind);
  });
  afterAll(async () => {
    session.machine.console.endInput();
    await session.machine.halted;
  });

  it('greets, shows keel# and runs what is typed', async () => {
    expect(session.screen.lines()).toContain('keel shell — type help for commands, Tab to complete, halt or Ctrl-D to leave');
    expect(await session.run('lsmod')).toEqual(expect.arrayContaining(['Module                  Size  Used by']));
  });

  it('keeps the prompt keel# after Ctrl-U, after Ctrl-L and after an up-arrow recall', async () => {
    await session.run('echo recalled');
    await session.screen.until((lines) => lines.at(-1) === PROMPT);
    await session.type('lsm');
    await session.screen.until(() => session.screen.cursorLine() === 'keel# lsm');
    await session.type(KEY.ctrlU);
    await session.screen.until(() => session.screen.cursorLine() === PROMPT);
    expect(session.screen.cursorColumn()).toBe(PROMPT.length);

    await session.type(`free${KEY.ctrlL}`);
    const cleared = await session.screen.until((lines) => lines.at(-1) === 'keel# free' && !lines.some((line) => line === 'recalled'));
    expect(cleared.at(-1)).toBe('keel# free');
    await session.type(KEY.ctrlU + KEY.up);
    await session.screen.until(() => session.screen.cursorLine() === 'keel# echo recalled');
    expect(await session.run('')).toEqual(['recalled']);
  });

  it('prints a message that arrives while a line is typed above it, and redraws the line with its prompt', async () => {
    await session.type('modprobe hel');
    await session.screen.until(() => session.screen.cursorLine() === 'keel# modprobe hel');
    session.machine.console.write('[    1.000000] keel: a message from the kernel\n');
    const lines = await session.screen.until((now) => now.at(-2) === '[    1.000000] keel: a message from the kernel');
    expect(lines.at(-1)).toBe('keel# modprobe hel');
    expect(session.screen.cursorColumn()).toBe('keel# modprobe hel'.length);
    expect(lines.filter((line) => line.startsWith('keel# modprobe hel'))).toHaveLength(1);
    expect(await session.run('lo')).toEqual([]);
    expect(await session.run('lsmod | grep -c ^hello')).toEqual(['1']);
  });

  it("prints a kernel message that comes after the prompt (a timer's oops) above the prompt, which is redrawn", async () => {
    await session.type(`call faulty crashInTimer${KEY.enter}`);
    const lines = await session.screen.until((now) => now.at(-1) === PROMPT && /oops in faulty\.timer: crashed in a timer$/.test(now.at(-2)!));
    expect(lines.slice(-4, -2)).toEqual(['keel# call faulty crashInTimer', '"the timer crashes in a moment"']);
  });

  it('abandons the line being typed on Ctrl-C: ^C, a fresh prompt, nothing run', async () => {
    await session.type('echo never');
    await session.type(KEY.ctrlC);
    const lines = await session.screen.until((now) => now.at(-1) === PROMPT && now.at(-2) === 'keel# echo never^C');
    expect(lines).not.toContain('never');
    expect(await session.run('echo next')).toEqual(['next']);
  });

  it('abandons a command that waits on Ctrl-C: the shell holds nothing, and the late result is dropped with a line in dmesg', async () => {
    await session.type(`call deferred wait${KEY.enter}`);
    await session.screen.until((lines) => lines.at(-1) === '' && lines.at(-2) === 'keel# call deferred wait');
    await session.type(KEY.ctrlC);
    const lines = await session.screen.until((now) => now.at(-1) === PROMPT && now.at(-2) === '^C');
    expect(lines.at(-3)).toBe('keel# call deferred wait');
    expect(await session.run('lsmod | grep ^deferred')).toEqual([expect.stringMatching(/^deferred\s+\d+\s+0$/)]);
    // The abandoned call runs on; once finish() settles it, its result goes to dmesg, not the screen.
    expect(await session.run('call deferred finish')).toEqual(['1']);
    expect(await session.run('echo still running')).toEqual(['still running']);
    expect(session.screen.lines()).not.toContain('"finished"');
    expect(await session.run('dmesg | grep -c "deferred.wait returned after shell abandoned the call: result dropped"')).toEqual(['1']);
    expect(await session.run('rmmod deferred')).toEqual([]);
  });

  it('shows lines typed ahead after their prompt, and runs them in order', async () => {
    const before = session.screen.lines().length - 1;
    await session.type(`echo one${KEY.enter}echo two${KEY.enter}`);
    const lines = await session.screen.until((now) => now.slice(before).filter((line) => line === PROMPT).length === 1 && now.includes('two'));
    // The terminal echoes what is typed while a command runs, as a tty does; the shell shows it again when it takes it.
    expect(lines.slice(before)).toEqual(['keel# echo one', 'echo two', 'one', 'keel# echo two', 'two', PROMPT]);
  });

  it.each([
    ['a command', '', 'lsm', 'keel# lsmod '],
    ['a module in the ramdisk, for modprobe', '', 'modprobe hel', 'keel# modprobe hello '],
    ['a module for modinfo', '', 'modinfo swapp', 'keel# modinfo swappy'],
    ["a module's export, for call", '', 'call hello gr', 'keel# call hello greet '],
    ['a loaded module, for rmmod', 'modprobe hello', 'rmmod hel', 'keel# rmmod hello '],
    ['a path, for cat', '', 'cat /proc/mo', 'keel# cat /proc/modules '],
    ['a directory, for ls', '', 'ls /pr', 'keel# ls /proc/'],
    ['a version, for swap', 'modprobe swappy', 'swap swappy 2', 'keel# swap swappy 2.0.0 '],
    ['a path after a redirect', '', 'echo x >/tm', 'keel# echo x >/tmp/'],
  ])('completes %s on Tab', async (_case, setup, typed, completed) => {
    if (setup) await session.run(setup);
    await session.type(typed);
    await session.screen.until(() => session.screen.cursorLine() === `keel# ${typed}`);
    await session.type(KEY.tab);
    await session.screen.until(() => session.screen.cursorLine() === completed);
    await session.type(KEY.ctrlC);
    await session.screen.until((lines) => lines.at(-1) === PROMPT);
  });

  it('lists the candidates on a second Tab: the loaded modules rmmod could unload, and not others (nor the permanent ones)', async () => {
    await session.run('modprobe hello; modprobe swappy');
    expect(await session.run('lsmod | grep -c permanent')).toEqual(['3']);
    await session.type(`rmmod ${KEY.tab}${KEY.tab}`);
    const lines = await session.screen.until((now) => now.some((line) => /\bswappy\b/.test(line) && /\bhello\b/.test(line)));
    const listing = lines.find((line) => /\bswappy\b/.test(line))!;
    expect(listing).not.toMatch(/\bkv\b/);
    // Loaded, but without an exit: rmmod could never unload them.
    expect(listing).not.toMatch(/\b(kernel|sysinfo|shell)\b/);
    await session.type(KEY.ctrlC);
    await session.screen.until((now) => now.at(-1) === PROMPT);
  });
});

describe.each(Object.keys(TERMINALS))('ending a session at a terminal (%s)', (kind) => {
  it('Ctrl-D halts the machine on an empty line only, with status 0 even after a failed command', async () => {
    const session = await startSession(kind);
    expect(await session.run('modprobe nosuch')).toEqual(["modprobe: ERROR: could not insert 'nosuch': module nosuch not found in the ramdisk"]);
    await session.type(`ls${KEY.ctrlD}mod`);
    await session.screen.until(() => session.screen.cursorLine() === 'keel# lsmod');
    await session.type(KEY.ctrlU + KEY.ctrlD);
    expect(await session.machine.halted).toBe(0);
  });

  it('halt ends it with status 0, even after a failed command', async () => {
    const session = await startSession(kind);
    await session.run('frobnicate');
    await session.type(`halt${KEY.enter}`);
    expect(await session.machine.halted).toBe(0);
  });
});
