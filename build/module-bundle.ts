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
import * as esbuild from 'esbuild';
import { checkRecord, IndexError, isModuleName, isVersion, modulePath, type ModuleRecord } from '../ramdisk/module-index.ts';
import { bundle, BuildError } from './esbuild-bundle.ts';
import { PROJECT_ROOT } from './paths.ts';

/** keel's release (the project's version), which modules may read as KEEL_RELEASE (uname -r). */
const KEEL_RELEASE = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The kernel module's name: only its own folder (modules/kernel, and the versions in it) may take it. */
export const KERNEL_MODULE = 'kernel';
const KERNEL_FOLDER = path.join(PROJECT_ROOT, 'modules', KERNEL_MODULE);

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
    /**
     * false: function names are not pinned with esbuild's keepNames. They are kept anyway (the
     * bundle's identifiers are not minified) but for the rare one renamed where two files of the
     * bundle use the same name; keepNames would add a defineProperty call for every closure the
     * code makes (~20 µs each, the function's shape turned into a dictionary), and the kernel
     * makes some on every call through a stub, swap several in every swap.
     */
    keepNames?: boolean;
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
  delete imports[KERNEL_MODULE];
  return imports;
}

/**
 * What the module's own source files import from `keel:*`, used or not: the bundle keeps only
 * the imports its code uses, and an import of a symbol the dependency lacks must fail the
 * build even when nothing calls it. Each file is transformed alone with verbatimModuleSyntax,
 * which keeps every value import (type-only imports go, as they should).
 */
async function sourceImports(metafile: esbuild.Metafile): Promise<Record<string, string[]>> {
  const files = Object.keys(metafile.inputs).filter((file) => /\.[cm]?[jt]sx?$/.test(file) && !file.split(/[\\/]/).includes('node_modules'));
  const found = await Promise.all(
    files.map(async (file) => {
      const source = readFileSync(path.resolve(PROJECT_ROOT, file), 'utf8');
      if (!source.includes('keel:')) return {};
      const loader = /\.tsx?$/.test(file) ? 'ts' : 'js';
      const { code } = await esbuild.transform(source, { loader, format: 'esm', tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } } });
      return importedSymbols(code);
    }),
  );
  return found.reduce(mergeImports, {});
}

function mergeImports(into: Record<string, string[]>, from: Record<string, string[]>): Record<string, string[]> {
  const merged = { ...into };
  for (const [module, names] of Object.entries(from)) merged[module] = [...new Set([...(merged[module] ?? []), ...names])];
  return merged;
}

export async function buildModule(directory: string): Promise<BuiltModule & { markedDefault: boolean }> {
  const manifestPath = path.join(directory, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ModulePackage;
  if (!isModuleName(manifest.name) || !isVersion(manifest.version)) {
    throw new BuildError(`${manifestPath}: needs a name (lower case letters, digits, dashes) and a version (1.2.3)`);
  }
  const kernelFolder = path.resolve(directory) === KERNEL_FOLDER || path.dirname(path.resolve(directory)) === path.join(KERNEL_FOLDER, 'versions');
  if (manifest.name === KERNEL_MODULE && !kernelFolder) throw new BuildError(`${manifestPath}: the name ${KERNEL_MODULE} is the kernel module's (modules/${KERNEL_MODULE}, keel:${KERNEL_MODULE}): pick another name`);
  const local = (specifier: string) => (specifier.startsWith('.') ? path.resolve(directory, specifier) : specifier);
  const options: esbuild.BuildOptions = {
    external: ['keel:*'],
    // Whitespace and syntax only: names stay, so stack traces and ModuleUnloadedError messages read well.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: manifest.keel?.keepNames ?? true,
    alias: Object.fromEntries(Object.entries(manifest.keel?.alias ?? {}).map(([name, target]) => [name, local(target)])),
    inject: (manifest.keel?.inject ?? []).map(local),
    define: { KEEL_RELEASE: JSON.stringify(KEEL_RELEASE) },
  };
  const entry = path.join(directory, 'index.ts');
  const [commonjs, esm] = await Promise.all([bundle(entry, { ...options, format: 'cjs' }), bundle(entry, { ...options, format: 'esm' })]);
  const imports = mergeImports(importedSymbols(esm.text), await sourceImports(esm.metafile));
  const keelImports = Object.values(commonjs.metafile.outputs)[0]!.imports.filter((item) => item.path.startsWith('keel:'));
  // A module its source imports from is a dependency, even where esbuild dropped an unused import:
  // the import check then says what is wrong with it. keel:kernel is a dependency too: the kernel
  // module is the one importers of its API use (its symbols are left to the type checker).
  const depends = [...new Set([...keelImports.map((item) => item.path.slice(5)), ...Object.keys(imports)])];
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
