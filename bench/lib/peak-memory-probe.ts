/*
 * Run as a process of its own by figures/peak-memory.ts:
 *
 *   node --expose-gc --import tsx bench/lib/peak-memory-probe.ts DIST MODULE...
 *
 * Boots the boot.img and initrd.cpio in DIST in a 64 MiB machine, modprobes each MODULE, and
 * prints as JSON its resident set size before power-on, after, its peak, and how many of the
 * modules lsmod then lists.
 *
 * The peak is VmHWM from /proc/self/status, not resourceUsage().maxRSS: on Linux a child's
 * maxRSS starts from its parent's RSS at fork and survives exec, so a probe spawned by a large
 * benchmark process would report the benchmark's peak. maxRSS is the fallback elsewhere.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Machine } from '../../emulator/machine.ts';

const PROMPT = 'keel# ';

function peakRss(): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  } catch {
    return process.resourceUsage().maxRSS * 1024;
  }
}
const [dist, ...modules] = process.argv.slice(2);
if (!dist) throw new Error('usage: peak-memory-probe.ts DIST MODULE...');

const beforeBoot = process.memoryUsage.rss();
let output = '';
let atPrompt = () => {};
const machine = new Machine({
  image: readFileSync(path.join(dist, 'boot.img')),
  initrd: readFileSync(path.join(dist, 'initrd.cpio')),
  memoryBytes: 64 * 1024 * 1024,
  output: (text) => {
    output += text;
    if (output.endsWith(PROMPT)) atPrompt();
  },
});

/** Types a line (or, without one, powers on) and returns what was printed up to the next prompt. */
async function untilPrompt(line?: string): Promise<string> {
  const start = output.length;
  const prompt = new Promise<void>((resolve) => (atPrompt = resolve));
  if (line === undefined) machine.powerOn();
  else machine.console.type(line);
  await prompt;
  return output.slice(start);
}

await untilPrompt();
for (const name of modules) await untilPrompt(`modprobe ${name}`);
const lsmod = await untilPrompt('lsmod');
const loaded = modules.filter((name) => new RegExp(`^${name}\\s`, 'm').test(lsmod)).length;
const afterBoot = process.memoryUsage.rss();
const peak = peakRss();
machine.console.endInput();
await machine.halted;
process.stdout.write(JSON.stringify({ beforeBoot, afterBoot, peak, loaded }));
