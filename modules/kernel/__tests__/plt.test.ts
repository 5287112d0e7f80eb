/*
 * Tests a module's PLT (modules/kernel/plt.ts) against a GOT of recording functions: the
 * common call done inline (counted, the watchdog word written and restored, nothing asked of
 * the GOT), every rare case handed to the GOT, a promise counted pending on callee and caller
 * until it settles, the GOT re-pointed under stubs already made (a kernel swap), and the
 * keel:kernel object refusing a module that was unloaded, and the PLT compiled at a module's
 * first need, not at its load.
 */
import { describe, expect, it } from 'vitest';
import { createGot, pointGot, type Got } from '../got.ts';
import { compilePlt, pltOf, requireFor } from '../plt.ts';
import type { ModuleRecord } from '../../../ramdisk/module-index.ts';
import type { Link, Slot, StubOwner } from '../call-path.ts';

type Owner = StubOwner & { state: string };

function owner(name: string, id: number): Owner {
  return { name, id, state: 'Live', calls: 0, active: 0, pending: 0, holding: null, exportSlots: new Map(), exportsSlot: null!, handedOut: [], links: new Map(), plt: null };
}

/** A GOT whose every entry says it was asked, and answers `tag`. */
function recordingGot(tag: string, asked: string[]): Got {
  const entry = (name: string) => (...args: unknown[]) => (asked.push(`${tag}.${name}`), name === 'wrap' ? { wrapped: args[1] } : `${tag}.${name}`);
  return {
    call: entry('call'), thrown: (_link, _slot, _member, error) => (asked.push(`${tag}.thrown`), { crossed: error }), result: entry('result'), unreadable: () => new Error('unreadable'),
    late: (_link, _slot, _member, outcome, failed) => (asked.push(`${tag}.late ${failed ? 'failed' : 'returned'} ${String(outcome)}`), new Promise<never>(() => {})),
    wrap: entry('wrap') as Got['wrap'], wrapBack: entry('wrapBack'), target: entry('target'), exportValue: entry('exportValue'), unloadedUse: (module, name) => new Error(`${module.name}.kernel.${name} refused`),
    require: entry('require'), api: { printk: (module: StubOwner, first: unknown) => `${tag} printk for ${module.name}: ${String(first)}` },
  };
}

function setUp() {
  const asked: string[] = [];
  const got = createGot(recordingGot('core1', asked));
  const word = new Int32Array(1);
  const plt = compilePlt(got, new WeakSet(), word, 'test/1.0.0');
  const caller = owner('caller', 3);
  const callee = owner('callee', 7);
  const link: Link = { caller, callee, wrapped: new WeakMap(), waiting: { count: 0, abandoned: false } };
  const slotOf = (target: unknown): Slot => ({ target, owner: callee, symbol: 'f' });
  return { asked, got, word, plt, caller, callee, link, slotOf };
}

describe('a module\'s PLT', () => {
  it('does the common call inline: counts it, writes and restores the watchdog word, asks the GOT nothing', () => {
    const { asked, word, plt, callee, link, slotOf } = setUp();
    word[0] = 1;
    let seen: number[] = [];
    const stub = plt.makeStub(slotOf((value: number) => ((seen = [word[0]!, callee.active]), value * 2 + word[0]!)), link);
    expect(stub(2)).toBe(11);
    expect(seen).toEqual([7, 1]);
    expect([callee.calls, callee.active, word[0]]).toEqual([1, 0, 1]);
    expect(asked).toEqual([]);
    // A result that is an object is wrapped by the core.
    expect(plt.makeStub(slotOf(() => [1]), link)()).toBe('core1.result');
    expect(asked).toEqual(['core1.result']);
  });

  it('hands every rare case to the GOT: an object argument, `this`, `new`, a hold, an empty slot, an unloaded caller, an exception', () => {
    const { asked, plt, caller, callee, link, slotOf } = setUp();
    const stub = plt.makeStub(slotOf(() => 1), link);
    expect(stub({})).toBe('core1.call');
    expect(stub.call({}, 1)).toBe('core1.call');
    expect(new (stub as unknown as new () => object)()).toBeTypeOf('object');
    callee.holding = Promise.resolve();
    expect(stub(1)).toBe('core1.call');
    callee.holding = null;
    caller.state = 'Unloaded';
    expect(stub(1)).toBe('core1.call');
    caller.state = 'Live';
    expect(plt.makeStub(slotOf(null), link)(1)).toBe('core1.call');
    const failing = plt.makeStub(slotOf(() => { throw new RangeError('no'); }), link);
    expect(() => failing()).toThrow(expect.objectContaining({ crossed: expect.any(RangeError) }));
    expect(callee.active).toBe(0);
    expect(asked).toEqual(['core1.call', 'core1.call', 'core1.call', 'core1.call', 'core1.call', 'core1.call', 'core1.thrown']);
  });

  it('counts a promise pending on callee and caller until it settles, and wraps its value on the way back', async () => {
    const { plt, caller, callee, link, slotOf } = setUp();
    let settle!: (value: unknown) => void;
    const stub = plt.makeStub(slotOf(() => new Promise((resolve) => (settle = resolve))), link);
    const answer = stub();
    expect([callee.pending, caller.pending, callee.active]).toEqual([1, 1, 0]);
    settle({ deep: true });
    expect(await answer).toEqual({ wrapped: { deep: true } });
    expect([callee.pending, caller.pending]).toEqual([0, 0]);
    const rejected = plt.makeStub(slotOf(async () => Promise.reject(new Error('late'))), link)();
    await expect(rejected).rejects.toEqual({ crossed: expect.any(Error) });
    expect([callee.pending, caller.pending]).toEqual([0, 0]);
  });

  it('counts nothing when a call of an abandoned batch settles, and hands its outcome to got.late; calls after it count again', async () => {
    const { asked, plt, caller, callee, link, slotOf } = setUp();
    const settles: Array<[(value: unknown) => void, (error: unknown) => void]> = [];
    const stub = plt.makeStub(slotOf(() => new Promise((resolve, reject) => settles.push([resolve, reject]))), link);
    let resumed = 0;
    void (stub() as Promise<unknown>).then(() => resumed++, () => resumed++);
    void (stub() as Promise<unknown>).then(() => resumed++, () => resumed++);
    expect([link.waiting.count, callee.pending, caller.pending]).toEqual([2, 2, 2]);
    // What abandonCalls (stubs.ts) does to the batch, without the core.
    const abandoned = link.waiting;
    abandoned.abandoned = true;
    callee.pending -= abandoned.count;
    caller.pending -= abandoned.count;
    link.waiting = { count: 0, abandoned: false };
    const later = stub();
    expect([link.waiting.count, callee.pending, caller.pending]).toEqual([1, 1, 1]);
    settles[0]![0]('first');
    settles[1]![1]('second');
    settles[2]![0]('third');
    expect(await later).toBe('third');
    await new Promise((resolve) => setImmediate(resolve));
    expect([link.waiting.count, callee.pending, caller.pending, resumed]).toEqual([0, 0, 0, 0]);
    expect(asked).toEqual(['core1.late returned first', 'core1.late failed second']);
  });

  it('reaches the new core once the GOT is re-pointed, through stubs and kernel objects made before', () => {
    const { asked, got, plt, link, slotOf } = setUp();
    const stub = plt.makeStub(slotOf(() => 1), link);
    const api = plt.makeKernelApi(link.caller, ['printk'], { cmdline: 'quiet' }) as { printk(message: string): string; cmdline: string };
    expect(api.printk('hi')).toBe('core1 printk for caller: hi');
    pointGot(got, recordingGot('core2', asked));
    expect(stub({})).toBe('core2.call');
    expect(api.printk('hi')).toBe('core2 printk for caller: hi');
    expect(api.cmdline).toBe('quiet');
    (link.caller as Owner).state = 'Unloaded';
    expect(() => api.printk('late')).toThrow('caller.kernel.printk refused');
  });

  it('makes frozen namespaces with no prototype, a stub for each function and a getter through the GOT for each other export', () => {
    const { plt, link, slotOf } = setUp();
    const namespace = plt.makeNamespace(link, [['f', slotOf(() => 5)], ['limit', null]], slotOf({ limit: 3 }));
    expect(Object.getPrototypeOf(namespace)).toBeNull();
    expect(Object.isFrozen(namespace)).toBe(true);
    // As a bundle calls an import, `(0, namespace.f)()`: no `this`, the inline path.
    const { f } = namespace as { f: () => number };
    expect(f()).toBe(5);
    expect((namespace.f as () => number)()).toBe('core1.call');
    expect(namespace.limit).toBe('core1.exportValue');
  });

  it('is compiled at the module\'s first need, once; its require, compiled apart, asks the GOT', () => {
    const asked: string[] = [];
    const got = createGot(recordingGot('core1', asked));
    const module = { ...owner('needy', 5), record: { name: 'needy', version: '1.0.0' } as ModuleRecord };
    const require = requireFor(module, got);
    expect(require('keel:kernel')).toBe('core1.require');
    expect(module.plt).toBeNull();
    const sources = { got, tables: { stubs: { wrappers: new WeakSet<object>() } }, machine: { watchdog: { running: new Int32Array(1) } } };
    const plt = pltOf(module, sources);
    expect(pltOf(module, sources)).toBe(plt);
    expect(module.plt).toBe(plt);
  });
});
