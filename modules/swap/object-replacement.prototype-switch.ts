/*
 * The migration keel had before it copied objects, kept only as the benchmark's baseline
 * (figure 5, `bench-task-holder`): the object stays itself and gets the new class's prototype,
 * then the new class's migrateInstance. It needs no re-pointing — and it leaks: V8 keeps an
 * object's original constructor in its hidden class, so every version that made a live object
 * stays in memory, a zombie, for as long as the object lives (docs/design.md). It knows nothing of
 * exportInstance/importInstance: private fields cannot move this way. swap() uses it only when
 * asked for with `{ migration: 'prototype-switch' }`.
 */
import type { Replace } from './object-replacement.ts';

export const switchPrototype: Replace = (instance, { target, logUndo, walkFieldsLater }) => {
  const from = Object.getPrototypeOf(instance) as object;
  Object.setPrototypeOf(instance, target.prototype);
  logUndo(() => Object.setPrototypeOf(instance, from));
  walkFieldsLater(instance);
  return instance;
};
