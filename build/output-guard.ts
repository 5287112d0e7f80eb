/*
 * Keeps the build from overwriting output someone changed by hand (a ramdisk edited with cpio
 * to try a bad input, say): the build records the sha256 of each file it writes in
 * `<outDir>/build-sums.json`, and before writing again it refuses if a file on disk no longer
 * has the sum it was written with.
 *
 *   refuseChangedOutput(fs, outDir, ['boot.img', 'initrd.cpio']);   // throws BuildError if one was edited
 *   ...write them...
 *   recordOutput(fs, outDir, { 'boot.img': image, 'initrd.cpio': initrd });
 *
 * A file with no recorded sum (no build wrote it, or one from before this record) is
 * overwritten as before: there is nothing to tell an edit by.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { BuildError } from './esbuild-bundle.ts';

/** What the guard reads and writes with: node:fs, or a memfs volume's fs. */
export interface GuardedFs {
  existsSync(path: string): boolean;
  readFileSync(path: string): Uint8Array | string;
  writeFileSync(path: string, data: Uint8Array | string): void;
}

export const SUMS_FILE = 'build-sums.json';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function recordedSums(fs: GuardedFs, outDir: string): Record<string, string> {
  const file = path.join(outDir, SUMS_FILE);
  if (!fs.existsSync(file)) return {};
  try {
    const sums: unknown = JSON.parse(String(fs.readFileSync(file)));
    return typeof sums === 'object' && sums !== null ? (sums as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Throws BuildError naming the first of `names` in `outDir` that differs from what the last build wrote. */
export function refuseChangedOutput(fs: GuardedFs, outDir: string, names: string[]): void {
  const sums = recordedSums(fs, outDir);
  for (const name of names) {
    const file = path.join(outDir, name);
    if (typeof sums[name] !== 'string' || !fs.existsSync(file) || sha256(fs.readFileSync(file)) === sums[name]) continue;
    const shown = path.relative(process.cwd(), file);
    throw new BuildError(
      `${shown.startsWith('..') || path.isAbsolute(shown) ? file : shown} was changed since the build wrote it; not overwriting it. Boot it as it is with npm run boot, or move it away and build again`,
    );
  }
}

/** Records the sums of the files just written. */
export function recordOutput(fs: GuardedFs, outDir: string, files: Record<string, Uint8Array>): void {
  const sums = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, sha256(bytes)]));
  fs.writeFileSync(path.join(outDir, SUMS_FILE), `${JSON.stringify(sums, null, 2)}\n`);
}
