/*
 * Re-pointing references: after a swap has made new objects for the old version's, every
 * reference to an old object that the swap can reach must lead to its replacement instead.
 *
 *   const references = new References(replacementOf);
 *   references.within(state);              // arrays, Maps, Sets and plain objects, to any depth
 *   references.assign(slot, 'target', copy);
 *   references.undo();                     // a rollback: every change put back, in reverse
 *
 * `replacementOf(value)` says what stands for `value` (undefined: it is not being replaced).
 * Collections are walked with a stack of their own, not by recursion, so a deep one cannot
 * overflow the call stack; each is visited once, so shared and cyclic ones are fine. Map keys
 * and Set members are re-pointed by rebuilding the collection in its own order. Of an object,
 * only own enumerable data properties are looked at: a getter is not called. Objects of other
 * classes (built-in or not) are not looked into. Every change is logged, so that a
 * rollback finds each collection exactly as it was.
 */

/** What stands for `value` after the swap, or undefined if it is not replaced. */
export type ReplacementOf = (value: object) => object | undefined;

const isObject = (value: unknown): value is object => value !== null && (typeof value === 'object' || typeof value === 'function');

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export class References {
  readonly #undo: Array<() => void> = [];
  readonly #seen = new Set<object>();
  readonly #replacementOf: ReplacementOf;

  constructor(replacementOf: ReplacementOf) {
    this.#replacementOf = replacementOf;
  }

  /** Sets `object[key]` to `value`, logged; throws if the property cannot be written. */
  assign(object: object, key: PropertyKey, value: unknown): void {
    const previous = Reflect.get(object, key);
    if (previous === value) return;
    if (!Reflect.set(object, key, value)) throw new Error(`a replaced object is referenced from a read-only property ${String(key)}, which cannot be re-pointed`);
    this.#undo.push(() => Reflect.set(object, key, previous));
  }

  /** Logs an action's undoing, for changes made elsewhere (a WeakMap entry, a prototype). */
  logUndo(undo: () => void): void {
    this.#undo.push(undo);
  }

  /**
   * Re-points every reference inside `root` — an array, Map, Set, plain object, or an object
   * whose own fields are to be walked (a replacement) — and inside the collections it holds.
   */
  within(root: object): void {
    const stack = [root];
    while (stack.length > 0) {
      const container = stack.pop()!;
      if (this.#seen.has(container)) continue;
      this.#seen.add(container);
      if (Array.isArray(container)) this.#array(container, stack);
      else if (container instanceof Map) this.#map(container, stack);
      else if (container instanceof Set) this.#set(container, stack);
      else this.#fields(container, stack);
    }
  }

  /** Puts back everything changed, newest first. */
  undo(): void {
    for (let index = this.#undo.length - 1; index >= 0; index--) this.#undo[index]!();
    this.#undo.length = 0;
  }

  /** The replacement for `value`, or undefined; collections met on the way are put on `stack`. */
  #visit(value: unknown, stack: object[]): object | undefined {
    if (!isObject(value)) return undefined;
    const replacement = this.#replacementOf(value);
    if (replacement === undefined && !this.#seen.has(value) && (Array.isArray(value) || value instanceof Map || value instanceof Set || isPlainObject(value))) stack.push(value);
    return replacement;
  }

  #array(array: unknown[], stack: object[]): void {
    for (let index = 0; index < array.length; index++) {
      const replacement = this.#visit(array[index], stack);
      if (replacement !== undefined) this.assign(array, index, replacement);
    }
  }

  /** Own enumerable data properties; a getter is not called (a namespace's call into its module). */
  #fields(object: object, stack: object[]): void {
    for (const key of Object.keys(object)) {
      const property = Object.getOwnPropertyDescriptor(object, key);
      if (!property || !('value' in property)) continue;
      const replacement = this.#visit(property.value, stack);
      if (replacement !== undefined) this.assign(object, key, replacement);
    }
  }

  #map(map: Map<unknown, unknown>, stack: object[]): void {
    let keysReplaced = false;
    const values: Array<[unknown, object]> = [];
    for (const [key, value] of map) {
      if (this.#visit(key, stack) !== undefined) keysReplaced = true;
      const replacement = this.#visit(value, stack);
      if (replacement !== undefined) values.push([key, replacement]);
    }
    if (keysReplaced) return this.#rebuild(map, [...map].map(([key, value]) => [this.#replaced(key), this.#replaced(value)]));
    for (const [key, replacement] of values) {
      const previous = map.get(key);
      map.set(key, replacement);
      this.#undo.push(() => map.set(key, previous));
    }
  }

  #set(set: Set<unknown>, stack: object[]): void {
    let replaced = false;
    for (const member of set) if (this.#visit(member, stack) !== undefined) replaced = true;
    if (replaced) this.#rebuild(set, [...set].map((member) => this.#replaced(member)));
  }

  #replaced(value: unknown): unknown {
    return (isObject(value) && this.#replacementOf(value)) || value;
  }

  /** Refills a Map (with [key, value] pairs) or a Set (with members) in the order given. */
  #rebuild(collection: Map<unknown, unknown> | Set<unknown>, contents: unknown[]): void {
    const previous = [...collection];
    const fill = (items: unknown[]) => {
      collection.clear();
      if (collection instanceof Map) for (const [key, value] of items as Array<[unknown, unknown]>) collection.set(key, value);
      else for (const member of items) collection.add(member);
    };
    fill(contents);
    this.#undo.push(() => fill(previous));
  }
}
