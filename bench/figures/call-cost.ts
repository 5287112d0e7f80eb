/*
 * Figure 4 — the cost of a call through a stub against a direct call, measured inside the
 * kernel: bench-caller calls bench-callee's exports through the stubs its import gives it and
 * the same functions compiled into itself directly, for a trivial function, one that takes
 * about a microsecond (calibrated on the machine) and an async one (awaited). Each is measured
 * before any swap, after one swap of the callee and after 100 (a call site may deoptimize when
 * its target changes), then after one swap of the kernel and after 100 (the GOT re-pointed). Targets: a stub adds at most 10 ns to the trivial call and 40 ns to the
 * awaited one, and the ~1 µs function stays within 1.05× of a direct call. The floor is the
 * direct call too: no call costs less, so every row's floor column reads as figure 3's does.
 */
import { bootKernel, type TestKernel } from '../../test/harness.ts';
import { compare, withFloor, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { callJson, WITH_BENCH_FIXTURES } from '../lib/kernel-session.ts';

interface CallCost {
  direct: number;
  stub: number;
  calls: number;
  stubBursts: number[];
}

const TARGETS = { trivial: 10, asynchronous: 40 };
const SPIN_RATIO = 1.05;
const CALLEE_VERSIONS = ['2.0.0', '1.0.0'];

const met = (good: boolean) => (good ? 'met' : 'NOT met');

/** Swaps bench-callee there and back until it has been swapped `count` times. */
async function swapCallee(kernel: TestKernel, count: number, done: { swaps: number }): Promise<void> {
  for (; count > 0; count--, done.swaps++) await kernel.swap('bench-callee', CALLEE_VERSIONS[done.swaps % 2]);
}

export async function callCost({ quick }: FigureOptions): Promise<Figure> {
  const calls = quick ? 100_000 : 1_000_000;
  const rounds = quick ? 3 : 5;
  const bursts = quick ? 2 : 5;
  const kernel = await bootKernel({ build: WITH_BENCH_FIXTURES });
  const rows: Row[] = [];
  const measure = async (when: string) => {
    const { spinIterations, results } = await callJson<{ spinIterations: number; results: Record<string, CallCost> }>(kernel, `bench-caller measure ${calls} ${rounds} 0 0 ${bursts}`);
    // The direct call is both what a stub competes with and the least a call can cost: baseline and floor.
    const row = (label: string, cost: CallCost, target: string) =>
      withFloor(compare(`${label}, ${when}`, cost.stub, cost.direct, 'ns/call', rounds * bursts, `stub adds ${(cost.stub - cost.direct).toFixed(1)} ns; ${cost.calls.toLocaleString('en-US')} calls a round, the least of ${bursts} bursts of ${rounds} rounds (through the stub: ${cost.stubBursts.map((each) => each.toFixed(1)).join(', ')} ns); ${target}`), cost.direct);
    const { trivial, spin, asynchronous } = results as Record<'trivial' | 'spin' | 'asynchronous', CallCost>;
    rows.push(
      row('trivial function (value + 1)', trivial, `target ≤ ${TARGETS.trivial} ns added: ${met(trivial.stub - trivial.direct <= TARGETS.trivial)}`),
      row(`~1 µs function (loop of ${spinIterations})`, spin, `target ≤ ${SPIN_RATIO}×: ${met(spin.stub / spin.direct <= SPIN_RATIO)}`),
      row('async function, awaited', asynchronous, `target ≤ ${TARGETS.asynchronous} ns added: ${met(asynchronous.stub - asynchronous.direct <= TARGETS.asynchronous)}`),
    );
  };
  const done = { swaps: 0 };
  await measure('before any swap');
  await swapCallee(kernel, 1, done);
  await measure('after 1 swap of the callee');
  await swapCallee(kernel, quick ? 9 : 99, done);
  await measure(`after ${done.swaps} swaps of the callee`);
  // The kernel swapped under the calls: the stubs are the caller's PLT, re-pointed through the GOT.
  await kernel.swap('kernel', '1.1.0');
  await measure('after 1 swap of the kernel');
  const kernelSwaps = quick ? 9 : 99;
  for (let swap = 0; swap < kernelSwaps; swap++) await kernel.swap('kernel', swap % 2 === 0 ? '1.0.0' : '1.1.0');
  await measure(`after ${kernelSwaps + 1} swaps of the kernel`);
  await kernel.halt();
  return {
    number: 4,
    id: 'call-cost',
    title: 'Call cost through a stub',
    baseline: 'a direct call of the same function',
    floor: 'the direct call (the baseline itself: nothing calls for less)',
    rows,
  };
}
