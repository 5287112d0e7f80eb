/*
 * node:url for the sandbox: memfs accepts file: URLs as paths, through fileURLToPath and an
 * `instanceof URL` test. The sandbox has no URL class; this one makes that test false and
 * refuses to be built.
 */
export function fileURLToPath(url: string | { pathname: string }): string {
  const text = typeof url === 'string' ? url : url.pathname;
  return decodeURIComponent(text.replace(/^file:\/\//, ''));
}

export class URL {
  readonly pathname = '';
  constructor() {
    throw new Error('URLs are not available in the keel root file system; use paths');
  }
}
