/*
 * The files of the site that its code names: `npm run site` (site.ts) writes them under these
 * names, the page (in-tab-connection.ts, isolation.ts) and the service worker
 * (isolation-worker.ts) ask for them.
 */
export const SITE_FILES = {
  page: 'index.html',
  script: 'keel.js',
  style: 'keel.css',
  machineWorker: 'machine-worker.js',
  serviceWorker: 'isolation-worker.js',
  image: 'boot.img',
  initrd: 'initrd.cpio',
} as const;
