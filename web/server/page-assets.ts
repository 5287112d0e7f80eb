/*
 * The page's files, made when the server starts: web/page/index.html as it is, and the page's
 * TypeScript (web/page/main.ts, with xterm.js and the style sheets it imports) bundled by
 * esbuild into one script and one style sheet, in memory. `npm run site` bundles the same page
 * from its own entry (web/site/main.ts), with its settings defined into the bundle. A page that
 * does not build is a BuildError naming file, line and column.
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

export async function bundlePage(entry = path.join(PAGE, 'main.ts'), define: Record<string, string> = {}): Promise<PageAssets> {
  const { outputs } = await bundle(entry, {
    platform: 'browser', format: 'iife', minify: true, outdir: path.join(PAGE, 'out'), mainFields: ['browser', 'module', 'main'], define,
  });
  const output = (extension: string) => outputs.find((file) => file.path.endsWith(extension))?.text ?? '';
  return { html: readFileSync(path.join(PAGE, 'index.html'), 'utf8'), script: output('.js'), style: output('.css') };
}
