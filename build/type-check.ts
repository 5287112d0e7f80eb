/*
 * Type-checks module sources as the kernel will run them, with the project's TypeScript.
 *
 *   const errors = await typeCheckModules(['/work/modules/kv'], moduleDirs);
 *   // [] when they check, else one line each: "modules/kv/index.ts:12: Type 'string' is not ..."
 *
 * Each module folder's index.ts is checked, and with it every file it imports: only the
 * ECMAScript built-ins (tsconfig.sandbox.json's options: no Node, no DOM), `keel:kernel` mapped
 * to modules/kernel/api.ts and `keel:<name>` to `<name>/index.ts` in each of `moduleDirs` — so a
 * module in a folder of its own (an author's, a test's) is checked against the project's
 * modules and its neighbours. That mapping must list those folders, so each check writes a
 * small tsconfig of its own in a temporary folder.
 *
 * TypeScript 7 is the native compiler: it has no in-process API (its `typescript/unstable/*`
 * API drives the same binary over a pipe), so the check runs `tsc` as a child process — 0.5 to
 * 1.2 s for one module, 1.1 to 2.4 s for all of modules/ on a 2-core machine under a load
 * average of 10 to 15 (docs/architecture.md). The
 * build does it only when asked (npm run build, npm start, npm run web, the dev loop); builds
 * that tests make as a function do not pay for it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BuildError } from './esbuild-bundle.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Errors past this many are counted, not listed: the first ones are the ones to fix. */
const LISTED_ERRORS = 20;

/**
 * The tsc the project installed: the native binary of typescript's platform package, as its
 * launcher (node_modules/typescript/bin/tsc) finds it — run directly, which saves starting a
 * Node process for the launcher (half a second of the check on a busy machine) — else that
 * launcher with this Node.
 */
function tscCommand(): [file: string, args: string[]] {
  const typescript = path.dirname(createRequire(path.join(PROJECT_ROOT, 'package.json')).resolve('typescript/package.json'));
  try {
    const native = createRequire(path.join(typescript, 'package.json')).resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
    const binary = path.join(path.dirname(native), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
    if (existsSync(binary)) return [binary, []];
  } catch {
    // No platform package where the launcher's own lookup would look first: let the launcher find it.
  }
  return [process.execPath, [path.join(typescript, 'bin', 'tsc')]];
}

/** A tsconfig that checks `entries` with keel:* mapped into `moduleDirs`. */
function checkConfig(entries: string[], moduleDirs: string[]): string {
  return JSON.stringify({
    extends: path.join(PROJECT_ROOT, 'tsconfig.sandbox.json'),
    compilerOptions: {
      noEmit: true,
      paths: {
        'keel:kernel': [path.join(PROJECT_ROOT, 'modules/kernel/api.ts')],
        'keel:*': moduleDirs.map((folder) => path.join(path.resolve(folder), '*', 'index.ts')),
      },
    },
    include: [],
    exclude: [],
    files: entries,
  });
}

/** `file` relative to `folder` if it is inside it, else absolute. */
function shortPath(file: string, folder: string): string {
  const absolute = path.resolve(PROJECT_ROOT, file);
  const relative = path.relative(folder, absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}

/** tsc's diagnostics (`file(line,col): error TS1234: message`, continuation lines indented) as `file:line: message`. */
export function diagnosticLines(output: string, relativeTo: string): string[] {
  const lines: string[] = [];
  for (const line of output.split('\n')) {
    const diagnostic = /^(.+?)\((\d+),\d+\): error TS\d+: (.*)$/.exec(line.trimEnd());
    if (diagnostic) lines.push(`${shortPath(diagnostic[1]!, relativeTo)}:${diagnostic[2]}: ${diagnostic[3]}`);
    else if (/^error TS\d+: /.test(line)) lines.push(line.trimEnd().replace(/^error TS\d+: /, ''));
  }
  return lines;
}

/**
 * The type errors of the modules in `folders` (each a module folder: index.ts is its entry),
 * one line each, paths relative to the current folder; [] if they check. Throws BuildError if
 * tsc cannot be run at all.
 */
export async function typeCheckModules(folders: string[], moduleDirs: string[]): Promise<string[]> {
  if (folders.length === 0) return [];
  const scratch = mkdtempSync(path.join(tmpdir(), 'keel-typecheck-'));
  try {
    const config = path.join(scratch, 'tsconfig.json');
    writeFileSync(config, checkConfig(folders.map((folder) => path.join(path.resolve(folder), 'index.ts')), moduleDirs));
    const output = await new Promise<string>((resolve, reject) => {
      const [file, launcher] = tscCommand();
      execFile(file, [...launcher, '-p', config, '--pretty', 'false'], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        // tsc exits 1 or 2 when it found errors; anything else (no binary, a signal) is no check at all.
        if (error && typeof error.code !== 'number') reject(new BuildError(`type check could not run: ${error.message}`));
        else if (error && !stdout.trim()) reject(new BuildError(`type check failed: ${(stderr || error.message).trim().split('\n')[0]}`));
        else resolve(stdout);
      });
    });
    return diagnosticLines(output, process.cwd());
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The errors as a message: `headline` with their count, then a line each (the first LISTED_ERRORS). */
export function typeErrorMessage(errors: string[], headline: string): string {
  const listed = errors.slice(0, LISTED_ERRORS).map((line) => `  ${line}`);
  const more = errors.length > LISTED_ERRORS ? [`  ... and ${errors.length - LISTED_ERRORS} more`] : [];
  return [`${errors.length} type ${errors.length === 1 ? 'error' : 'errors'} ${headline}:`, ...listed, ...more].join('\n');
}
