/*
 * Which folders are modules, and which version of each is the default.
 *
 * A module is a folder with package.json and index.ts. Older versions a module keeps for swap
 * live beside it in versions/<version>/, each a full module folder of its own:
 *
 *   modules/kv/                 kv 2.0.0, the current source
 *   modules/kv/versions/1.0.0/  kv 1.0.0, marked "keel": { "default": true }
 *
 * `modprobe kv` loads the default (the version marked so, else the newest); `swap kv` moves
 * to the newest. The index lists each module's versions oldest first.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BuiltModule } from './module-bundle.ts';
import { BuildError } from './esbuild-bundle.ts';

const isModule = (folder: string) => existsSync(path.join(folder, 'package.json')) && existsSync(path.join(folder, 'index.ts'));
const subfolders = (folder: string) =>
  existsSync(folder) ? readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => path.join(folder, entry.name)) : [];

export function moduleFolders(moduleDirs: string[]): string[] {
  return moduleDirs.flatMap((root) => subfolders(root).filter(isModule).flatMap((folder) => [folder, ...subfolders(path.join(folder, 'versions')).filter(isModule)]));
}

/** Compares "1.10.0" and "1.9.2" as versions, not as text. */
export function compareVersions(left: string, right: string): number {
  const a = left.split(/[.-]/).map(Number);
  const b = right.split(/[.-]/).map(Number);
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference) return difference;
  }
  return 0;
}

/** Sorts by name then version, refuses duplicates, and marks each module's default version. */
export function markDefaults(built: Array<BuiltModule & { markedDefault: boolean }>): BuiltModule[] {
  const sorted = [...built].sort((a, b) => a.record.name.localeCompare(b.record.name) || compareVersions(a.record.version, b.record.version));
  const byName = new Map<string, Array<BuiltModule & { markedDefault: boolean }>>();
  for (const module of sorted) byName.set(module.record.name, [...(byName.get(module.record.name) ?? []), module]);
  for (const [name, versions] of byName) {
    const duplicate = versions.find((module, position) => position > 0 && module.record.version === versions[position - 1]!.record.version);
    if (duplicate) throw new BuildError(`two module folders are both ${name} ${duplicate.record.version}`);
    const marked = versions.filter((module) => module.markedDefault);
    if (marked.length > 1) throw new BuildError(`${name}: ${marked.map((module) => module.record.version).join(' and ')} are both marked default`);
    (marked[0] ?? versions[versions.length - 1]!).record.default = true;
  }
  return sorted.map(({ record, code }) => ({ record, code }));
}
