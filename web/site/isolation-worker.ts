/*
 * The site's service worker: it makes the page cross-origin isolated on a static host that
 * sends no special headers. Why: the machine runs in a Web Worker and shares memory with the
 * page (the kernel's frame table, the watchdog's words, the crypto worker's answers), and a
 * browser gives SharedArrayBuffer and Atomics.wait only to a cross-origin isolated page, which
 * takes the response headers COOP `same-origin` and COEP `require-corp`. A service worker may
 * answer its site's requests with responses of its own, so this one fetches each request as
 * usual and answers with the same response plus those headers — and, for the machine's worker
 * script, the Content-Security-Policy that keeps module code from loading any script into it
 * (emulator/host/browser-worker-policy.ts). The same idea as gzuidhof/coi-serviceworker, written
 * small for this site: isolation.ts registers it and reloads the page once.
 */
import { BROWSER_WORKER_POLICY } from '../../emulator/host/browser-worker-policy.ts';
import { SITE_FILES } from './site-files.ts';

/** The few service worker types this uses (the page's types are the DOM's, not a worker's). */
interface FetchEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install', listener: () => void): void;
  addEventListener(type: 'activate', listener: (event: { waitUntil(promise: Promise<unknown>): void }) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
}
declare const self: WorkerScope;

async function isolated(request: Request): Promise<Response> {
  const response = await fetch(request);
  // An opaque response (another site's, no-cors) cannot be re-made; COEP decides whether the page may use it.
  if (response.type === 'opaque' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  if (new URL(request.url).pathname.endsWith(`/${SITE_FILES.machineWorker}`)) headers.set('Content-Security-Policy', BROWSER_WORKER_POLICY);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  // A request only the cache may answer, of another origin, cannot be fetched from here.
  if (event.request.cache === 'only-if-cached' && event.request.mode !== 'same-origin') return;
  event.respondWith(isolated(event.request));
});
