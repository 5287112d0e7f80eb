/*
 * The reclaim monitor (modules/kernel/reclaim-monitor.ts) on a host that collects garbage only
 * when it chooses (a browser without --expose-gc): it says so once, claims no zombie, lists the
 * code let go of as waiting for the host's collector — and still reports the code reclaimed
 * once the collector runs (here node's own gc, called as the browser's would run on its own).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { MachineInterface } from '../../../emulator/machine-interface.ts';
import type { KernelLog } from '../kernel-log.ts';
import { ReclaimMonitor, type ReclaimTable } from '../reclaim-monitor.ts';

const collect = (globalThis as { gc?: () => void }).gc!;

function monitorOnAHostWithoutGc() {
  const lines: string[] = [];
  const timer = {
    now: () => performance.now(),
    setTimer: (callback: () => void, milliseconds: number) => setTimeout(callback, milliseconds) as unknown as number,
    clearTimer: (id: number) => clearTimeout(id),
  };
  const machine = { timer, host: { collectGarbage: () => false } } as unknown as MachineInterface;
  const log = { printk: (line: string) => lines.push(line) } as unknown as KernelLog;
  const table: ReclaimTable = { pending: new Set(), zombies: new Set() };
  const noticed: string[] = [];
  const monitor = new ReclaimMonitor(machine, log, table, (event, code) => noticed.push(`${event} ${code.name}`), async () => [], () => true);
  return { monitor, lines, noticed };
}

describe('the reclaim monitor on a host that collects only when it chooses', () => {
  it('says so, claims no zombie, lists the code as waiting — and reports it reclaimed when the collector runs', async () => {
    const { monitor, lines, noticed } = monitorOnAHostWithoutGc();
    (() => monitor.watch('hello', '1.0.0', [new Function('return 1')]))();
    while (monitor.checking) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines).toEqual(['keel: reclaim: the host collects garbage only when it chooses: unloaded code is reported reclaimed when its collector runs, and no zombie is claimed']);
    expect(monitor.waitingForHost.map((code) => code.name)).toEqual(['hello']);
    expect(monitor.zombies.size).toBe(0);
    for (let round = 0; round < 10 && monitor.pending.size > 0; round++) {
      collect();
      await nextTurn();
    }
    expect(lines).toContain('keel: hello 1.0.0: code reclaimed by the host');
    expect(noticed).toEqual(['reclaimed hello']);
    expect(monitor.waitingForHost).toEqual([]);
  });
});
