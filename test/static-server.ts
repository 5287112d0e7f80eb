/*
 * A plain static file server for the site's tests, as a course's web space or
 * `python3 -m http.server` serves files: each file of a folder with its content type and no
 * other header — no COOP, COEP or Content-Security-Policy, which the site must do without.
 *
 *   const server = await serveFolder('dist/site');     // server.url: http://127.0.0.1:PORT/
 *   await server.close();
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export interface StaticServer {
  url: string;
  /** Every path asked for, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function serveFolder(folder: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const name = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(name);
    const file = path.join(folder, name === '/' ? 'index.html' : path.normalize(name));
    readFile(file).then(
      (body) => response.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
