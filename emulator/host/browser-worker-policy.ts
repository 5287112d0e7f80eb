/*
 * The Content-Security-Policy to serve the machine's Web Worker with (a worker takes its
 * policy from its script's response). Module code reaches only ECMAScript built-ins once the
 * browser host has sealed the worker's global, but `import()` is syntax, not a global: nothing
 * in the realm can take it away. This policy can: no script may be loaded into the worker
 * (import() of any URL is refused), nothing fetched, and only the crypto worker's Blob URL
 * started; 'unsafe-eval' because the kernel and its modules are compiled from text.
 * Without it, the browser host says so at boot (host/browser-host.ts, importWarning).
 */
export const BROWSER_WORKER_POLICY = "default-src 'none'; script-src 'unsafe-eval'; worker-src blob:";
