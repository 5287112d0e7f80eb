/*
 * node:url for the sandbox: memfs accepts file: URLs as paths, through fileURLToPath.
 */
export function fileURLToPath(url: string | { pathname: string }): string {
  const text = typeof url === 'string' ? url : url.pathname;
  return decodeURIComponent(text.replace(/^file:\/\//, ''));
}

export const URL = globalThis.URL;
