import { bootKernel } from './test/harness.ts';
import { callJson, WITH_BENCH_FIXTURES } from './bench/lib/kernel-session.ts';
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const entries of [10, 10000]) {
  const kernel = await bootKernel({ build: WITH_BENCH_FIXTURES, cmdline: 'init=shell quiet kv.capacity=2000000 swap.timeout=60000' });
  await kernel.run('modprobe kv; modprobe swap');
  const t: any = await callJson(kernel, `bench-swapper measure ${entries} 21 100 1`);
  if (t.failures.length) console.log('FAIL', t.failures[0]);
  console.log(entries, 'swap', med(t.swapMs).toFixed(3), 'restart', med(t.restartMs).toFixed(3), 'floor', med(t.floorMs).toFixed(3), 'ratio', (med(t.swapMs) / med(t.restartMs)).toFixed(2));
  const names = ['refuse', 'n1','n2','n3','n4','n5','n6','n7','n8','n9','n10','n11','n12', 'ifs', 'target', 'checks', 'stage', 'hold', 'toHeld', 'heldToSwitch', 'switch', 'release', 'steps', 'finish'];
  const d = (t.phases as number[][]).map((p) => p.slice(1).map((x, i) => x - p[i]!));
  console.log('  ', names.map((n, i) => `${n}=${(1000 * med(d.map((x) => x[i]!))).toFixed(0)}`).join(' '));
  await kernel.halt();
}
