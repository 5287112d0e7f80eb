/*
 * The watcher's picture of one machine (web/watcher/memory-picture.ts), against a frame table
 * and doorbell written the way the kernel writes them (boot/frame-allocator.ts): the first
 * update holds every frame; a change rings the doorbell and is sent, but only once the page
 * has drawn the update before, folded together with everything that came meanwhile; owner
 * names travel with the frames, and the lines typed at the prompt with their times (what a
 * typed command changes waits for the machine's answer, or COMMAND_HOLD_MS); a `drawn`
 * for an update that is not being drawn is refused; and a module event the kernel did not
 * write is refused and logged, never sent; a host that cannot measure its code bytes sends null,
 * which the chart samples carry as null.
 */
import { describe, expect, it, vi } from 'vitest';
import type { PictureUpdate } from '../../protocol/messages.ts';
import { COMMAND_HOLD_MS } from '../answer-hold.ts';
import { MemoryPicture } from '../memory-picture.ts';

function machineMemory(frames: number) {
  const frameTable = new Int32Array(new SharedArrayBuffer(frames * 4));
  const doorbell = new Int32Array(new SharedArrayBuffer(4));
  /** What the frame allocator does: write the owners, then ring. */
  const mark = (first: number, count: number, owner: number) => {
    frameTable.fill(owner, first, first + count);
    Atomics.add(doorbell, 0, 1);
    Atomics.notify(doorbell, 0);
  };
  return { frameTable, doorbell, mark };
}

function watchedPicture() {
  const sent: PictureUpdate[] = [];
  const logged: string[] = [];
  let waiting: (() => void) | null = null;
  const picture = new MemoryPicture({
    send(update) {
      sent.push(update);
      waiting?.();
    },
    log: (line) => logged.push(line),
  });
  /** Resolves with the next update sent. */
  const next = () => new Promise<PictureUpdate>((resolve) => (waiting = () => ((waiting = null), resolve(sent.at(-1)!))));
  return { picture, sent, logged, next };
}

const event = (kind: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event: kind, module: { id: 5, name: 'kv', version: '1.0.0' }, modules: [{ id: 5, data: 6, name: 'kv', version: '1.0.0', state: 'Live', users: [], imports: [] }], zombies: [], ...extra });

describe('MemoryPicture', () => {
  it('sends every frame first, then what the doorbell says changed, one update per drawing', async () => {
    const memory = machineMemory(32);
    const { picture, sent, next } = watchedPicture();
    memory.mark(0, 4, 1);
    picture.nameOwner(1, 'firmware', 'firmware');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.owners).toEqual([{ id: 1, kind: 'firmware', label: 'firmware' }]);
    picture.attach(memory.frameTable, memory.doorbell);
    expect(sent).toHaveLength(1);
    expect(picture.drawn(1)).toBe(true);
    expect(sent[1]!.runs).toEqual([0, 4, 1, 4, 28, 0]);
    expect(picture.drawn(2)).toBe(true);

    const loaded = next();
    memory.mark(10, 3, 5);
    expect((await loaded).runs).toEqual([10, 3, 5]);
    // While the page draws update 3, changes wait, and are folded into one update after it.
    memory.mark(13, 1, 6);
    picture.nameOwner(5, 'text', 'kv');
    picture.moduleEvent(event('loaded'));
    memory.mark(10, 3, 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(3);
    const folded = next();
    expect(picture.drawn(3)).toBe(true);
    const update = await folded;
    expect(update.runs).toEqual([10, 3, 0, 13, 1, 6]);
    expect(update.owners).toEqual([{ id: 5, kind: 'text', label: 'kv' }]);
    expect(update.events).toMatchObject([{ event: 'loaded', id: 5, name: 'kv', version: '1.0.0' }]);
    expect(update.table?.modules.map((row) => row.name)).toEqual(['kv']);
    expect(picture.statistics.updates).toBe(3);
    picture.stop();
  });

  it('refuses a drawn for an update that is not being drawn', () => {
    const memory = machineMemory(8);
    const { picture } = watchedPicture();
    picture.attach(memory.frameTable, memory.doorbell);
    expect(picture.drawn(2)).toBe(false);
    expect(picture.drawn(1)).toBe(true);
    expect(picture.drawn(1)).toBe(false);
    picture.stop();
  });

  it('never sends an owner named and forgotten between two updates, and sends the forgetting of one the page knows', () => {
    const memory = machineMemory(8);
    const { picture, sent } = watchedPicture();
    picture.attach(memory.frameTable, memory.doorbell);
    picture.nameOwner(7, 'text', 'hello');
    picture.nameOwner(8, 'data', 'hello');
    picture.forgetOwner(8);
    picture.drawn(1);
    expect(sent[1]!.owners).toEqual([{ id: 7, kind: 'text', label: 'hello' }]);
    expect(sent[1]!.forgotten).toEqual([]);
    picture.forgetOwner(7);
    picture.drawn(2);
    expect(sent[2]!.forgotten).toEqual([7]);
    picture.stop();
  });

  it('sends the lines typed at the prompt, stamped, with the next update rather than one of their own, each cut to 256 characters', () => {
    let clock = 0;
    const sent: PictureUpdate[] = [];
    const picture = new MemoryPicture({ send: (update) => sent.push(update), log: () => {}, now: () => clock });
    clock = 7;
    picture.command('modprobe kv');
    expect(sent).toHaveLength(0);
    picture.moduleEvent(event('loaded'));
    // What the command changed waits for the machine's answer.
    expect(sent).toHaveLength(0);
    picture.answered();
    expect(sent[0]!.commands).toEqual([{ time: 7, line: 'modprobe kv' }]);
    clock = 9;
    picture.command('swap kv');
    picture.command(`echo ${'x'.repeat(1000)}`);
    picture.answered();
    expect(sent).toHaveLength(1);
    picture.drawn(1);
    // Nothing else changed: they wait for what does.
    expect(sent).toHaveLength(1);
    picture.nameOwner(8, 'data', 'kv');
    expect(sent[1]!.commands.map((command) => [command.time, command.line.length])).toEqual([[9, 7], [9, 256]]);
    picture.drawn(2);
    picture.moduleEvent(event('loaded'));
    expect(sent[2]!.commands).toEqual([]);
    picture.stop();
  });

  it('keeps what a typed command changes until the machine answers it, or COMMAND_HOLD_MS, whichever comes first', () => {
    vi.useFakeTimers();
    try {
      const sent: PictureUpdate[] = [];
      const picture = new MemoryPicture({ send: (update) => sent.push(update), log: () => {} });
      picture.command('modprobe kv');
      picture.moduleEvent(event('loaded'));
      vi.advanceTimersByTime(COMMAND_HOLD_MS - 1);
      expect(sent).toHaveLength(0);
      // A command still running after the hold: its changes show without waiting for its end.
      vi.advanceTimersByTime(1);
      expect(sent).toHaveLength(1);
      picture.answered();
      expect(sent).toHaveLength(1);
      picture.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('measures the delay from a frame change to the drawing of the update that carries it', async () => {
    let clock = 0;
    const memory = machineMemory(8);
    let waiting: (() => void) | null = null;
    const picture = new MemoryPicture({ send: () => waiting?.(), log: () => {}, now: () => clock });
    picture.attach(memory.frameTable, memory.doorbell);
    clock = 2;
    picture.drawn(1);
    clock = 5;
    const sent = new Promise<void>((resolve) => (waiting = resolve));
    memory.mark(0, 3, 3);
    await sent;
    clock = 40;
    picture.drawn(2);
    expect(picture.statistics.delays).toEqual([2, 35]);
    expect(picture.statistics.framesRedrawn).toBe(8 + 3);
    picture.stop();
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['an unknown event', event('exploded'), 'unknown event "exploded"'],
    ['a module without a name', JSON.stringify({ event: 'loaded', module: { id: 5, version: '1' }, modules: [], zombies: [] }), 'module.name is not a string of at most 256 characters'],
    ['a table that is not an array', event('loaded', { modules: {} }), 'modules is not an array'],
    ['a user id that is no id', event('users', { modules: [{ id: 5, data: 6, name: 'kv', version: '1', state: 'Live', users: [-1], imports: [] }] }), 'modules[0].users[0] is not an owner id'],
    ['a zombie whose holder is no string', event('zombie', { zombies: [{ id: 5, name: 'kv', version: '1', holder: 42 }] }), 'zombies[0].holder is not a string of at most 2048 characters'],
    ['a name of a megabyte', event('loaded', { module: { id: 5, name: 'k'.repeat(1 << 20), version: '1' } }), 'module.name is not a string of at most 256 characters'],
  ])('refuses and logs a module event that is %s', (_case, json, reason) => {
    const { picture, sent, logged } = watchedPicture();
    picture.moduleEvent(json);
    expect(sent).toEqual([]);
    expect(logged).toEqual([`refused a module event from the kernel: ${reason}`]);
  });

  it('samples the chart once the code bytes are heard, and passes on null from a host that cannot measure them (a browser), never a number', () => {
    const memory = machineMemory(8);
    const { picture, sent } = watchedPicture();
    /** The page draws every update as it comes. */
    const drawAll = () => {
      for (let count = -1; count !== sent.length; ) (count = sent.length), picture.drawn(sent.at(-1)!.sequence);
    };
    picture.nameOwner(1, 'firmware', 'firmware');
    picture.attach(memory.frameTable, memory.doorbell);
    drawAll();
    picture.codeBytes(null);
    drawAll();
    const samples = sent.flatMap((update) => update.samples);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((sample) => sample.codeBytes === null)).toBe(true);
  });
});
