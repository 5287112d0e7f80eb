/*
 * Checks, before anything is packed, that every module imports only what exists: each
 * `keel:<name>` it depends on is a module in the build, and each symbol it takes from one is
 * exported by that module's default version (the one `modprobe` loads). A typing slip then
 * fails the build with one line instead of a load that fails inside the kernel:
 *
 *   build: consumer imports greeet from keel:hello, which does not export it (hello exports: exit, greet, init)
 *
 * The symbol "*" (a whole namespace) needs only the module. keel:kernel is the kernel module's
 * API, which each importer gets its own instance of, not the module's exports: an importer of
 * it depends on the kernel module, but its symbols are not in the index records and are left
 * to the type checker.
 */
import type { ModuleRecord } from '../ramdisk/module-index.ts';
import { BuildError } from './esbuild-bundle.ts';

/** Throws a BuildError naming the first module that imports a missing module or symbol. */
export function checkImports(records: readonly ModuleRecord[]): void {
  const versionCount = new Map<string, number>();
  for (const record of records) versionCount.set(record.name, (versionCount.get(record.name) ?? 0) + 1);
  const defaults = new Map(records.filter((record) => record.default).map((record) => [record.name, record]));
  /** The name, with the version when the build holds several versions of the module. */
  const label = (record: ModuleRecord) => (versionCount.get(record.name)! > 1 ? `${record.name} ${record.version}` : record.name);

  for (const importer of records) {
    for (const dependency of new Set([...importer.depends, ...Object.keys(importer.imports)])) {
      const exporter = defaults.get(dependency);
      if (!exporter) throw new BuildError(`${label(importer)} imports keel:${dependency}, which is no module`);
      const missing = (importer.imports[dependency] ?? []).find((symbol) => symbol !== '*' && !exporter.exports.includes(symbol));
      if (missing) {
        const offered = exporter.exports.length > 0 ? `exports: ${exporter.exports.join(', ')}` : 'exports nothing';
        throw new BuildError(`${label(importer)} imports ${missing} from keel:${dependency}, which does not export it (${label(exporter)} ${offered})`);
      }
    }
  }
}
