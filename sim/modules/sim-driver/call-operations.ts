/*
 * The calls the driver makes into the fixtures, synchronous and asynchronous, and the
 * references it keeps past their time. Each operation holds its target (loading it on demand),
 * says from the model what the call must run and answer, calls, and updates the model:
 *
 *   put, get, forward      sim-store directly and through sim-relay (values the driver wrote)
 *   ping, listen, publish  sim-client's callbacks called by sim-relay at once or kept as listeners
 *   tally                  an object handle into sim-store that must survive swaps, not unloads
 *   callback, namespace    callbacks and namespaces kept: they must die with their version or life
 *   borrow                 sim-client's own requestModule hold on sim-store
 *   async                  getLater, forwardLater, pingLater (async-calls.ts)
 */
import { releaseModule, requestModule } from 'keel:kernel';
import type * as Audit from 'keel:sim-audit';
import type * as Client from 'keel:sim-client';
import type * as Relay from 'keel:sim-relay';
import type * as Store from 'keel:sim-store';
import { asyncOperation } from './async-calls.ts';
import { callNow, equals, hold, KEYS, valueOf, type Expectation } from './calls.ts';
import type { World } from './world.ts';

/** How many callbacks, namespaces, tallies and listeners the driver keeps at most. */
const KEEP = 4;
const MAX_LISTENERS = 8;
const PING_ROLES = ['client.ping', 'relay.invoke', 'client.callback'];
const STALE: Expectation = { roles: [], unloaded: true };

const forwardRoles = (world: World) => (world.version('sim-relay') === '1.0.0' ? ['relay.forward', 'store.legacyGet'] : ['relay.forward', 'audit.note', 'store.get']);

/** Holds `name` for a synchronous body; a module that cannot be loaded skips the operation. */
function using<Exports>(world: World, name: string, label: string, body: (exports: Exports) => string): string {
  const exports = hold<Exports>(world, name);
  if (!exports) return `${label}: ${name} not loaded (its load failed or was not attempted)`;
  try {
    return body(exports);
  } finally {
    world.release(name);
  }
}

/** Calls through a namespace the driver kept: it works while the module's life lasts, then throws. */
function useNamespace(world: World): string {
  const kept = world.random.pick(world.namespaces);
  const live = kept.life !== undefined && kept.life === world.life.get(kept.name);
  const key = world.random.pick(KEYS);
  const label = `stale ${kept.name}`;
  if (kept.name === 'sim-store') return callNow(world, label, live ? { roles: ['store.get'], check: equals(valueOf(world, key)) } : STALE, (id) => (kept.exports as typeof Store).get(id, key));
  if (kept.name === 'sim-relay') return callNow(world, label, live ? { roles: forwardRoles(world), check: equals(valueOf(world, key)) } : STALE, (id) => (kept.exports as typeof Relay).forward(id, key));
  if (kept.name === 'sim-client') return callNow(world, label, live ? { roles: PING_ROLES, check: equals(world.version('sim-client')) } : STALE, (id) => (kept.exports as typeof Client).ping(id));
  return callNow(world, label, live ? { roles: ['audit.note'] } : STALE, (id) => (kept.exports as typeof Audit).note(id));
}

export const callOperations = {
  put(world) {
    const key = world.random.pick(KEYS);
    return using<typeof Store>(world, 'sim-store', `put ${key}`, (store) =>
      callNow(world, `put ${key}`, { roles: ['store.put'] }, (id) => {
        store.put(id, key, `v${id}`);
        world.store.set(key, `v${id}`);
        world.writes.set(key, (world.writes.get(key) ?? 0) + 1);
      }),
    );
  },
  get(world) {
    const key = world.random.pick(KEYS);
    return using<typeof Store>(world, 'sim-store', `get ${key}`, (store) => callNow(world, `get ${key}`, { roles: ['store.get'], check: equals(valueOf(world, key)) }, (id) => store.get(id, key)));
  },
  forward(world) {
    const key = world.random.pick(KEYS);
    return using<typeof Relay>(world, 'sim-relay', `forward ${key}`, (relay) =>
      callNow(world, `forward ${key}`, { roles: forwardRoles(world), check: equals(valueOf(world, key)) }, (id) => relay.forward(id, key)),
    );
  },
  ping(world) {
    return using<typeof Client>(world, 'sim-client', 'ping', (client) => callNow(world, 'ping', { roles: PING_ROLES, check: equals(world.version('sim-client')) }, (id) => client.ping(id)));
  },
  listen(world) {
    if (world.listeners.length >= MAX_LISTENERS) return 'listen: enough listeners';
    return using<typeof Client>(world, 'sim-client', 'listen', (client) => {
      const token = world.nextId++;
      client.listen(token);
      world.listeners.push({ token, client: world.incarnation.get('sim-client') });
      return `listen ${token}: ok`;
    });
  },
  publish(world) {
    return using<typeof Relay>(world, 'sim-relay', 'publish', (relay) => {
      const client = world.incarnation.get('sim-client');
      const delivered = world.listeners.filter((listener) => listener.client !== undefined && listener.client === client).map((listener) => listener.token);
      const stale = world.listeners.filter((listener) => !delivered.includes(listener.token)).map((listener) => listener.token);
      const roles = ['relay.publish', ...delivered.map((token) => `client.listener#${token}`)];
      return callNow(world, `publish to ${world.listeners.length}`, { roles, check: equals({ delivered, stale }) }, (id) => {
        const result = relay.publish(id);
        world.listeners = world.listeners.filter((listener) => delivered.includes(listener.token));
        return result;
      });
    });
  },
  tally(world) {
    if (world.tallies.length > 0 && world.random.chance(0.7)) {
      const tally = world.random.pick(world.tallies);
      const live = tally.life !== undefined && tally.life === world.life.get('sim-store');
      return callNow(world, 'tally add', live ? { roles: ['store.tally.add'], check: equals(tally.count + 1) } : STALE, (id) => (tally.count = tally.handle.add(id)));
    }
    return using<typeof Store>(world, 'sim-store', 'open tally', (store) =>
      callNow(world, 'open tally', { roles: ['store.openTally'] }, (id) => {
        world.tallies.push({ handle: store.openTally(id), life: world.life.get('sim-store'), count: 0 });
        if (world.tallies.length > KEEP) world.tallies.shift();
      }),
    );
  },
  callback(world) {
    if (world.callbacks.length > 0 && world.random.chance(0.6)) {
      const kept = world.random.pick(world.callbacks);
      const live = kept.client !== undefined && kept.client === world.incarnation.get('sim-client');
      return callNow(world, 'kept callback', live ? { roles: ['client.made'], check: equals(world.version('sim-client')) } : STALE, (id) => kept.call(id));
    }
    return using<typeof Client>(world, 'sim-client', 'make callback', (client) => {
      world.callbacks.push({ call: client.makeCallback(), client: world.incarnation.get('sim-client') });
      if (world.callbacks.length > KEEP) world.callbacks.shift();
      return 'make callback: ok';
    });
  },
  namespace(world) {
    if (world.namespaces.length > 0 && world.random.chance(0.6)) return useNamespace(world);
    const name = world.random.pick(['sim-store', 'sim-relay', 'sim-client', 'sim-audit']);
    if (!world.loaded(name)) return `keep ${name}: not loaded`;
    let exports = world.holds.get(name)?.exports;
    if (!exports) {
      exports = requestModule(name);
      releaseModule(name);
    }
    world.namespaces.push({ name, exports, life: world.life.get(name) });
    if (world.namespaces.length > KEEP) world.namespaces.shift();
    return `keep ${name}: ok`;
  },
  borrow(world) {
    return using<typeof Client>(world, 'sim-client', 'borrow', (client) => {
      if (!world.borrowing) {
        client.borrow();
        world.borrowing = true;
        return 'borrow: ok';
      }
      if (world.random.chance(0.3)) {
        client.giveBack();
        world.borrowing = false;
        return 'give back: ok';
      }
      const key = world.random.pick(KEYS);
      return callNow(world, `read borrowed ${key}`, { roles: ['client.readBorrowed', 'store.get'], check: equals(valueOf(world, key)) }, (id) => client.readBorrowed(id, key));
    });
  },
  async: asyncOperation,
} satisfies Record<string, (world: World) => string | Promise<string>>;
