/*
 * The Node globals memfs reaches for, for a sandbox that has none: a `process` with what memfs
 * asks of it (cwd, platform, nextTick, emitWarning) and `Buffer` from the buffer package.
 * esbuild injects these in place of the free names (package.json "keel.inject").
 */
export { Buffer } from 'buffer';

export const process = {
  platform: 'linux',
  env: {} as Record<string, string>,
  cwd: () => '/',
  nextTick: (callback: (...args: unknown[]) => void, ...args: unknown[]) => void Promise.resolve().then(() => callback(...args)),
  emitWarning: () => {},
};
