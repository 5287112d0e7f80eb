/*
 * How one object of the old version is replaced by an object of the new version's class —
 * the way keel migrates: a new object, which owes the old version's code nothing, so that the
 * code can be collected although the object lives on (instance-migration.ts says why).
 *
 *   saved  = old.exportInstance?.()  ?? a plain copy of the old object's own fields
 *   object = New.importInstance?.(saved, fromVersion)  ?? a copy of `saved` with New's prototype
 *
 * A class whose state is in public fields needs neither hook. A class with private fields
 * (`#x`) needs both: only its own code can read and write them. References in `saved` to other
 * objects being replaced are re-pointed before importInstance sees them; a plain copy's fields
 * are re-pointed afterwards (so objects may refer to each other in any pattern).
 */

/** A class of the new version, with the hooks a swap calls on it. */
export interface NewClass {
  prototype: object;
  importInstance?(saved: unknown, fromVersion: string): unknown;
  migrateInstance?(instance: object, fromVersion: string): void;
}

/** What a replacement may ask of the migration that runs it. */
export interface ReplacementContext {
  /** The class's export name, its new version, and the versions either side. */
  name: string;
  target: NewClass;
  fromVersion: string;
  toVersion: string;
  /** Re-points references to replaced objects inside `saved` (replacing them first if need be). */
  repointWithin(saved: object): void;
  /** Records how to undo a change, for a rollback. */
  logUndo(undo: () => void): void;
  /** Has the object's own fields re-pointed once every replacement is known. */
  walkFieldsLater(object: object): void;
}

/** Returns the object that takes `instance`'s place in the new version. */
export type Replace = (instance: object, context: ReplacementContext) => object;

type Exporting = { exportInstance?: () => unknown };

function hook<Result>(what: string, run: () => Result): Result {
  try {
    return run();
  } catch (error) {
    throw new Error(`${what} failed: ${(error as Error)?.message ?? String(error)}`);
  }
}

export const replaceByCopy: Replace = (instance, { name, target, fromVersion, toVersion, repointWithin, walkFieldsLater }) => {
  const exportInstance = (instance as Exporting).exportInstance;
  const writesItself = typeof exportInstance === 'function';
  const saved = writesItself ? hook(`${fromVersion} ${name}.exportInstance`, () => exportInstance.call(instance)) : instance;
  if (typeof target.importInstance !== 'function') {
    const copy = Object.assign(Object.create(target.prototype), saved);
    walkFieldsLater(copy);
    return copy;
  }
  const written = writesItself ? saved : Object.assign({}, instance);
  if (written !== null && typeof written === 'object') repointWithin(written);
  const built = hook(`${toVersion} ${name}.importInstance`, () => target.importInstance!(written, fromVersion));
  if (built === null || typeof built !== 'object') throw new Error(`${toVersion} ${name}.importInstance returned ${built === null ? 'null' : typeof built}, not an object`);
  return built;
};
