/*
 * Before anything changes: would the new version break a module that imports this one, or
 * miss something it imports itself? Each loaded dependent's index record lists the symbols it
 * imports from us (the build reads them from its bundle); the new version must still export
 * every one of them. And the new version's own imports must be exported by the versions of
 * its dependencies it will be linked to: the loaded ones, else the defaults staging loads.
 */
import type { Kernel, LoadedModule, ModuleRecord } from 'keel:kernel';

const missing = (symbols: string[], exports: string[]) => symbols.find((symbol) => symbol !== '*' && !exports.includes(symbol));

/** Returns why the swap must be refused, or null if every import on either side is still there. */
export function interfaceProblem(kernel: Kernel, module: LoadedModule, target: ModuleRecord): string | null {
  for (const user of module.users) {
    const symbol = missing(user.record.imports[module.name] ?? [], target.exports);
    if (symbol) return `${module.name} ${target.version} drops ${symbol}, which ${user.name} imports`;
  }
  for (const [dependency, symbols] of Object.entries(target.imports)) {
    const exporter = kernel.loader.modules.get(dependency)?.record ?? kernel.findRecords(dependency).find((record) => record.default);
    const symbol = exporter && missing(symbols, exporter.exports);
    if (symbol) return `${module.name} ${target.version} imports ${symbol} from ${dependency}, which ${dependency} ${exporter.version} does not export`;
  }
  return null;
}
