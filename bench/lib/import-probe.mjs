/*
 * The import() baseline, run as a plain node process of its own (no tsx: its loader hooks
 * would add about half a millisecond to every import()):
 *
 *   node --expose-gc bench/lib/import-probe.mjs DIR [--collect-each | --serve]
 *
 * Imports DIR's warm-up-*.mjs files, then each measured-*.mjs file in name order, timing each
 * import() (after a full GC with --collect-each). Prints as JSON the milliseconds per measured
 * import and how much compiled code and heap the measured imports left behind after GC,
 * settled as bench/lib/host.ts does (a turn, two full GCs, a pause; eight times).
 *
 * With --serve, after the warm-up it imports one file per line read from its standard input
 * (a file name in DIR), after a full GC, and answers each with a line: the milliseconds it took.
 * The benchmark then times keel's loads and these imports in turns, in the same seconds.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapCodeStatistics, getHeapStatistics } from 'node:v8';

const [directory, option] = process.argv.slice(2);
const files = (prefix) => readdirSync(directory).filter((name) => name.startsWith(prefix)).sort().map((name) => pathToFileURL(path.join(directory, name)).href);

async function settledHeap() {
  for (let round = 0; round < 8; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const code = getHeapCodeStatistics();
  return { codeBytes: code.bytecode_and_metadata_size + code.code_and_metadata_size, heapBytes: getHeapStatistics().used_heap_size };
}

for (const url of files('warm-up-')) await import(url);
if (option === '--serve') {
  const { createInterface } = await import('node:readline');
  for await (const name of createInterface({ input: process.stdin })) {
    globalThis.gc();
    const start = performance.now();
    await import(pathToFileURL(path.join(directory, name)).href);
    process.stdout.write(`${performance.now() - start}\n`);
  }
  process.exit(0);
}
const before = await settledHeap();
const milliseconds = [];
for (const url of files('measured-')) {
  if (option === '--collect-each') globalThis.gc();
  const start = performance.now();
  await import(url);
  milliseconds.push(performance.now() - start);
}
const after = await settledHeap();
process.stdout.write(JSON.stringify({ milliseconds, codeBytes: after.codeBytes - before.codeBytes, heapBytes: after.heapBytes - before.heapBytes }));
