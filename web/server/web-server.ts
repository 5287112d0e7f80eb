/*
 * The web server of `npm run web`: serves the page (page-assets.ts) over HTTP and gives each
 * page that opens its WebSocket (SOCKET_PATH) a machine of its own (page-session.ts).
 *
 *   const server = new WebServer({ machine, assets, maxMachines: 4, log });
 *   const { url } = await server.listen(8080, '127.0.0.1');
 *   await server.close();          // ends every machine
 *
 * It starts at most `maxMachines` at once: past that, the page is a short HTML page saying so,
 * and a socket is closed at once with the same words (code 1013, "try again later"), which the
 * page shows. A socket whose Origin is another site's is refused (a page elsewhere cannot drive
 * a machine here); so is any other path. A frame ws cannot take — a message larger than
 * MAX_MESSAGE_BYTES (1009), text that is not UTF-8 (1007), a broken frame (1002) — closes that
 * socket and ends its machine, never the server. Every refusal is a line in the log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_KEYS_LENGTH, SOCKET_PATH } from '../protocol/messages.ts';
import type { PageAssets } from './page-assets.ts';
import { PageSession, type MachineSettings } from './page-session.ts';

/** The largest page message ws accepts: a keys message at its longest, escaped, fits. */
export const MAX_MESSAGE_BYTES = 8 * MAX_KEYS_LENGTH;
/** WebSocket close code for "try again later" (RFC 6455 registry). */
export const TRY_AGAIN_LATER = 1013;

export interface WebServerOptions {
  machine: MachineSettings;
  assets: PageAssets;
  /** Machines (open pages) at once. */
  maxMachines: number;
  log(line: string): void;
}

export class WebServer {
  /** The pages open now, each with its machine. */
  readonly sessions = new Set<PageSession>();
  private readonly http: Server;
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private pages = 0;

  constructor(private readonly options: WebServerOptions) {
    this.http = createServer((request, response) => this.serve(request, response));
    this.http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
  }

  /** Starts listening; resolves with the address to open (port 0 picks a free one). */
  listen(port: number, host: string): Promise<{ url: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const address = this.http.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        resolve({ url: `http://${urlHost(host)}:${bound}/`, port: bound });
      });
    });
  }

  /** Stops listening and ends every machine; resolves once they are gone. */
  async close(): Promise<void> {
    const ended = [...this.sessions].map((session) => session.ended);
    for (const socket of this.sockets.clients) socket.close(1001, 'the server is stopping');
    // close() stops listening and waits for every connection; a browser may keep one open for minutes.
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
    await Promise.all(ended);
  }

  private get full(): boolean {
    return this.sessions.size >= this.options.maxMachines;
  }

  private refusal(): string {
    const { maxMachines } = this.options;
    return `keel: ${maxMachines} ${maxMachines === 1 ? 'machine is' : 'machines are'} running, the most this server starts at once: close another keel page, then reload this one`;
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    const { assets } = this.options;
    const path = new URL(request.url ?? '/', 'http://keel').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'text/plain', 'only GET\n');
    if (path === '/' || path === '/index.html') {
      if (!this.full) return reply(response, 200, 'text/html', assets.html);
      this.options.log(`refused a page: ${running(this.sessions.size)} (--machines ${this.options.maxMachines})`);
      return reply(response, 503, 'text/html', refusalPage(this.refusal()));
    }
    if (path === '/keel.js') return reply(response, 200, 'text/javascript', assets.script);
    if (path === '/keel.css') return reply(response, 200, 'text/css', assets.style);
    if (path === '/favicon.ico') return reply(response, 204, 'text/plain', '');
    reply(response, 404, 'text/plain', `no ${path} here\n`);
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://keel').pathname;
    const origin = request.headers.origin;
    const refuse = (status: string, why: string) => {
      this.options.log(`refused a socket: ${why}`);
      // A client may reset the connection before the refusal is written: no error of the server's.
      socket.on('error', () => {});
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== SOCKET_PATH) return refuse('404 Not Found', `no socket at ${path}`);
    if (origin !== undefined && hostOf(origin) !== request.headers.host) return refuse('403 Forbidden', `it comes from another site's page (${origin})`);
    this.sockets.handleUpgrade(request, socket, head, (webSocket) => this.open(webSocket));
  }

  private open(socket: WebSocket): void {
    if (this.full) {
      this.options.log(`refused a socket: ${running(this.sessions.size)} (--machines ${this.options.maxMachines})`);
      return socket.close(TRY_AGAIN_LATER, this.refusal());
    }
    const number = ++this.pages;
    const session = new PageSession(number, socket, this.options.machine, this.options.log);
    this.sessions.add(session);
    this.options.log(`page ${number}: connected, machine started (${this.sessions.size} running)`);
    // ws has already closed the socket with the right code; unheard, its error would end the whole server.
    socket.on('error', (error: Error & { code?: string }) => {
      const what = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? `a message over ${MAX_MESSAGE_BYTES} bytes` : `a frame the WebSocket protocol does not allow (${error.message})`;
      this.options.log(`page ${number}: ${what}: socket closed`);
    });
    void session.ended.finally(() => this.sessions.delete(session));
  }
}

/** "1 machine is running", "4 machines are running". */
const running = (count: number) => (count === 1 ? '1 machine is running' : `${count} machines are running`);

function reply(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'Content-Type': `${type}; charset=utf-8`,
    'Cache-Control': 'no-store',
    // xterm.js writes <style> elements of its own, hence the inline styles.
    'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

/** The host:port an Origin header names, or null if it is not a URL. */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** The host part of the URL to print: an address that means "every interface" is reached at the loopback one. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function refusalPage(reason: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>keel: no machine free</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 4em auto">
<h1>No machine free</h1>
<p id="refusal">${reason}.</p>
</body></html>
`;
}
