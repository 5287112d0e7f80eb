/*
 * Cross-origin isolation for a page served by any static host. The machine shares memory with
 * the page (SharedArrayBuffer, Atomics), which a browser allows only to a page that is
 * cross-origin isolated: served with COOP `same-origin` and COEP `require-corp`, headers that a
 * plain file server (python3 -m http.server, a course's web space) does not send. The site's own
 * service worker (isolation-worker.ts) re-serves every response of the site with them; it
 * controls the page only from its next load, so on the first visit the page registers it and
 * reloads once (the way gzuidhof/coi-serviceworker does). Where that cannot work — file://, plain
 * http to a host other than localhost, a browser without service workers — the page says so in
 * one line instead of booting.
 *
 *   const problem = await isolate();     // null: isolated, boot; else why not (the page never reloads twice in a row)
 */
import { SITE_FILES } from './site-files.ts';

declare const crossOriginIsolated: boolean;
/** Set before the one reload, so that a page the service worker could not isolate does not reload forever. */
const RELOADED = 'keel-isolation-reload';

export async function isolate(): Promise<string | null> {
  if (crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return null;
  }
  const why = 'this page is not cross-origin isolated, so the machine cannot share memory with it';
  if (location.protocol === 'file:') return `${why}: open it through a web server (python3 -m http.server -d dist/site), not as a file`;
  if (!('serviceWorker' in navigator)) {
    return `${why}: ${isSecureContext ? 'this browser has no service workers' : 'service workers run only over https or on localhost'}, so serve it with the headers COOP same-origin and COEP require-corp`;
  }
  if (sessionStorage.getItem(RELOADED) !== null) {
    sessionStorage.removeItem(RELOADED);
    return `${why}, even with its service worker: serve it with the headers COOP same-origin and COEP require-corp`;
  }
  try {
    await navigator.serviceWorker.register(SITE_FILES.serviceWorker);
    await navigator.serviceWorker.ready;
  } catch (error) {
    return `${why}: its service worker could not start (${(error as Error).message})`;
  }
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return new Promise<never>(() => {});
}
