/*
 * The host this emulator runs on: Node's. The browser's bundle of the machine worker
 * (build/browser-bundle.ts) resolves the import below to ./browser-host.ts instead, so that
 * nothing else in emulator/ names a host, and no node: module reaches a browser bundle.
 *
 *   import { host } from './host/current-host.ts';
 */
export { host } from './node-host.ts';
