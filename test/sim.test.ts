/*
 * The deterministic simulation (npm run sim, sim/): a fixed set of seeds passes with every
 * invariant checked after every step, a seed replays exactly (same trace hash), and an
 * invariant broken on purpose is caught, named with its seed and step, and replays. Then the
 * swap bugs the simulation found, each pinned in a few shell commands.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';
import { failureLine } from '../sim/report.ts';
import { buildSimulation } from '../sim/build-simulation.ts';
import { runSeed, runSeedInThread, type SeedOptions, type SimulationImage } from '../sim/run-seed.ts';
import { bootKernel } from './harness.ts';

const STEPS = 2000;
/** Every kind of fault the driver injects (sim/modules/sim-driver/injected-faults.ts): each strikes in each seed's run. */
const FAULT_KINDS = [
  'init', 'async-init', 'slow-init', 'self-unload', 'self-request', 'export', 'import', 'async-export', 'async-import',
  'exit', 'async-exit', 'async-timer', 'throwing-then', 'throwing-then-class', 'time-limit',
];
let image: SimulationImage;

beforeAll(async () => {
  image = await buildSimulation();
});

/** "passed", or the failure line, so that a failing seed shows how to replay it. */
async function verdict(options: SeedOptions) {
  const result = await runSeed(image, options);
  return { result, verdict: result.ok ? 'passed' : failureLine(result, options) };
}

describe('npm run sim', () => {
  it.each([1, 2, 3, 4, 5])(`seed %i passes ${STEPS} steps, faults injected along the way`, async (seed) => {
    const { result, verdict: outcome } = await verdict({ seed, steps: STEPS });
    expect(outcome).toBe('passed');
    expect(Object.values(result.operations).reduce((sum, count) => sum + count, 0)).toBe(STEPS);
    expect(result.operations.kernelSwap).toBeGreaterThan(0);
    expect(result.operations.concurrentSwaps).toBeGreaterThan(0);
    expect(Object.keys(result.faults)).toEqual(expect.arrayContaining([...FAULT_KINDS, 'out-of-memory', 'stale-reference']));
  });

  it('replays a seed exactly: the same trace hash here and in a fresh thread, another for another seed', async () => {
    const first = await runSeed(image, { seed: 42, steps: STEPS });
    const second = await runSeedInThread(image, { seed: 42, steps: STEPS });
    const other = await runSeed(image, { seed: 43, steps: STEPS });
    expect(first.ok && second.ok && other.ok).toBe(true);
    expect(second.trace).toBe(first.trace);
    expect(second.virtualMs).toBe(first.virtualMs);
    expect(other.trace).not.toBe(first.trace);
  });

  it.each(['frames', 'refcount', 'ledger'])('catches a broken %s invariant at its step, and the replay line reproduces it', async (kind) => {
    const options = { seed: 7, steps: 400, break: `${kind}@150` };
    const { verdict: line } = await verdict(options);
    expect(line).toMatch(new RegExp(`^sim: seed 7 failed at step 150: ${kind}: .+ — replay: npm run sim -- --seed 7 --steps 151 --break ${kind}@150$`));
    const replayed = await verdict({ ...options, steps: 151 });
    expect(replayed.verdict).toBe(line);
  });
});

describe('what the simulation found in swap', () => {
  const boot = () => bootKernel({ modules: [path.join(PROJECT_ROOT, 'sim/modules')] });

  it('keeps a requestModule hold of the swapped module: sim-store stays in use by the new sim-client, which calls through the namespace handed over', async () => {
    const kernel = await boot();
    await kernel.run('modprobe sim-client; call sim-client borrow; call sim-store put 1 k0 \'"v"\'');
    expect(await kernel.swap('sim-client', '2.0.0')).toMatch(/^swap: sim-client 1\.0\.0 -> 2\.0\.0: quiescent/);
    expect(await kernel.run('call sim-client readBorrowed 2 k0')).toBe('"v"\n');
    expect(await kernel.run('rmmod sim-store')).toMatch(/^rmmod: ERROR: Module sim-store is in use by: (sim-relay sim-client|sim-client sim-relay)$/m);
    await kernel.halt();
  });

  it('refuses a version that imports what the loaded version of its dependency lacks', async () => {
    const kernel = await boot();
    await kernel.run('modprobe sim-relay 2.0.0; swap sim-store 2.0.0; swap sim-store 3.0.0');
    await expect(kernel.swap('sim-relay', '1.0.0')).rejects.toThrow(
      new Error('swap: sim-relay: refused, nothing changed: sim-relay 1.0.0 imports legacyGet from sim-store, which sim-store 3.0.0 does not export'),
    );
    await kernel.halt();
  });

  it('refuses to load a module importing what the loaded version of its dependency lacks, and changes nothing', async () => {
    const kernel = await boot();
    await kernel.run('modprobe sim-store 3.0.0');
    const before = [await kernel.run('lsmod'), await kernel.frames()];
    expect(await kernel.run('modprobe sim-relay 1.0.0')).toBe("modprobe: ERROR: could not insert 'sim-relay': sim-relay: sim-store 3.0.0 does not export legacyGet\n");
    expect([await kernel.run('lsmod'), await kernel.frames()]).toEqual(before);
    await kernel.halt();
  });
});
