/*
 * The build: sources in, a boot image and a ramdisk out.
 *
 *   npm run build                       # writes dist/boot.img and dist/initrd.cpio
 *   await build({ fs: memfsVolumeFs })  # the same into an in-memory volume (tests, dev loop)
 *
 * esbuild bundles boot/ into the base image: the resident text (boot/main.ts) and the
 * boot-only init section (boot/init.ts), behind a header with their sha256; the image must
 * fit the budget. Each modules/<name>/ is bundled on its own, format cjs, `keel:*` external;
 * its dependencies are the `keel:*` imports esbuild's metafile lists, its exports the names
 * an esm pass lists — nobody writes them by hand. Everything is packed into a cpio newc
 * archive, index first, so that the kernel reads one module without scanning.
 */
import { createHash } from 'node:crypto';
import * as realFs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { writeBootImage } from './emulator/boot-image.ts';
import { MODE_DIRECTORY, readEntries, writeCpio, type CpioFile } from './ramdisk/cpio.ts';
import { INDEX_PATH, modulePath, serializeIndex, type ModuleRecord } from './ramdisk/module-index.ts';
import { encodeUtf8 } from './ramdisk/utf8.ts';

export const PROJECT_ROOT = path.dirname(fileURLToPath(import.meta.url));
/** The base image budget: text and init sections together, minified. */
export const BASE_IMAGE_BUDGET = 16 * 1024;

/** The file-system calls the build writes with: node:fs, or a memfs volume's fs. */
export interface OutputFs {
  mkdirSync(path: string, options: { recursive: true }): unknown;
  writeFileSync(path: string, data: Uint8Array): void;
}

export interface BuildOptions {
  /** Where the output goes (default dist/ under the project) and through which fs. */
  outDir?: string;
  fs?: OutputFs;
  /** Module source folders (each holds <name>/package.json and index.ts). */
  moduleDirs?: string[];
  /** Module names for etc/modules; default: the project's initrd/etc/modules. */
  etcModules?: string[];
  /** Print nothing (the report is still returned). */
  quiet?: boolean;
}

export interface BuiltModule {
  record: ModuleRecord;
  code: Uint8Array;
}

export interface BuildResult {
  image: Uint8Array;
  initrd: Uint8Array;
  imageSections: { text: number; init: number };
  modules: BuiltModule[];
  report: string;
}

export class BuildError extends Error {
  override name = 'BuildError';
}

const SHARED_ESBUILD: esbuild.BuildOptions = {
  bundle: true, write: false, platform: 'neutral', target: 'es2022', legalComments: 'none', logLevel: 'silent',
  mainFields: ['module', 'main'], absWorkingDir: PROJECT_ROOT,
};

async function bundle(entry: string, options: esbuild.BuildOptions): Promise<{ code: Uint8Array; metafile: esbuild.Metafile }> {
  try {
    const result = await esbuild.build({ ...SHARED_ESBUILD, ...options, entryPoints: [entry], metafile: true });
    return { code: result.outputFiles![0]!.contents, metafile: result.metafile! };
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const first = failure.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    throw new BuildError(`${where}${first?.text ?? failure.message}`);
  }
}

async function buildBaseImage() {
  const section = (entry: string) => bundle(path.join(PROJECT_ROOT, entry), { format: 'iife', minify: true });
  const [text, init] = await Promise.all([section('boot/main.ts'), section('boot/init.ts')]);
  const size = text.code.length + init.code.length;
  if (size > BASE_IMAGE_BUDGET) {
    throw new BuildError(`base image is ${size} bytes, over its budget of ${BASE_IMAGE_BUDGET}: move code into a module`);
  }
  return { image: writeBootImage(text.code, init.code), sections: { text: text.code.length, init: init.code.length } };
}

interface ModulePackage {
  name: string;
  version: string;
  description?: string;
  /** Bundling help for modules built on npm packages that expect Node: import aliases, injected globals. */
  keel?: { alias?: Record<string, string>; inject?: string[] };
}

async function buildModule(directory: string): Promise<BuiltModule> {
  const manifestPath = path.join(directory, 'package.json');
  const manifest = JSON.parse(realFs.readFileSync(manifestPath, 'utf8')) as ModulePackage;
  if (!/^[a-z][a-z0-9-]*$/.test(manifest.name ?? '') || typeof manifest.version !== 'string') {
    throw new BuildError(`${manifestPath}: needs a name (lower case, digits, dashes) and a version`);
  }
  const entry = path.join(directory, 'index.ts');
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
  const [commonjs, esm] = await Promise.all([bundle(entry, { ...options, format: 'cjs' }), bundle(entry, { ...options, format: 'esm' })]);
  const output = Object.values(commonjs.metafile.outputs)[0]!;
  const depends = [...new Set(output.imports.filter((item) => item.path.startsWith('keel:')).map((item) => item.path.slice(5)))].filter((name) => name !== 'kernel');
  const record: ModuleRecord = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description ?? '',
    path: modulePath(manifest.name, manifest.version),
    size: commonjs.code.length,
    sha256: createHash('sha256').update(commonjs.code).digest('hex'),
    depends,
    exports: Object.values(esm.metafile.outputs)[0]!.exports,
    default: true,
    offset: 0,
  };
  return { record, code: commonjs.code };
}

function moduleFolders(moduleDirs: string[]): string[] {
  return moduleDirs.flatMap((root) =>
    realFs
      .readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && realFs.existsSync(path.join(root, entry.name, 'package.json')))
      .map((entry) => path.join(root, entry.name)),
  );
}

/** Packs the ramdisk: index first, etc/modules second, then directories and bundles. */
function packRamdisk(modules: BuiltModule[], etcModules: string): Uint8Array {
  const directories = new Set(['etc', 'lib', 'lib/modules', ...modules.map(({ record }) => `lib/modules/${record.name}`)]);
  const rest: CpioFile[] = [
    { name: 'etc/modules', data: encodeUtf8(etcModules) },
    ...[...directories].map((name) => ({ name, data: new Uint8Array(0), mode: MODE_DIRECTORY })),
    ...modules.map(({ record, code }) => ({ name: record.path, data: code })),
  ];
  const offsets = new Map(readEntries(writeCpio(rest)).map((entry) => [entry.name, entry.offset]));
  for (const { record } of modules) record.offset = offsets.get(record.path)!;
  const index = serializeIndex(modules.map(({ record }) => record));
  return writeCpio([{ name: INDEX_PATH, data: encodeUtf8(index) }, ...rest]);
}

function sizeReport(result: Omit<BuildResult, 'report'>): string {
  const base = result.image.length;
  const moduleBytes = result.modules.reduce((sum, { code }) => sum + code.length, 0);
  const row = (label: string, bytes: number, note = '') => `  ${label.padEnd(28)}${String(bytes).padStart(9)} B${note ? `  ${note}` : ''}`;
  return [
    'keel build',
    row('base image  boot.img', base, `text ${result.imageSections.text} + init ${result.imageSections.init}, budget ${BASE_IMAGE_BUDGET}`),
    ...result.modules.map(({ record, code }) => row(`module      ${record.name} ${record.version}`, code.length)),
    row('kernel code (base + modules)', base + moduleBytes, `base image share ${((100 * base) / (base + moduleBytes)).toFixed(1)}%`),
    row('ramdisk     initrd.cpio', result.initrd.length, `${result.modules.length} modules`),
  ].join('\n');
}

export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const fs = options.fs ?? realFs;
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, 'dist');
  const moduleDirs = options.moduleDirs ?? [path.join(PROJECT_ROOT, 'modules')];
  const [base, modules] = await Promise.all([buildBaseImage(), Promise.all(moduleFolders(moduleDirs).map(buildModule))]);
  modules.sort((a, b) => a.record.name.localeCompare(b.record.name));
  const names = modules.map(({ record }) => record.name);
  const duplicate = names.find((name, position) => names.indexOf(name) !== position);
  if (duplicate) throw new BuildError(`two module folders are both named ${duplicate}`);
  const etcModules = options.etcModules
    ? options.etcModules.map((name) => `${name}\n`).join('')
    : realFs.readFileSync(path.join(PROJECT_ROOT, 'initrd/etc/modules'), 'utf8');
  const initrd = packRamdisk(modules, etcModules);
  const partial = { image: base.image, initrd, imageSections: base.sections, modules };
  const result = { ...partial, report: sizeReport(partial) };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'boot.img'), result.image);
  fs.writeFileSync(path.join(outDir, 'initrd.cpio'), result.initrd);
  if (!options.quiet) console.log(result.report);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, quiet: { type: 'boolean' } } });
  build({ outDir: values.out, quiet: values.quiet }).catch((error: Error) => {
    console.error(error instanceof BuildError ? `build: ${error.message}` : error);
    process.exit(1);
  });
}
