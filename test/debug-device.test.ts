/*
 * The kernel's frame table as a debugger reads it (the debug device: emulator/devices/
 * debug-device.ts, boot/frame-allocator.ts, boot/module-events.ts), through a real boot: the
 * table the machine handed the kernel holds, frame by frame, exactly the owners the kernel's
 * own accounting lists (sysinfo's memoryInfo, what `free` prints); the doorbell rings with
 * each change; and the module events say what happened — a load, an unload and its
 * reclamation, a swap, a swap rolled back (the staged version unloaded, no swap), a hold by
 * the shell during a call, a zombie — each with the module table as lsmod shows it then; and a
 * swap of the kernel itself hands the device over: the same table, the events going on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleEvent } from '../emulator/machine-interface.ts';
import { bootKernel, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel;
const names = new Map<number, string>();
const events: ModuleEvent[] = [];
let heard: (() => void) | null = null;

/** Resolves with the first event from `since` on that `matches`. */
async function eventAfter(since: number, matches: (event: ModuleEvent) => boolean): Promise<ModuleEvent> {
  for (;;) {
    const found = events.slice(since).find(matches);
    if (found) return found;
    await new Promise<void>((resolve) => (heard = resolve));
  }
}

/** The frames of each owner, from the table alone, by the names the kernel gave their ids. */
function tableCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of kernel.machine.debug.frameTable) {
    if (id === 0) continue;
    const name = names.get(id) ?? `unnamed ${id}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** The same from the kernel's own accounting, as `free` gets it. */
async function accountedCounts(): Promise<Map<string, number>> {
  const info = JSON.parse(await kernel.run('call sysinfo memoryInfo')) as { owners: { kind: string; label: string; frames: number }[] };
  const counts = new Map<string, number>();
  for (const { kind, label, frames } of info.owners) if (frames > 0) counts.set(`${kind} ${label}`, (counts.get(`${kind} ${label}`) ?? 0) + frames);
  return counts;
}

beforeAll(async () => {
  kernel = await bootKernel({
    build: WITH_FIXTURES,
    debugListener: {
      nameOwner: (id, kind, label) => names.set(id, `${kind} ${label}`),
      forgetOwner: (id) => names.delete(id),
      moduleEvent(json) {
        events.push(JSON.parse(json) as ModuleEvent);
        heard?.();
      },
    },
  });
});

afterAll(() => kernel.machine.panic('test over'));

describe('the debug device', () => {
  it('holds, frame by frame, the owners the kernel accounts for, and rings its doorbell on each change', async () => {
    expect(tableCounts()).toEqual(await accountedCounts());
    const rings = Atomics.load(kernel.machine.debug.doorbell, 0);
    await kernel.run('modprobe rootfs');
    expect(Atomics.load(kernel.machine.debug.doorbell, 0)).toBeGreaterThan(rings);
    expect(tableCounts().get('text rootfs')).toBeGreaterThan(80);
    expect(tableCounts()).toEqual(await accountedCounts());
    await kernel.run('rmmod rootfs');
    expect(tableCounts().has('text rootfs')).toBe(false);
    expect(tableCounts()).toEqual(await accountedCounts());
  });

  it('reports a load, an unload and the reclamation of its code, with the table after each', async () => {
    const since = events.length;
    await kernel.run('modprobe kv');
    const loaded = await eventAfter(since, (event) => event.event === 'loaded' && event.module.name === 'kv');
    const row = loaded.modules.find((module) => module.name === 'kv')!;
    // kv imports only keel:kernel: the kernel module, which lists kv among its users.
    const kernelRow = loaded.modules.find((module) => module.name === 'kernel')!;
    expect(row).toMatchObject({ id: loaded.module.id, version: '1.0.0', state: 'Live', users: [], imports: [kernelRow.id] });
    expect(kernelRow.users).toContain(row.id);
    expect(names.get(row.id)).toBe('text kv');
    expect(names.get(row.data)).toBe('data kv');
    await kernel.run('rmmod kv');
    // Events of kv's own: the code of a module an earlier test unloaded may be reclaimed meanwhile.
    const ofKv = (event: ModuleEvent) => event.module.id === loaded.module.id;
    const unloading = await eventAfter(since, (event) => event.event === 'unloading' && ofKv(event));
    expect(unloading.modules.find((module) => module.name === 'kv')?.state).toBe('Unloading');
    const unloaded = await eventAfter(since, (event) => event.event === 'unloaded' && ofKv(event));
    expect(unloaded.module).toEqual(loaded.module);
    expect(unloaded.modules.some((module) => module.name === 'kv')).toBe(false);
    expect(names.has(row.id)).toBe(false);
    expect(await eventAfter(since, (event) => event.event === 'reclaimed' && ofKv(event))).toMatchObject({ module: loaded.module });
  });

  it('reports a swap as the old version swapped out, the new one in the table; a rolled-back swap as its staged version unloaded', async () => {
    await kernel.run('modprobe kv');
    const since = events.length;
    expect(await kernel.run('swap kv')).toMatch(/^swap: kv 1\.0\.0 -> 2\.0\.0: quiescent/);
    const swapped = await eventAfter(since, (event) => event.event === 'swapped');
    expect(swapped.module).toMatchObject({ name: 'kv', version: '1.0.0' });
    expect(swapped.modules.find((module) => module.name === 'kv')).toMatchObject({ version: '2.0.0', state: 'Live' });
    expect(events.slice(since).filter((event) => event.module.name === 'kv').map((event) => event.event)).toEqual(['loaded', 'swapped']);

    await kernel.run('modprobe swappy');
    const before = events.length;
    expect(await kernel.run('swap swappy 4.0.0')).toMatch(/rolled back/);
    const swappyEvents = events.slice(before).filter((event) => event.module.name === 'swappy');
    expect(swappyEvents.map((event) => [event.event, event.module.version])).toEqual([['loaded', '4.0.0'], ['unloaded', '4.0.0']]);
    expect(swappyEvents.at(-1)!.modules.find((module) => module.name === 'swappy')?.version).not.toBe('4.0.0');
  });

  it('reports the shell as a user of a module while a call into it runs, and not after', async () => {
    const since = events.length;
    await kernel.run('call kv set colour blue');
    const users = events.slice(since).filter((event) => event.event === 'users' && event.module.name === 'kv');
    const shell = users[0]!.modules.find((module) => module.name === 'shell')!.id;
    expect(users.map((event) => event.modules.find((module) => module.name === 'kv')!.users)).toEqual([[shell], []]);
  });

  it('is handed over by a kernel swap: the same shared table, exact, its doorbell ringing, and events from the new core — the old one swapped out, then reclaimed', async () => {
    const table = kernel.machine.debug.frameTable;
    const since = events.length;
    const rings = Atomics.load(kernel.machine.debug.doorbell, 0);
    expect(await kernel.run('swap kernel')).toMatch(/^swap: kernel 1\.0\.0 -> 1\.1\.0: quiescent/);
    const swapped = await eventAfter(since, (event) => event.event === 'swapped' && event.module.name === 'kernel');
    expect(swapped.module.version).toBe('1.0.0');
    const kernelRow = swapped.modules.find((module) => module.name === 'kernel')!;
    expect(kernelRow).toMatchObject({ version: '1.1.0', state: 'Live' });
    expect(kernelRow.users).toContain(swapped.modules.find((module) => module.name === 'shell')!.id);
    expect(names.get(kernelRow.id)).toBe('text kernel');
    expect(names.has(swapped.module.id)).toBe(false);
    expect(kernel.machine.debug.frameTable).toBe(table);
    expect(Atomics.load(kernel.machine.debug.doorbell, 0)).toBeGreaterThan(rings);
    expect(tableCounts()).toEqual(await accountedCounts());
    await eventAfter(since, (event) => event.event === 'reclaimed' && event.module.id === swapped.module.id);
    // The new core reports what it does, and keeps the table exact.
    const after = events.length;
    await kernel.run('modprobe hello; rmmod hello');
    await eventAfter(after, (event) => event.event === 'unloaded' && event.module.name === 'hello');
    expect(tableCounts()).toEqual(await accountedCounts());
  });

  it('reports a zombie, and lists it beside the module table from then on', async () => {
    const since = events.length;
    await kernel.run('modprobe leaky');
    await kernel.run('rmmod leaky');
    const zombie = await eventAfter(since, (event) => event.event === 'zombie');
    // With what holds it, as dmesg says it: the page shows it on the zombie's row.
    expect(zombie.module).toMatchObject({ name: 'leaky', version: '1.0.0', holder: 'held by global leakyHandler (a function of leaky 1.0.0)' });
    expect(zombie.zombies).toContainEqual(zombie.module);
    await kernel.run('modprobe hello');
    const later = await eventAfter(since, (event) => event.event === 'loaded' && event.module.name === 'hello');
    expect(later.zombies).toContainEqual(zombie.module);
  });
});
