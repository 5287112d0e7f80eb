/*
 * The page's files, made when the server starts: web/page/index.html as it is, and the page's
 * TypeScript (web/page/main.ts, with xterm.js and the style sheets it imports) bundled by
 * esbuild into one script and one style sheet, in memory. A page that does not build is a
 * BuildError naming file, line and column.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundle } from '../../build/esbuild-bundle.ts';
import { PROJECT_ROOT } from '../../build/paths.ts';

export interface PageAssets {
  html: string;
  script: string;
  style: string;
}

const PAGE = path.join(PROJECT_ROOT, 'web/page');

export async function bundlePage(): Promise<PageAssets> {
  const { outputs } = await bundle(path.join(PAGE, 'main.ts'), {
    platform: 'browser', format: 'iife', minify: true, outdir: path.join(PAGE, 'out'), mainFields: ['browser', 'module', 'main'],
  });
  const output = (extension: string) => outputs.find((file) => file.path.endsWith(extension))?.text ?? '';
  return { html: readFileSync(path.join(PAGE, 'index.html'), 'utf8'), script: output('.js'), style: output('.css') };
}
