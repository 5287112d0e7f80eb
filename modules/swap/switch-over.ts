/*
 * The switch: one synchronous step after which the new version is the module. Importers keep
 * the stubs they hold — the export slots they point at now hold the new functions — every
 * link that led to the old version leads to the new one, and every link it called through is
 * the new version's (a namespace or handle it obtained may live on in the state it handed
 * over); the module's data frames and users move over, and the old version is unloaded, its
 * text frames freed and its code watched until the host collects it. Handles on the objects
 * the migration replaced move to the new version; callbacks the old version handed out, and
 * handles on objects of classes it did not export (which no class of the new version can
 * take), are revoked with it: they would keep its code alive.
 *
 * Nothing here grows with the module's state: it touches slots, links and handles only.
 */
import type { Kernel, LoadedModule } from 'keel:kernel';
import type { InstanceMigration } from './instance-migration.ts';

/** Returns the old version's text frames freed. */
export function switchOver(kernel: Kernel, old: LoadedModule, fresh: LoadedModule, migration: InstanceMigration | null): number {
  // transfer() looks at every frame of the machine: not in the pause of a module that has none.
  if (old.dataOwner.frames > 0) kernel.frames.transfer(old.dataOwner, fresh.dataOwner);
  for (const [first, count] of old.allocations) fresh.allocations.set(first, count);
  old.allocations.clear();

  for (const [symbol, slot] of old.exportSlots) {
    slot.target = fresh.exportSlots.get(symbol)?.target ?? null;
    slot.owner = fresh;
    fresh.exportSlots.set(symbol, slot);
  }
  old.exportSlots = new Map();
  const exportsSlot = old.exportsSlot;
  exportsSlot.target = fresh.exportsSlot.target;
  exportsSlot.owner = fresh;
  fresh.exportsSlot = exportsSlot;
  old.exportsSlot = { target: null, owner: old, symbol: 'exports' };

  const revoked = [];
  for (const reference of old.handedOut) {
    const slot = reference.deref();
    if (!slot) continue;
    if (!migration?.isReplacement(slot.target)) revoked.push(reference);
    else {
      slot.owner = fresh;
      fresh.handedOut.push(reference);
    }
  }
  old.handedOut = revoked;

  // One pass over the table: links into the old version now lead to the new one, and holds
  // the old version took through requestModule are the new one's, like its data frames (its
  // imports it has already taken itself).
  for (const module of kernel.loader.modules.values()) {
    const link = module.links.get(old);
    if (link) {
      link.callee = fresh;
      module.links.delete(old);
      module.links.set(fresh, link);
    }
    if (module.users.has(old) && !old.dependencies.includes(module)) module.users.add(fresh);
  }
  // Where the new version has a link of its own to the same callee, the old one stays out of its
  // table: calls through it work, but a later swap of that callee will not find it to re-point.
  for (const [callee, link] of old.links) {
    link.caller = fresh;
    if (!fresh.links.has(callee)) fresh.links.set(callee, link);
  }
  old.links.clear();
  for (const user of old.users) {
    fresh.users.add(user);
    const position = user.dependencies.indexOf(old);
    if (position >= 0) user.dependencies[position] = fresh;
  }
  old.users.clear();
  fresh.onDemand = old.onDemand;
  fresh.calls = old.calls;
  fresh.state = 'Live';
  kernel.loader.modules.set(fresh.name, fresh);
  old.exit = null;
  return kernel.loader.discard(old);
}
