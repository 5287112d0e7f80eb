/*
 * Runs one figure and prints its result as JSON; bench/run.ts starts one such process per
 * figure, so that no figure measures a heap, a JIT or an event loop that an earlier one left
 * behind (import() code that is never freed, dozens of booted and halted machines).
 *
 *   node --expose-gc --experimental-vm-modules --import tsx bench/run-figure.ts ID [--quick]
 */
import { parseArgs } from 'node:util';
import { FIGURES } from './figures/index.ts';
import { collectGarbage } from './lib/host.ts';

const { values, positionals } = parseArgs({ options: { quick: { type: 'boolean', default: false } }, allowPositionals: true });
const measure = FIGURES[positionals[0] ?? ''];
if (!measure) throw new Error(`usage: run-figure.ts ID [--quick]; ID is one of ${Object.keys(FIGURES).join(', ')}`);
collectGarbage();
process.stdout.write(JSON.stringify(await measure({ quick: values.quick })));
