/*
 * One esbuild call, in memory, with keel's shared settings: bundle, neutral platform (the
 * kernel's sandbox has no Node), es2022. A failure becomes a BuildError naming file, line and
 * column, so `npm run build` prints one line instead of esbuild's report.
 */
import path from 'node:path';
import * as esbuild from 'esbuild';
import { PROJECT_ROOT } from './paths.ts';

export class BuildError extends Error {
  override name = 'BuildError';
}

export const SHARED: esbuild.BuildOptions = {
  bundle: true, write: false, platform: 'neutral', target: 'es2022', legalComments: 'none', logLevel: 'silent',
  mainFields: ['module', 'main'], absWorkingDir: PROJECT_ROOT,
  // Module folders outside the project (tests, out-of-tree modules) still find its packages.
  nodePaths: [path.join(PROJECT_ROOT, 'node_modules')],
};

/** The first output file's code and text, the metafile, and every output (a bundle that imports CSS has a second, its style sheet). */
export async function bundle(entry: string, options: esbuild.BuildOptions): Promise<{ code: Uint8Array; text: string; metafile: esbuild.Metafile; outputs: esbuild.OutputFile[] }> {
  try {
    const result = await esbuild.build({ ...SHARED, ...options, entryPoints: [entry], metafile: true });
    const output = result.outputFiles![0]!;
    return { code: output.contents, text: output.text, metafile: result.metafile!, outputs: result.outputFiles! };
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const first = failure.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    throw new BuildError(`${where}${first?.text ?? failure.message}`);
  }
}
