/*
 * npm run site: keel in a browser tab with no server — the page of `npm run web`, with the
 * machine in a Web Worker of the tab, as static files any file server can serve.
 *
 *   npm run site [-- --out dist/site --mem 16M --watchdog 10]
 *   python3 -m http.server -d dist/site
 *
 * Writes to --out: index.html (web/page/index.html), keel.js and keel.css (the page's bundle,
 * from web/site/main.ts, with --mem, --cmdline and --watchdog in it), machine-worker.js (the
 * machine's Web Worker: build/browser-bundle.ts), isolation-worker.js (the service worker that
 * makes the page cross-origin isolated on a host that sends no headers: web/site/), and
 * boot.img and initrd.cpio as the build in --dist has them (`npm run site` builds first, as
 * `npm run build` does). Each is minified; the sizes are printed.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BuildError } from './build/esbuild-bundle.ts';
import { bundleSite, fileBytes } from './build/site-bundle.ts';
import { readBuiltFiles } from './emulator/built-files.ts';
import { BootError } from './emulator/firmware.ts';
import { BUILD_FOLDER_OPTION, COMMAND_LINE_OPTION, WATCHDOG_OPTION, readWatchdogSeconds } from './emulator/machine-options.ts';
import { parseMemorySize } from './emulator/memory-size.ts';
import { exitWithUsageError, readArguments, type ScriptSpec } from './scripts/arguments.ts';

const SITE_SPEC: ScriptSpec = {
  name: 'npm run site',
  summary: 'Writes keel in a browser tab as static files, no server: the machine runs in a Web Worker of the page. Serve the folder with any file server.',
  options: {
    out: { type: 'string', value: 'DIR', default: 'dist/site', description: 'where to write the site' },
    ...BUILD_FOLDER_OPTION,
    mem: { type: 'string', value: 'SIZE', default: '16M', description: "the machine's physical memory: bytes, or K, M, G (as npm run web's)" },
    ...COMMAND_LINE_OPTION,
    ...WATCHDOG_OPTION,
  },
  examples: ['npm run site', 'python3 -m http.server -d dist/site     # then open http://localhost:8000/'],
};

type SiteValues = { out: string; dist: string; mem: string; cmdline: string; watchdog: string };

async function main(): Promise<void> {
  const { values } = readArguments<SiteValues>(SITE_SPEC);
  const watchdogSeconds = readWatchdogSeconds(values.watchdog, (problem) => exitWithUsageError(SITE_SPEC, problem));
  let memoryBytes: number;
  try {
    memoryBytes = parseMemorySize(values.mem);
  } catch (error) {
    if (error instanceof BootError) exitWithUsageError(SITE_SPEC, error.message);
    throw error;
  }
  const files = await bundleSite({ memoryBytes, cmdline: values.cmdline, watchdogSeconds }, readBuiltFiles(values.dist));
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  let total = 0;
  for (const [name, body] of files) {
    const file = path.join(out, name);
    rmSync(file, { force: true });
    writeFileSync(file, body);
    const bytes = fileBytes(body);
    total += bytes;
    console.log(`  ${name.padEnd(20)}${bytes.toLocaleString('en-US').padStart(10)} bytes`);
  }
  console.log(`keel: wrote ${path.relative(process.cwd(), out) || '.'}/ (${(total / 1024).toFixed(0)} KiB): serve it with any file server, e.g. python3 -m http.server -d ${path.relative(process.cwd(), out) || '.'}`);
}

main().catch((error: Error) => {
  const known = error instanceof BootError || error instanceof BuildError;
  console.error(known ? `keel: ${error.message}` : error);
  process.exit(1);
});
