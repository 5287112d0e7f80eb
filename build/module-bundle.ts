/*
 * Builds one module version: its folder holds package.json (name, version, description) and
 * index.ts. esbuild bundles it twice: as CommonJS, `keel:*` external — the code the kernel
 * loads — and as an ES module, whose metafile lists the exported names and whose output keeps
 * the `import {...} from "keel:x"` lines that say which symbols it takes from each dependency
 * (what a swap checks before dropping a symbol). Dependencies are the `keel:*` imports the
 * CommonJS metafile lists. Nobody writes dependencies or exports by hand.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as esbuild from 'esbuild';
import { checkRecord, IndexError, isModuleName, isVersion, modulePath, type ModuleRecord } from '../ramdisk/module-index.ts';
import { bundle, BuildError } from './esbuild-bundle.ts';
import { signRecord } from './module-signing.ts';

export interface BuiltModule {
  record: ModuleRecord;
  code: Uint8Array;
}

interface ModulePackage {
  name: string;
  version: string;
  description?: string;
  keel?: {
    /** This version is the one `modprobe NAME` loads when the ramdisk holds several. */
    default?: boolean;
    /** Bundling help for modules built on npm packages that expect Node: import aliases, injected globals. */
    alias?: Record<string, string>;
    inject?: string[];
  };
}

/** What a module imports from each `keel:*` module, read from esbuild's ES module output. */
function importedSymbols(esmOutput: string): Record<string, string[]> {
  const imports: Record<string, string[]> = {};
  const add = (module: string, names: string[]) => (imports[module] = [...new Set([...(imports[module] ?? []), ...names])]);
  for (const [, names, module] of esmOutput.matchAll(/import\s*\{([^}]*)\}\s*from\s*"keel:([^"]+)"/g)) {
    add(module!, names!.split(',').map((name) => name.trim().split(/\s+as\s+/)[0]!).filter(Boolean));
  }
  for (const [, module] of esmOutput.matchAll(/import\s*\*\s*as\s*[\w$]+\s*from\s*"keel:([^"]+)"/g)) add(module!, ['*']);
  delete imports.kernel;
  return imports;
}

export async function buildModule(directory: string): Promise<BuiltModule & { markedDefault: boolean }> {
  const manifestPath = path.join(directory, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ModulePackage;
  if (!isModuleName(manifest.name) || !isVersion(manifest.version)) {
    throw new BuildError(`${manifestPath}: needs a name (lower case letters, digits, dashes) and a version (1.2.3)`);
  }
  const local = (specifier: string) => (specifier.startsWith('.') ? path.resolve(directory, specifier) : specifier);
  const options: esbuild.BuildOptions = {
    external: ['keel:*'],
    // Whitespace and syntax only: names stay, so stack traces and ModuleUnloadedError messages read well.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    alias: Object.fromEntries(Object.entries(manifest.keel?.alias ?? {}).map(([name, target]) => [name, local(target)])),
    inject: (manifest.keel?.inject ?? []).map(local),
  };
  const entry = path.join(directory, 'index.ts');
  const [commonjs, esm] = await Promise.all([bundle(entry, { ...options, format: 'cjs' }), bundle(entry, { ...options, format: 'esm' })]);
  const imports = importedSymbols(esm.text);
  const keelImports = Object.values(commonjs.metafile.outputs)[0]!.imports.filter((item) => item.path.startsWith('keel:'));
  const depends = [...new Set(keelImports.map((item) => item.path.slice(5)))].filter((name) => name !== 'kernel');
  const record: ModuleRecord = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description ?? '',
    path: modulePath(manifest.name, manifest.version),
    size: commonjs.code.length,
    sha256: createHash('sha256').update(commonjs.code).digest('hex'),
    depends,
    imports,
    exports: Object.values(esm.metafile.outputs)[0]!.exports,
    default: false,
  };
  try {
    checkRecord(record, manifestPath);
  } catch (error) {
    if (error instanceof IndexError) throw new BuildError(`${error.message}: the kernel would refuse this record`);
    throw error;
  }
  return { record, code: commonjs.code, markedDefault: manifest.keel?.default === true };
}
