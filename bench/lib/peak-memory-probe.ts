/*
 * Run as a process of its own by figures/peak-memory.ts:
 *
 *   node --expose-gc --import tsx bench/lib/peak-memory-probe.ts DIST MODULE...
 *
 * Boots the boot.img and initrd.cpio in DIST in a 64 MiB machine, modprobes each MODULE, and
 * prints as JSON its resident set size before power-on, after, its peak, and how many of the
 * modules lsmod then lists (the peak as probe-machine.ts reads it).
 */
import { peakRss, probeMachine } from './probe-machine.ts';

const [dist, ...modules] = process.argv.slice(2);
if (!dist) throw new Error('usage: peak-memory-probe.ts DIST MODULE...');

const beforeBoot = process.memoryUsage.rss();
const { machine, untilPrompt } = probeMachine(dist, 64 * 1024 * 1024);

await untilPrompt();
for (const name of modules) await untilPrompt(`modprobe ${name}`);
const lsmod = await untilPrompt('lsmod');
const loaded = modules.filter((name) => new RegExp(`^${name}\\s`, 'm').test(lsmod)).length;
const afterBoot = process.memoryUsage.rss();
const peak = peakRss();
machine.console.endInput();
await machine.halted;
process.stdout.write(JSON.stringify({ beforeBoot, afterBoot, peak, loaded }));
