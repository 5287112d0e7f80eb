/*
 * Tests the host's side of "what holds this": the snapshot reader (emulator/heap-snapshot.ts)
 * reads the same snapshot whatever its chunks, and the retainer search (heap-retainers.ts)
 * finds, in a real snapshot of this thread, the shortest path from a root to objects of a
 * node:vm realm compiled as keel compiles modules — closure variables, array elements,
 * properties, a Map's key, a WeakMap's value, the realm's global — and names the landmarks.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { heapRetainers } from '../heap-retainers.ts';
import { SnapshotReader } from '../heap-snapshot.ts';
import type { HeapPathStep } from '../machine-interface.ts';

const SNAPSHOT = JSON.stringify({
  snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'object']], edge_fields: ['type', 'name_or_index', 'to_node'], edge_types: [['context', 'element', 'property']] }, node_count: 2, edge_count: 1 },
  nodes: [1, 0, 1, 0, 1, 1, 1, 4294967301, 64, 0],
  edges: [2, 2, 5],
  locations: [0, 1, 2, 3],
  strings: ['', 'Thing', 'field ]"nodes":['],
});

describe('the snapshot reader', () => {
  it.each([1, 2, 7, 50, SNAPSHOT.length])('reads the same snapshot from chunks of %i characters', (size) => {
    const reader = new SnapshotReader();
    for (let at = 0; at < SNAPSHOT.length; at += size) reader.push(SNAPSHOT.slice(at, at + size));
    const snapshot = reader.finish();
    expect([...snapshot.nodes]).toEqual([1, 0, 1, 0, 1, 1, 1, 4294967301, 64, 0]);
    expect([...snapshot.edges]).toEqual([2, 2, 5]);
    expect(snapshot.strings).toEqual(['', 'Thing', 'field ]"nodes":[']);
    expect(snapshot.nodeTypes).toEqual(['hidden', 'object']);
    expect(snapshot.textLength).toBe(SNAPSHOT.length);
  });

  it('says a snapshot that ends early is one', () => {
    const reader = new SnapshotReader();
    reader.push(SNAPSHOT.slice(0, SNAPSHOT.indexOf('"edges"')));
    expect(() => reader.finish()).toThrow('heap snapshot ended early');
  });
});

/** A module as keel compiles it: a function of the realm, its sourceURL naming it. */
function compile(realm: vm.Context, name: string, source: string): Record<string, (...args: unknown[]) => unknown> {
  const module = { exports: {} };
  vm.runInContext('(source) => new Function("module", source)', realm)(`${source}\n//# sourceURL=keel:lib/modules/${name}/1.0.0.js`)(module);
  return module.exports as Record<string, (...args: unknown[]) => unknown>;
}

const words = (path: HeapPathStep[] | null | undefined) => path!.map((step) => `${step.edgeType} ${step.edgeName}${step.mapKey ? ` [${step.mapKey.name}]` : ''} -> ${step.node.type} ${step.node.name}${step.node.script ? ` @${step.node.script}` : ''}${step.node.landmark === undefined ? '' : ` #${step.node.landmark}`}`);

describe('the retainer search', () => {
  it('finds the shortest path from a root, in V8\'s words, with scripts, Map keys and landmarks', () => {
    const realm = vm.createContext(Object.create(null));
    const victim = compile(realm, 'victim', 'module.exports = { gift: () => ({ callback: function victimCallback() {} }) };');
    const holder = compile(realm, 'holder', 'const kept = []; const byName = new Map(); module.exports = { keep: (x) => kept.push(x), file: (name, x) => byName.set(name, x) };');
    // The stack is no root the search follows (the caller's own frames hold what it asks about): a global is.
    const host = globalThis as { heapRetainersTest?: object };
    host.heapRetainersTest = { holder };
    const gift = victim.gift!() as { callback: object };
    holder.keep!(gift);
    const filed = victim.gift!() as { callback: object };
    holder.file!('second', filed);
    const answer = heapRetainers([gift.callback, filed.callback, {}], [holder])!;
    expect(answer.snapshotBytes).toBeGreaterThan(0);
    expect(words(answer.paths[0]).slice(-5)).toEqual([
      'property keep -> closure keep @keel:lib/modules/holder/1.0.0.js',
      'internal context -> object system / Context',
      'context kept -> object Array',
      'element 0 -> object Object',
      'property callback -> closure victimCallback @keel:lib/modules/victim/1.0.0.js',
    ]);
    expect(words(answer.paths[0]).at(-6)).toBe('property holder -> object Object #0');
    expect(words(answer.paths[1]).slice(-3)).toEqual(['internal table -> array ', 'internal 6 [second] -> object Object', 'property callback -> closure victimCallback @keel:lib/modules/victim/1.0.0.js']);
    // Held only by the question itself: no path.
    expect(answer.paths[2]).toBeNull();
    delete host.heapRetainersTest;
  });

  it('names the realm\'s global object by the global proxy the realm\'s code sees, and follows a WeakMap to its value', () => {
    const realm = vm.createContext(Object.create(null));
    const global = vm.runInContext('globalThis', realm) as object;
    const leaky = compile(realm, 'leaky', 'const key = {}; const values = new WeakMap(); globalThis.leakyKey = key; module.exports = { leak: (x) => values.set(key, x) };');
    const kept = { value: 1 };
    leaky.leak!(kept);
    const answer = heapRetainers([kept], [global])!;
    const path = words(answer.paths[0]);
    expect(path.at(-2)).toMatch(/^property leakyKey -> object Object$/);
    expect(path.at(-3)).toMatch(/ #0$/);
    expect(path.at(-1)).toMatch(/^internal \d+ \/ part of key \(Object @\d+\) -> value \(Object @\d+\) pair in WeakMap \(table @\d+\) -> object Object$/);
  });
});
