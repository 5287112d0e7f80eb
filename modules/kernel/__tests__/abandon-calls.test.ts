/*
 * Tests abandonCalls (stubs.ts) on the real call path — stubs.ts's core behind a GOT, each
 * module's own PLT — without a machine: the calls a module abandons stop counting on both
 * ends, their late settlements count nothing and are logged once each, the code that awaited
 * them never resumes, a call held by a swap and abandoned meanwhile never starts, and calls
 * made afterwards count and settle as before.
 */
import { describe, expect, it } from 'vitest';
import { createGot, type Got } from '../got.ts';
import { compilePlt } from '../plt.ts';
import type { Slot, StubOwner } from '../call-path.ts';
import { abandonCalls, callPathEntries, connectStubs, linkBetween, stubTables } from '../stubs.ts';

type Owner = StubOwner & { state: string };

const turn = () => new Promise((resolve) => setImmediate(resolve));

function setUp() {
  const tables = stubTables();
  const logged: string[] = [];
  const word = new Int32Array(1);
  connectStubs(tables, word, (module, symbol) => logged.push(`oops in ${module}.${symbol}`), (line) => logged.push(line), (owner) => owner.plt!);
  const got = createGot(callPathEntries({} as Got['api'], () => undefined));
  const owner = (name: string, id: number): Owner => {
    const module: Owner = { name, id, state: 'Live', calls: 0, active: 0, pending: 0, holding: null, exportSlots: new Map(), exportsSlot: null!, handedOut: [], links: new Map(), plt: null };
    module.plt = compilePlt(got, tables.wrappers, word, `${name}/1.0.0`);
    return module;
  };
  const caller = owner('shell', 1);
  const callee = owner('kv', 2);
  const settles: Array<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  const slot: Slot = { target: () => new Promise((resolve, reject) => settles.push({ resolve, reject })), owner: callee, symbol: 'wait' };
  const stub = caller.plt!.makeStub(slot, linkBetween(caller, callee)) as () => Promise<unknown>;
  return { logged, caller, callee, settles, stub };
}

describe('abandonCalls', () => {
  it('takes the calls in flight off both ends; their late outcomes count nothing, are logged, and resume nobody', async () => {
    const { logged, caller, callee, settles, stub } = setUp();
    let resumed = 0;
    void stub().then(() => resumed++, () => resumed++);
    void stub().then(() => resumed++, () => resumed++);
    expect([callee.pending, caller.pending]).toEqual([2, 2]);
    expect(abandonCalls(caller)).toBe(2);
    expect([callee.pending, caller.pending]).toEqual([0, 0]);
    expect(abandonCalls(caller)).toBe(0);
    settles[0]!.resolve('late');
    settles[1]!.reject(new Error('late failure'));
    await turn();
    expect([callee.pending, caller.pending, resumed]).toEqual([0, 0, 0]);
    expect(logged).toEqual([
      'keel: kv.wait returned after shell abandoned the call: result dropped',
      'oops in kv.wait',
      'keel: kv.wait failed after shell abandoned the call: error dropped',
    ]);
    // A call made now counts, and settles for its caller.
    const next = stub();
    expect([callee.pending, caller.pending]).toEqual([1, 1]);
    settles[2]!.resolve('on time');
    expect(await next).toBe('on time');
    expect([callee.pending, caller.pending]).toEqual([0, 0]);
  });

  it('a call a swap holds, abandoned meanwhile, never starts once the hold is let go', async () => {
    const { caller, callee, settles, stub } = setUp();
    const first = stub();
    settles[0]!.resolve('learned it is async');
    await first;
    let release!: () => void;
    callee.holding = new Promise<void>((resolve) => (release = resolve));
    let resumed = 0;
    void stub().then(() => resumed++);
    expect(abandonCalls(caller)).toBe(0);
    callee.holding = null;
    release();
    await turn();
    expect([settles.length, resumed, callee.pending, caller.pending, callee.calls]).toEqual([1, 0, 0, 0, 1]);
  });
});
