/*
 * The build: sources in, a boot image and a ramdisk out.
 *
 *   npm run build                       # writes dist/boot.img and dist/initrd.cpio
 *   await build({ fs: memfsVolumeFs })  # the same into an in-memory volume (tests, dev loop)
 *
 * esbuild bundles boot/ into the base image: the bootstrap (boot/main.ts), which finds, checks
 * and starts the kernel module, behind a header with its sha256; the image must fit the
 * budget. Each module version — the kernel's (modules/kernel) too — is bundled on its own (build/module-bundle.ts), the
 * versions of a module are sorted and the default marked (build/module-folders.ts), every
 * import is checked against what its module exports (build/import-check.ts), each record is
 * signed (build/module-signing.ts), and everything is packed into a cpio newc archive, index
 * first (build/ramdisk-pack.ts).
 */
import * as realFs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle, BuildError } from './build/esbuild-bundle.ts';
import { checkImports } from './build/import-check.ts';
import { buildModule, type BuiltModule } from './build/module-bundle.ts';
import { markDefaults, moduleFolders } from './build/module-folders.ts';
import { publicKeyHex, signRecord } from './build/module-signing.ts';
import { PROJECT_ROOT } from './build/paths.ts';
import { refuseChangedOutput, recordOutput, type GuardedFs } from './build/output-guard.ts';
import { packRamdisk } from './build/ramdisk-pack.ts';
import { typeCheckModules, typeErrorMessage } from './build/type-check.ts';
import { writeBootImage } from './emulator/boot-image.ts';
import { readArguments } from './scripts/arguments.ts';

export { BuildError, PROJECT_ROOT, type BuiltModule };
/** The base image budget: the bootstrap, minified (its text section; the init section is empty). */
export const BASE_IMAGE_BUDGET = 4 * 1024;

/** The file-system calls the build writes with: node:fs, or a memfs volume's fs. */
export interface OutputFs extends GuardedFs {
  mkdirSync(path: string, options: { recursive: true }): unknown;
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
  /** Bytes the base image (text + init) may take; default BASE_IMAGE_BUDGET. */
  baseImageBudget?: number;
  /**
   * Type-check every module first (build/type-check.ts) and fail on a type error. The npm
   * scripts do; builds made as a function (tests, hundreds of them) do not, unless they ask.
   */
  typeCheck?: boolean;
}

export interface BuildResult {
  image: Uint8Array;
  initrd: Uint8Array;
  imageSections: { text: number; init: number };
  modules: BuiltModule[];
  report: string;
}

async function buildBaseImage(budget: number) {
  const define = { MODULE_SIGNING_KEY: JSON.stringify(publicKeyHex()) };
  // The firmware runs the image's code as the body of a function: no module wrapper is needed around it.
  const text = await bundle(path.join(PROJECT_ROOT, 'boot/main.ts'), { format: 'esm', minify: true, define });
  if (text.code.length > budget) {
    throw new BuildError(`base image is ${text.code.length} bytes, over its budget of ${budget}: move code into a module`);
  }
  return { image: writeBootImage(text.code, new Uint8Array(0)), sections: { text: text.code.length, init: 0 } };
}

/** esbuild runs every build at once if asked: a ramdisk of thousands of modules needs batches. */
async function inBatches<Item, Result>(items: Item[], work: (item: Item) => Promise<Result>, batchSize = 16): Promise<Result[]> {
  const results: Result[] = [];
  for (let start = 0; start < items.length; start += batchSize) results.push(...(await Promise.all(items.slice(start, start + batchSize).map(work))));
  return results;
}

function sizeReport(result: Omit<BuildResult, 'report'>): string {
  const base = result.image.length;
  const moduleBytes = result.modules.reduce((sum, { code }) => sum + code.length, 0);
  const row = (label: string, bytes: number, note = '') => `  ${label.padEnd(28)}${String(bytes).padStart(9)} B${note ? `  ${note}` : ''}`;
  return [
    'keel build',
    row('base image  boot.img', base, `the bootstrap, ${result.imageSections.text} B of code, budget ${BASE_IMAGE_BUDGET}`),
    ...result.modules.map(({ record, code }) => row(`module      ${record.name} ${record.version}`, code.length)),
    row('kernel code (base + modules)', base + moduleBytes, `base image share ${((100 * base) / (base + moduleBytes)).toFixed(1)}%`),
    row('ramdisk     initrd.cpio', result.initrd.length, `${result.modules.length} module versions`),
  ].join('\n');
}

export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const fs = options.fs ?? realFs;
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, 'dist');
  const moduleDirs = options.moduleDirs ?? [path.join(PROJECT_ROOT, 'modules')];
  const folders = moduleFolders(moduleDirs);
  const [base, built, typeErrors] = await Promise.all([
    buildBaseImage(options.baseImageBudget ?? BASE_IMAGE_BUDGET),
    inBatches(folders, buildModule),
    options.typeCheck ? typeCheckModules(folders, moduleDirs) : [],
  ]);
  if (typeErrors.length > 0) throw new BuildError(typeErrorMessage(typeErrors, 'in modules'));
  const modules = markDefaults(built);
  checkImports(modules.map(({ record }) => record));
  for (const { record } of modules) record.signature = signRecord(record);
  const etcModules = options.etcModules
    ? options.etcModules.map((name) => `${name}\n`).join('')
    : realFs.readFileSync(path.join(PROJECT_ROOT, 'initrd/etc/modules'), 'utf8');
  const initrd = packRamdisk(modules, etcModules);
  const partial = { image: base.image, initrd, imageSections: base.sections, modules };
  const result = { ...partial, report: sizeReport(partial) };
  const output = { 'boot.img': result.image, 'initrd.cpio': result.initrd };
  refuseChangedOutput(fs, outDir, Object.keys(output));
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(output)) fs.writeFileSync(path.join(outDir, name), bytes);
  recordOutput(fs, outDir, output);
  if (!options.quiet) console.log(result.report);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = readArguments<{ out?: string; quiet?: boolean; modules?: string }>({
    name: 'npm run build',
    summary: 'Builds keel: the base image (dist/boot.img) and the ramdisk of modules (dist/initrd.cpio), and prints their sizes. Every module is type-checked first; a type error fails the build.',
    options: {
      out: { type: 'string', value: 'DIR', default: 'dist', description: 'where boot.img and initrd.cpio go' },
      modules: { type: 'string', value: 'DIR', description: 'a folder of modules of your own, built beside modules/' },
      quiet: { type: 'boolean', description: 'print nothing but errors' },
    },
  });
  const moduleDirs = values.modules === undefined ? undefined : [path.join(PROJECT_ROOT, 'modules'), path.resolve(values.modules)];
  build({ outDir: values.out, quiet: values.quiet, moduleDirs, typeCheck: true }).catch((error: Error) => {
    console.error(error instanceof BuildError ? `build: ${error.message}` : error);
    process.exit(1);
  });
}
