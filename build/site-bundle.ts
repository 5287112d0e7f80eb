/*
 * The files of `npm run site`, in memory, by name (web/site/site-files.ts): the page of
 * `npm run web` bundled from web/site/main.ts with the machine's settings defined into it,
 * the machine's Web Worker (browser-bundle.ts), the site's service worker, and the build's
 * boot image and ramdisk as they are. site.ts writes them; the bench serves them.
 *
 *   const files = await bundleSite({ memoryBytes, cmdline, watchdogSeconds }, { image, initrd });
 */
import path from 'node:path';
import { bundlePage } from '../web/server/page-assets.ts';
import type { SiteSettings } from '../web/site/settings.ts';
import { SITE_FILES } from '../web/site/site-files.ts';
import { bundleBrowserWorker } from './browser-bundle.ts';
import { bundle } from './esbuild-bundle.ts';
import { PROJECT_ROOT } from './paths.ts';

export async function bundleSite(settings: SiteSettings, built: { image: Uint8Array; initrd: Uint8Array }): Promise<Map<string, string | Uint8Array>> {
  const [page, worker, serviceWorker] = await Promise.all([
    bundlePage(path.join(PROJECT_ROOT, 'web/site/main.ts'), { KEEL_SITE_SETTINGS: JSON.stringify(settings) }),
    bundleBrowserWorker(),
    bundle(path.join(PROJECT_ROOT, 'web/site/isolation-worker.ts'), { platform: 'browser', format: 'iife', minify: true }),
  ]);
  return new Map<string, string | Uint8Array>([
    [SITE_FILES.page, page.html],
    [SITE_FILES.script, page.script],
    [SITE_FILES.style, page.style],
    [SITE_FILES.machineWorker, worker.code],
    [SITE_FILES.serviceWorker, serviceWorker.text],
    [SITE_FILES.image, built.image],
    [SITE_FILES.initrd, built.initrd],
  ]);
}

/** The bytes a file takes. */
export const fileBytes = (body: string | Uint8Array) => (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
