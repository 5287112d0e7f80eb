/*
 * Before anything changes: would the new version break a module that imports this one?
 * Each loaded dependent's index record lists the symbols it imports from us (the build reads
 * them from its bundle); the new version must still export every one of them.
 */
import type { LoadedModule, ModuleRecord } from 'keel:kernel';

/** Returns why the swap must be refused, or null if every dependent keeps what it imports. */
export function interfaceProblem(module: LoadedModule, target: ModuleRecord): string | null {
  for (const user of module.users) {
    for (const symbol of user.record.imports[module.name] ?? []) {
      if (symbol !== '*' && !target.exports.includes(symbol)) {
        return `${module.name} ${target.version} drops ${symbol}, which ${user.name} imports`;
      }
    }
  }
  return null;
}
