/*
 * The invariants checked after every step, each throwing a Violation named after it:
 *
 *   frames      used + free = total; every owner of frames is a boot region or a live module's
 *               text or data; a module's text frames fit its bundle, its data frames are its
 *               kalloc blocks
 *   tables      every loaded module is Live, linked to the live versions of exactly the modules
 *               it imports, and holds links to live modules only
 *   refcount    each module's users are exactly the loaded modules importing it, the driver
 *               while it holds it, sim-client while it borrows sim-store, and the fixtures
 *               whose init requested INIT_HELPER
 *   quiescence  nothing on a module's stack and no swap hold between steps; each module counts
 *               exactly the async calls in flight that the driver's calls keep pending (so a
 *               promise whose `then` threw left no count raised)
 *   ledger      no run by code that is not live, none after its call returned
 *   oops        the faults the step injected were reported — oopses, exits that failed — and
 *               nothing else was (log-watch.ts)
 *   lifecycle   no fixture was told anything the step that armed it did not check
 *   lsmod       sysinfo's view (what lsmod prints) agrees with the loader's table
 *   reclaim     no unloaded module is a zombie (its code still held by the host) — not even
 *               a sim-store version whose Tally objects live on in the driver's hands
 */
import { INIT_HELPER, takeViolations } from 'keel:sim-control';
import { checkAnswers } from './injected-faults.ts';
import { modules as lsmod } from 'keel:sysinfo';
import { Violation } from './violation.ts';
import type { FrameOwner, World } from './world.ts';

const names = (items: Iterable<{ name: string }>) => [...items].map((item) => item.name).sort();

/** Who must be using `name`: importers, the driver while it holds it, sim-client while it borrows sim-store, INIT_HELPER's holders. */
export function expectedUsers(world: World, name: string): string[] {
  const users = new Set([...world.kernel.loader.modules.values()].filter((module) => module.record.depends.includes(name)).map((module) => module.name));
  if (world.holds.has(name)) users.add('sim-driver');
  if (name === 'sim-store' && world.borrowing) users.add('sim-client');
  if (name === INIT_HELPER) for (const holder of world.helperHolders) users.add(holder);
  return [...users].sort();
}

function checkFrames(world: World): void {
  const { frames, loader } = world.kernel;
  const live = new Set<FrameOwner>();
  for (const module of loader.modules.values()) live.add(module.textOwner).add(module.dataOwner);
  const owners = new Set(frames.ownerList());
  let used = 0;
  for (const owner of owners) {
    used += owner.frames;
    if (!live.has(owner) && !world.bootOwners.has(owner)) {
      throw new Violation('frames', `${owner.frames} frames are owned by ${owner.kind} of ${owner.label}, which is no live module nor a boot region`);
    }
  }
  if (used + frames.free !== frames.total) throw new Violation('frames', `${used} used + ${frames.free} free != ${frames.total} total`);
  for (const module of loader.modules.values()) {
    if (!owners.has(module.textOwner) || !owners.has(module.dataOwner)) throw new Violation('frames', `${module.name}'s frame owners are gone from the allocator`);
    const text = Math.max(1, Math.ceil(module.record.size / 4096));
    if (module.textOwner.frames !== text) throw new Violation('frames', `${module.name} has ${module.textOwner.frames} text frames for a ${module.record.size}-byte bundle`);
    const data = [...module.allocations.values()].reduce((sum, { count }) => sum + count, 0);
    if (module.dataOwner.frames !== data) throw new Violation('frames', `${module.name} owns ${module.dataOwner.frames} data frames but its kalloc blocks hold ${data}`);
  }
}

function checkTables(world: World): void {
  const { modules } = world.kernel.loader;
  for (const [name, module] of modules) {
    if (module.name !== name || module.state !== 'Live') throw new Violation('tables', `${name} is listed in state ${module.state} as ${module.name}`);
    const wanted = module.record.depends.map((dependency) => modules.get(dependency));
    if (wanted.length !== module.dependencies.length || wanted.some((dependency) => !dependency || !module.dependencies.includes(dependency))) {
      throw new Violation('tables', `${name} imports [${module.record.depends.join(', ')}] but is linked to [${module.dependencies.map((dependency) => `${dependency.name} ${dependency.record.version}${modules.get(dependency.name) === dependency ? '' : ' (gone)'}`).join(', ')}]`);
    }
    for (const [callee, link] of module.links) {
      if (modules.get(callee.name) !== callee || link.callee !== callee || link.caller !== module) throw new Violation('tables', `${name} keeps a link to ${callee.name}, which is not its live version`);
    }
  }
}

function checkRefcounts(world: World): void {
  const { modules } = world.kernel.loader;
  for (const [name, module] of modules) {
    const actual = names(module.users);
    const expected = expectedUsers(world, name);
    if (actual.join() !== expected.join()) throw new Violation('refcount', `${name} is used by [${actual.join(', ')}], expected [${expected.join(', ')}]`);
    for (const user of module.users) if (modules.get(user.name) !== user) throw new Violation('refcount', `${name} counts a user ${user.name} that is not live`);
  }
}

function checkQuiescence(world: World): void {
  for (const [name, module] of world.kernel.loader.modules) {
    if (module.active !== 0) throw new Violation('quiescence', `${name} counts ${module.active} activations on the stack between steps`);
    if (module.holding) throw new Violation('quiescence', `${name} is held by a swap between steps`);
    const pending = world.pending.get(name) ?? 0;
    if (module.pending !== pending) throw new Violation('quiescence', `${name} counts ${module.pending} async calls in flight, the driver's calls in flight keep ${pending} pending`);
  }
}

function checkLsmod(world: World): void {
  const modules = [...world.kernel.loader.modules.values()];
  const all = lsmod();
  const zombies = all.filter((row) => row.state === 'Zombie');
  if (zombies.length > 0) throw new Violation('reclaim', `zombies: ${zombies.map((row) => `${row.name} ${row.version}`).join(', ')}`);
  const rows = all.filter((row) => row.state !== 'Zombie');
  if (rows.map((row) => row.name).join() !== modules.map((module) => module.name).join()) {
    throw new Violation('lsmod', `lsmod lists [${rows.map((row) => row.name).join(', ')}], the loader [${modules.map((module) => module.name).join(', ')}]`);
  }
  rows.forEach((row, index) => {
    const module = modules[index]!;
    const seen = [row.version, row.size, row.refcount, [...row.users].sort().join(), row.state, row.permanent, row.onDemand].join(' ');
    const truth = [module.record.version, world.framesOf(module) * 4096, module.users.size, names(module.users).join(), module.state, module.permanent, module.onDemand].join(' ');
    if (seen !== truth) throw new Violation('lsmod', `lsmod shows ${row.name} as ${seen}, the loader as ${truth}`);
  });
}

export function checkInvariants(world: World): void {
  if (world.deferred) throw world.deferred;
  const ledger = takeViolations();
  if (ledger.length > 0) throw new Violation('ledger', ledger.join('; '));
  checkFrames(world);
  checkTables(world);
  checkRefcounts(world);
  checkQuiescence(world);
  checkLsmod(world);
  world.log.check();
  checkAnswers('between steps', []);
}
