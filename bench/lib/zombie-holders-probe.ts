/*
 * Run as a process of its own by figures/zombie-holders.ts:
 *
 *   node --expose-gc --experimental-vm-modules --import tsx bench/lib/zombie-holders-probe.ts DIST report|snapshot MODULE...
 *
 * Boots the build in DIST, modprobes every MODULE, makes a zombie on purpose (zholder keeps a
 * function of zvictim, which is unloaded) and waits until the kernel has found it. Then, once:
 * `report` asks the shell's `zombies zvictim` (the kernel's search: its code taken from its
 * WeakRefs, a machine timer, the snapshot read as it streams, the search, the words) and
 * times it from the line typed to the answer; `snapshot` takes the same heap snapshot the way
 * any tool would (the inspector's chunks joined into one text), the baseline. Prints as JSON the
 * milliseconds, the snapshot's size and the peak host memory the step took above the resident
 * set before it: VmHWM, reset just before the step through /proc/self/clear_refs.
 */
import inspector from 'node:inspector';
import { peakRss, probeMachine, resetPeak } from './probe-machine.ts';

const [dist, mode, ...modules] = process.argv.slice(2);
if (!dist || (mode !== 'report' && mode !== 'snapshot')) throw new Error('usage: zombie-holders-probe.ts DIST report|snapshot MODULE...');

const { machine, untilPrompt } = probeMachine(dist);

await untilPrompt();
for (const name of modules) await untilPrompt(`modprobe ${name}`);
await untilPrompt(`modprobe zholder; call zholder keep '"zvictim"'; rmmod zvictim`);
while (!/zvictim 1\.0\.0 is a zombie/.test(await untilPrompt('dmesg'))) await new Promise((resolve) => setTimeout(resolve, 50));
const lsmod = await untilPrompt('lsmod');
const loaded = lsmod.split('\n').length - 2;

(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage.rss();
resetPeak();
const started = performance.now();
let snapshotBytes = 0;
let answer = '';
if (mode === 'report') answer = await untilPrompt('zombies zvictim');
else {
  const session = new inspector.Session();
  session.connect();
  const chunks: string[] = [];
  session.on('HeapProfiler.addHeapSnapshotChunk', (message) => chunks.push(message.params.chunk));
  session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.disconnect();
  const text = chunks.join('');
  chunks.length = 0;
  snapshotBytes = text.length;
}
const milliseconds = performance.now() - started;
const peakExtra = peakRss() - before;
machine.console.endInput();
await machine.halted;
process.stdout.write(JSON.stringify({ milliseconds, peakExtra, snapshotBytes, answer: answer.trim(), loaded }));
