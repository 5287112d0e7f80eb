/*
 * Moving live objects to the new version (K42's factory): every instance of one of the old
 * version's exported classes — handed out to other modules, or in the state it hands over —
 * gets the prototype of the new version's class of the same name, then that class's static
 * migrateInstance(instance, fromVersion) if it has one. Objects keep their identity, so every
 * reference to them, in any module, now runs the new code. Undoable until the switch.
 */
import type { LoadedModule } from 'keel:kernel';

interface Migration {
  instance: object;
  from: object;
}

/** The old version's exported classes, by prototype. */
function exportedClasses(exports: Record<string, unknown>): Map<object, string> {
  const classes = new Map<object, string>();
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value === 'function' && value.prototype && Object.getOwnPropertyNames(value.prototype).length > 1) classes.set(value.prototype, name);
  }
  return classes;
}

/** Instances of `classes` reachable from `root` through arrays, plain objects, Maps and Sets. */
function collect(root: unknown, classes: Map<object, string>, found: Set<object>, seen = new Set<object>()): void {
  if (root === null || typeof root !== 'object' || seen.has(root)) return;
  seen.add(root);
  const prototype = Object.getPrototypeOf(root);
  if (classes.has(prototype)) found.add(root);
  if (root instanceof Map) for (const [key, value] of root) (collect(key, classes, found, seen), collect(value, classes, found, seen));
  else if (root instanceof Set || Array.isArray(root)) for (const value of root) collect(value, classes, found, seen);
  else if (prototype === Object.prototype || prototype === null || classes.has(prototype)) for (const value of Object.values(root)) collect(value, classes, found, seen);
}

export class InstanceMigration {
  readonly #done: Migration[] = [];
  readonly #instances = new Set<object>();
  readonly #classes: Map<object, string>;

  constructor(old: LoadedModule, state: unknown) {
    this.#classes = exportedClasses(old.exportsSlot.target ?? {});
    if (this.#classes.size === 0) return;
    for (const reference of old.handedOut) collect(reference.deref()?.target, this.#classes, this.#instances);
    collect(state, this.#classes, this.#instances);
  }

  get count(): number {
    return this.#instances.size;
  }

  /** Why the new version cannot take these objects, or null. */
  problem(fresh: LoadedModule): string | null {
    const exports = fresh.exportsSlot.target ?? {};
    for (const instance of this.#instances) {
      const name = this.#classes.get(Object.getPrototypeOf(instance))!;
      if (typeof exports[name] !== 'function') return `${fresh.name} ${fresh.record.version} has no class ${name} for the ${name} objects the old version handed out`;
    }
    return null;
  }

  apply(fresh: LoadedModule, fromVersion: string): void {
    const exports = fresh.exportsSlot.target;
    for (const instance of this.#instances) {
      const from = Object.getPrototypeOf(instance);
      const target = exports[this.#classes.get(from)!] as { prototype: object; migrateInstance?: (instance: object, fromVersion: string) => void };
      this.#done.push({ instance, from });
      Object.setPrototypeOf(instance, target.prototype);
      try {
        target.migrateInstance?.(instance, fromVersion);
      } catch (error) {
        throw new Error(`${fresh.record.version} ${this.#classes.get(from)}.migrateInstance failed: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  undo(): void {
    for (const { instance, from } of this.#done.reverse()) Object.setPrototypeOf(instance, from);
    this.#done.length = 0;
  }
}
