/*
 * Moving live objects to the new version (K42's factory, without its leak). Every instance of
 * one of the old version's exported classes — handed out to other modules, or in the state it
 * hands over — is replaced by a new object of the new version's class of the same name, and
 * every reference to it the swap can reach is re-pointed (re-pointing.ts): the handles other
 * modules hold, which keep their identity and now lead to the new object; the links' tables
 * of handles, so that a new object crossing the boundary again comes back as the handle its
 * holder already has; the state and the collections in it; the new objects' own fields.
 *
 * Why new objects and not Object.setPrototypeOf: V8 keeps an object's original constructor in
 * its hidden class, so a re-prototyped object keeps the old class, and with it the old
 * version's code, alive for as long as it lives (docs/design.md). A new object owes the old code
 * nothing. How one object is replaced is object-replacement.ts (copy, or the class's own
 * exportInstance/importInstance); object-replacement.prototype-switch.ts is the old way, kept
 * as the benchmark's baseline.
 *
 *   const migration = InstanceMigration.needed(kernel, old, fresh, state);   // null: nothing to move
 *   migration?.apply(state);       // throws: call undo(), and every old object is as it was
 *   migration?.undo();
 */
import type { Kernel, LoadedModule, StateHandover } from 'keel:kernel';
import { replaceByCopy, type NewClass, type Replace } from './object-replacement.ts';
import { switchPrototype } from './object-replacement.prototype-switch.ts';
import { References } from './re-pointing.ts';

/** How objects are replaced: 'copy' (the default), or the benchmark's 'prototype-switch' baseline. */
export type MigrationMethod = 'copy' | 'prototype-switch';
const METHODS: Record<MigrationMethod, Replace> = { copy: replaceByCopy, 'prototype-switch': switchPrototype };

/**
 * The old version's exported classes, by prototype: classes (whose `prototype` is read-only, as
 * no plain function's is), and functions with methods on their prototype (constructors of old).
 */
function exportedClasses(exports: Record<string, unknown>): Map<object, string> {
  const classes = new Map<object, string>();
  for (const [name, value] of Object.entries(exports)) {
    const prototype = typeof value === 'function' ? Object.getOwnPropertyDescriptor(value, 'prototype') : undefined;
    if (prototype && (!prototype.writable || Object.getOwnPropertyNames(prototype.value).length > 1)) classes.set(prototype.value, name);
  }
  return classes;
}

export class InstanceMigration {
  readonly #kernel: Kernel;
  readonly #old: LoadedModule;
  readonly #fresh: LoadedModule;
  readonly #replace: Replace;
  readonly #classes: Map<object, string>;
  /** Old object → the object that replaces it; and each replacement with its class, in order. */
  readonly #replacements = new Map<object, object>();
  readonly #made = new Map<object, { name: string; target: NewClass }>();
  /** Replacements whose own fields still need re-pointing. */
  readonly #toWalk: object[] = [];
  /** Old objects whose importInstance is under way: meeting one again is a cycle. */
  readonly #building = new Set<object>();
  readonly #references = new References((value) => this.#replacementOf(value));

  /**
   * The migration a swap needs, or null when there is nothing to move: the old version handed
   * out nothing and its state says it holds no objects (`objects: null`), or it exports no
   * class. A swap of a module with plain state — most swaps — then makes none of the
   * machinery below, and does not even read the exports if the state says so.
   */
  static needed(kernel: Kernel, old: LoadedModule, fresh: LoadedModule, state: StateHandover | undefined, method: MigrationMethod = 'copy'): InstanceMigration | null {
    if (old.handedOut.length === 0 && (state === undefined || state.objects === null)) return null;
    const classes = exportedClasses(old.exportsSlot.target ?? {});
    return classes.size === 0 ? null : new InstanceMigration(kernel, old, fresh, classes, method);
  }

  private constructor(kernel: Kernel, old: LoadedModule, fresh: LoadedModule, classes: Map<object, string>, method: MigrationMethod) {
    this.#kernel = kernel;
    this.#old = old;
    this.#fresh = fresh;
    this.#replace = METHODS[method];
    this.#classes = classes;
  }

  /** Objects replaced. */
  get count(): number {
    return this.#replacements.size;
  }

  /** Whether `object` is one of the new objects (a handle leading to it moves to the new version). */
  isReplacement(object: unknown): boolean {
    return this.#made.has(object as object);
  }

  /** Replaces the objects reachable from the handles the old version gave out and from `state`. */
  apply(state: StateHandover | undefined): void {
    for (const reference of this.#old.handedOut) {
      const slot = reference.deref();
      if (!slot || typeof slot.target !== 'object' || slot.target === null) continue;
      const replacement = this.#replacementOf(slot.target);
      if (replacement) this.#references.assign(slot, 'target', replacement);
    }
    if (state?.objects === undefined) {
      if (state) this.#references.within(state);
    } else if (state.objects !== null && typeof state.objects === 'object') {
      this.#references.within(state.objects);
    }
    while (this.#toWalk.length > 0) this.#references.within(this.#toWalk.pop()!);
    this.#repointHandleTables();
    const fromVersion = this.#old.record.version;
    for (const [replacement, { name, target }] of this.#made) {
      try {
        target.migrateInstance?.(replacement, fromVersion);
      } catch (error) {
        throw new Error(`${this.#fresh.record.version} ${name}.migrateInstance failed: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  undo(): void {
    this.#references.undo();
  }

  /** What replaces `value`: made on first sight; undefined if it is no instance of an old class. */
  #replacementOf(value: object): object | undefined {
    const name = this.#classes.get(Object.getPrototypeOf(value));
    if (name === undefined) return undefined;
    const made = this.#replacements.get(value);
    if (made) return made;
    const target = this.#fresh.exportsSlot.target?.[name] as NewClass | undefined;
    if (typeof target !== 'function') throw new Error(`${this.#fresh.name} ${this.#fresh.record.version} has no class ${name} for the ${name} objects the old version handed out`);
    if (this.#building.has(value)) throw new Error(`${name} objects refer to each other in a cycle through importInstance, which cannot be rebuilt`);
    this.#building.add(value);
    try {
      const replacement = this.#replace(value, {
        name, target, fromVersion: this.#old.record.version, toVersion: this.#fresh.record.version,
        repointWithin: (saved) => this.#references.within(saved),
        logUndo: (undo) => this.#references.logUndo(undo),
        walkFieldsLater: (object) => this.#toWalk.push(object),
      });
      this.#replacements.set(value, replacement);
      this.#made.set(replacement, { name, target });
      return replacement;
    } finally {
      this.#building.delete(value);
    }
  }

  /**
   * Each link into the old version keeps the handle it made for each object, keyed by the
   * object: the new object takes over its old one's entry, so that when the new version hands
   * it out again, its holder gets the very handle it holds.
   */
  #repointHandleTables(): void {
    for (const module of this.#kernel.loader.modules.values()) {
      const link = module.links.get(this.#old);
      if (!link) continue;
      const handles = link.wrapped;
      for (const [instance, replacement] of this.#replacements) {
        const handle = handles.get(instance);
        if (handle === undefined || instance === replacement) continue;
        handles.delete(instance);
        handles.set(replacement, handle);
        this.#references.logUndo(() => {
          handles.delete(replacement);
          handles.set(instance, handle);
        });
      }
    }
  }
}
