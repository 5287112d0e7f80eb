/*
 * Figure 7 — peak host memory (RSS) of the emulator running a 64 MiB machine with every
 * module of the normal build loaded, each run in a fresh process (bench/lib/peak-memory-probe.ts),
 * against a bare `node -e ""` and against the probe's own RSS before power-on (node, tsx and
 * the emulator's code). The machine's memory is one zero-filled allocation the OS backs
 * lazily, so only frames the kernel touches count.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build, PROJECT_ROOT } from '../../build.ts';
import { compare, type Figure, type FigureOptions } from '../lib/figure.ts';
import { temporaryDirectory } from '../lib/generate-modules.ts';
import { median, repeat } from '../lib/statistics.ts';

const PROBE = path.join(PROJECT_ROOT, 'bench/lib/peak-memory-probe.ts');
const MIB = 1024 ** 2;
/** A bare node process printing its peak RSS, read the way the probe reads its own. */
const BARE_NODE = `let peak; try { peak = Number(/VmHWM:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; } catch { peak = process.resourceUsage().maxRSS * 1024; } process.stdout.write(String(peak));`;

interface ProbeResult {
  beforeBoot: number;
  afterBoot: number;
  peak: number;
  loaded: number;
}

function runNode(args: string[]): string {
  const result = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

export async function peakMemory({ quick }: FigureOptions): Promise<Figure> {
  const runs = quick ? 1 : 3;
  const dist = temporaryDirectory('rss');
  try {
    const built = await build({ outDir: dist, quiet: true });
    const names = [...new Set(built.modules.map(({ record }) => record.name))];
    const probes = await repeat(runs, async () => JSON.parse(runNode(['--expose-gc', '--experimental-vm-modules', '--import', 'tsx', PROBE, dist, ...names])) as ProbeResult);
    const bare = await repeat(runs, async () => Number(runNode(['-e', BARE_NODE])));
    const peak = median(probes.map((probe) => probe.peak)) / MIB;
    const loaded = `${median(probes.map((probe) => probe.loaded))} of ${names.length} modules loaded`;
    return {
      number: 7,
      id: 'peak-memory',
      title: 'Peak host memory (RSS), 64 MiB machine, every module loaded',
      baseline: 'a bare node process; the probe before power-on',
      rows: [
        compare('peak RSS vs a bare node process', peak, median(bare) / MIB, 'MiB', runs, loaded),
        compare('peak RSS vs the same process before power-on', peak, median(probes.map((probe) => probe.beforeBoot)) / MIB, 'MiB', runs,
          `RSS after boot and modprobes ${(median(probes.map((probe) => probe.afterBoot)) / MIB).toFixed(1)} MiB; before = node + tsx + emulator code`),
      ],
    };
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}
