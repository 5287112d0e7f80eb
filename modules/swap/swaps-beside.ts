/*
 * Swaps that may not run beside each other. A new version is staged linked to the versions of
 * its dependencies loaded when it is staged, and switched in later; a swap of one of those
 * dependencies in between would switch every module of the table to the dependency's new
 * version but not the staged one, which would then come in linked to a version already
 * replaced (found by npm run sim's concurrent swaps). So while a module or one of the modules
 * it imports, or one that imports it, is being swapped, a swap of it is refused at once, as a
 * second swap of the same module is; the first one completes.
 *
 *   const problem = swapBesideProblem(kernel, old, target);   // a refusal's reason, or null
 */
import type { Kernel, LoadedModule, ModuleRecord } from 'keel:kernel';

export function swapBesideProblem(kernel: Kernel, old: LoadedModule, target: ModuleRecord): string | null {
  for (const depends of [old.record.depends, target.depends]) {
    for (const dependency of depends) {
      if (dependency !== 'kernel' && kernel.loader.modules.get(dependency)?.swapping) return `a swap of ${dependency}, which ${old.name} imports, is under way`;
    }
  }
  // A loaded module that imports this one is one of its users: no need to look at the others.
  for (const user of old.users) {
    if (user.swapping && user.record.depends.includes(old.name)) return `a swap of ${user.name}, which imports ${old.name}, is under way`;
  }
  return null;
}
