/*
 * What the site's machine is made with, chosen when `npm run site` writes the site (its --mem,
 * --cmdline and --watchdog) and put into the page's bundle by esbuild (`define`), so that the
 * site is static files and nothing else.
 */
export interface SiteSettings {
  memoryBytes: number;
  cmdline: string;
  watchdogSeconds: number;
}

declare const KEEL_SITE_SETTINGS: SiteSettings;

export const siteSettings: SiteSettings = KEEL_SITE_SETTINGS;
