/*
 * Figure 4 — the cost of a call through a stub against a direct call, measured inside the
 * kernel: bench-caller calls bench-callee's exports through the stubs its import gives it and
 * the same functions compiled into itself directly, for a trivial function, one that takes
 * about a microsecond (calibrated on the machine) and an async one (awaited). The target
 * for the ~1 µs function is at most 1.1× a direct call.
 */
import { bootKernel } from '../../test/harness.ts';
import { compare, type Figure, type FigureOptions } from '../lib/figure.ts';
import { callJson, WITH_BENCH_FIXTURES } from '../lib/kernel-session.ts';

interface CallCost {
  direct: number;
  stub: number;
  calls: number;
}

const TARGET_RATIO = 1.1;

export async function callCost({ quick }: FigureOptions): Promise<Figure> {
  const calls = quick ? 100_000 : 1_000_000;
  const rounds = quick ? 3 : 9;
  const kernel = await bootKernel({ build: WITH_BENCH_FIXTURES });
  const { spinIterations, results } = await callJson<{ spinIterations: number; results: Record<string, CallCost> }>(kernel, `bench-caller measure ${calls} ${rounds}`);
  await kernel.halt();
  const row = (label: string, cost: CallCost, note = '') =>
    compare(label, cost.stub, cost.direct, 'ns/call', rounds, `stub adds ${(cost.stub - cost.direct).toFixed(0)} ns; ${cost.calls.toLocaleString('en-US')} calls a round${note}`);
  const spin = results.spin!;
  const verdict = spin.stub / spin.direct <= TARGET_RATIO ? 'met' : 'NOT met';
  return {
    number: 4,
    id: 'call-cost',
    title: 'Call cost through a stub',
    baseline: 'a direct call of the same function',
    rows: [
      row('trivial function (value + 1)', results.trivial!),
      row(`~1 µs function (loop of ${spinIterations})`, spin, `; target ≤ ${TARGET_RATIO}×: ${verdict}`),
      row('async function, awaited', results.asynchronous!),
    ],
  };
}
