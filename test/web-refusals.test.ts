/*
 * What `npm run web` refuses, and that no refusal costs more than the socket it came on: web.ts
 * in a child process (test/web-server-process.ts), spoken to as a hostile page would, over raw
 * WebSockets (ws) and HTTP requests (fetch), no browser. A message that is not the protocol's
 * is refused, logged, and never reaches the machine; a frame ws cannot take closes its socket
 * and ends its machine, and the server runs on; a socket from another site's page, or at
 * another path, is refused; a command line it cannot serve from is one line and exit status 2.
 * (The page's own behaviour, in Chromium: web.test.ts. Usage errors: scripts.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../web/protocol/messages.ts';
import { LOGGED_REFUSALS } from '../web/watcher/machine-session.ts';
import { MAX_MESSAGE_BYTES } from '../web/server/web-server.ts';
import { writeBuild } from './harness.ts';
import { startWebServer, type WebServerProcess } from './web-server-process.ts';

let folder: string;
let server: WebServerProcess;

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'keel-web-refusals-'));
  await writeBuild(path.join(folder, 'dist'));
  server = await startWebServer(['--dist', path.join(folder, 'dist'), '--port', '0', '--machines', '2']);
});

/** Every socket a test opened: closed after it, passed or failed, and the next test starts once their machines are gone. */
const opened = new Set<WebSocket>();
afterEach(async () => {
  for (const socket of opened) if (socket.readyState === WebSocket.OPEN) socket.terminate();
  opened.clear();
  await server.idle();
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  rmSync(folder, { recursive: true, force: true });
});

type MessageOf<Type extends ServerMessage['type']> = Extract<ServerMessage, { type: Type }>;

/** A WebSocket to the server, as a page's script would open one, keeping every message it is sent. */
function openSocket(at = 'machine', headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}${at}`, { headers });
  opened.add(socket);
  const messages: ServerMessage[] = [];
  const listeners = new Set<() => void>();
  let closedWith: { code: number; reason: string } | null = null;
  const heard = () => [...listeners].forEach((listener) => listener());
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as ServerMessage);
    heard();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      closedWith = { code, reason: String(reason) };
      resolve(closedWith);
      heard();
    }),
  );
  /** The HTTP status of a refused upgrade. */
  const refused = new Promise<number>((resolve) => socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)));
  /** Resolves with the first message of `type` from index `from` on that `matching` accepts; rejects if the socket closes first. */
  const next = <Type extends ServerMessage['type']>(type: Type, from = 0, matching: (message: MessageOf<Type>) => boolean = () => true) =>
    new Promise<MessageOf<Type>>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find((message): message is MessageOf<Type> => message.type === type && matching(message as MessageOf<Type>));
        if (found || closedWith) listeners.delete(check);
        if (found) resolve(found);
        else if (closedWith) reject(new Error(`the socket closed (${closedWith.code} ${closedWith.reason}) before a ${type} message came`));
      };
      listeners.add(check);
      check();
    });
  /** Sends `message` and resolves with the server's refusal of it. */
  const refusalOf = async (message: string | Buffer) => {
    const from = messages.length;
    socket.send(message);
    return (await next('refused', from)).reason;
  };
  const printedSince = (from: number) => messages.slice(from).flatMap((message) => (message.type === 'output' ? [message.text] : [])).join('');
  const prompted = (from: number) => next('output', from, () => /keel# (\x1b\[\d+G)?$/.test(printedSince(from)));
  /**
   * Once the shell's prompt is up, types a command as keys and resolves with the console output
   * up to the next prompt, without the terminal's cursor moves (where it puts the cursor before
   * echoing depends on how the keys arrive, one message or several).
   */
  const run = async (command: string) => {
    await prompted(0);
    const from = messages.length;
    socket.send(JSON.stringify({ type: 'keys', data: `${command}\r` }));
    await prompted(from);
    return printedSince(from).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  };
  return { socket, messages, closed, refused, next, refusalOf, run };
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('npm run web refuses what is not the protocol, and runs on', () => {
  it('refuses a protocol message that is not one, logs it, and passes nothing of it to the machine', async () => {
    const page = openSocket();
    const from = server.lines.length;
    await page.next('hello');
    const attempts: Array<[string | Buffer, string]> = [
      ['halt\r', 'not JSON'],
      ['{"type":"line","line":"halt","atPrompt":true}', 'unknown type "line"'],
      ['{"type":"channel","header":"{\\"kind\\":\\"module\\"}","bytes":[]}', 'unknown type "channel"'],
      ['{"type":"keys","data":["halt"]}', 'keys: data must be a string'],
      ['{"type":"keys","data":"halt\\r","then":"more"}', 'keys: unexpected field "then"'],
      ['{"type":"resize","columns":0,"rows":24}', 'resize: columns must be a whole number from 20 to 1000'],
      ['{"type":"drawn","sequence":123456}', 'drawn: update 123456 is not the one being drawn'],
      [Buffer.from('halt\r'), 'a binary message'],
    ];
    for (const [message, reason] of attempts) {
      expect(await page.refusalOf(message)).toBe(reason);
      expect(await server.line(new RegExp(`refused a message: ${escaped(reason)}$`), from)).toMatch(/^keel: page \d+: refused a message: /);
    }
    // The machine never saw any of it: it still runs, and no line of its console says halt.
    expect(await page.run('uname')).toMatch(/^uname\r\nkeel\n/);
    const output = page.messages.flatMap((message) => (message.type === 'output' ? [message.text] : [])).join('');
    expect(output).not.toMatch(/keel# halt/);
    expect(page.messages.some((message) => message.type === 'halted')).toBe(false);
    page.socket.close();
  });

  it(`names at most ${LOGGED_REFUSALS} refused messages of a page in the log, and still answers every one`, async () => {
    const from = server.lines.length;
    const page = openSocket();
    expect((await page.next('hello')).frames).toBe(4096);
    const connected = await server.line(/^keel: page \d+: connected/, from);
    const number = /page (\d+)/.exec(connected)![1];
    for (let attempt = 0; attempt < LOGGED_REFUSALS + 5; attempt++) expect(await page.refusalOf(`not json ${attempt}`)).toBe('not JSON');
    page.socket.close();
    // The machine's end is logged after every refusal, so the log holds all it ever will of them.
    await server.line(new RegExp(`^keel: page ${number}: machine ended`));
    const logged = server.lines.filter((line) => line.startsWith(`keel: page ${number}: refused a message`));
    expect(logged).toHaveLength(LOGGED_REFUSALS);
    expect(server.lines.filter((line) => line === `keel: page ${number}: further refused messages are not logged`)).toHaveLength(1);
  });

  it.each([
    ['a message over the size limit', 'x'.repeat(MAX_MESSAGE_BYTES + 1), 1009, `a message over ${MAX_MESSAGE_BYTES} bytes: socket closed`],
    ['text that is not UTF-8', Buffer.from([0x6c, 0xff, 0xfe]), 1007, 'a frame the WebSocket protocol does not allow (Invalid WebSocket frame: invalid UTF-8 sequence): socket closed'],
  ])('closes a socket that sends %s, ends its machine, and serves the next page', async (_case, payload, code, logged) => {
    const page = openSocket();
    await page.next('hello');
    const from = server.lines.length;
    page.socket.send(payload, { binary: false });
    expect((await page.closed).code).toBe(code);
    expect(await server.line(/: socket closed$/, from)).toMatch(new RegExp(`^keel: page \\d+: ${escaped(logged)}$`));
    await server.line(/machine ended \(its page closed\)/, from);
    const next = openSocket();
    expect(await next.run('uname')).toMatch(/\nkeel\n/);
    next.socket.close();
  });

  it('refuses a socket opened by another site’s page, and one at a path it does not serve', async () => {
    const from = server.lines.length;
    expect(await openSocket('machine', { Origin: 'http://elsewhere.example' }).refused).toBe(403);
    expect(await server.line(/refused a socket/, from)).toBe("keel: refused a socket: it comes from another site's page (http://elsewhere.example)");
    expect(await openSocket('elsewhere').refused).toBe(404);
    expect(await server.line(/refused a socket: no socket/, from)).toBe('keel: refused a socket: no socket at /elsewhere');
  });

  it('answers a path it does not serve with 404, and a request other than GET with 405', async () => {
    const missing = await fetch(`${server.url}secrets.txt`);
    expect([missing.status, await missing.text()]).toEqual([404, 'no /secrets.txt here\n']);
    const posted = await fetch(server.url, { method: 'POST', body: '{"type":"keys","data":"halt\\r"}' });
    expect([posted.status, await posted.text()]).toEqual([405, 'only GET\n']);
  });
});

describe('npm run web says in one line why it cannot serve, exit status 2', () => {
  const dist = () => path.join(folder, 'dist');

  it('a port in use', async () => {
    const port = new URL(server.url).port;
    await expect(startWebServer(['--dist', dist(), '--port', port])).rejects.toThrow(
      `web.ts exited (2) before printing /^keel: open http/:\nkeel: cannot listen on 127.0.0.1:${port}: the port is in use (another npm run web? try --port)`,
    );
  });

  it('an address this machine does not have', async () => {
    await expect(startWebServer(['--dist', dist(), '--port', '0', '--host', '203.0.113.1'])).rejects.toThrow(
      'web.ts exited (2) before printing /^keel: open http/:\nkeel: cannot listen on 203.0.113.1:0: no such address on this machine',
    );
  });

  it('no build in --dist', async () => {
    const nowhere = path.join(folder, 'nowhere');
    await expect(startWebServer(['--dist', nowhere, '--port', '0'])).rejects.toThrow(
      `web.ts exited (2) before printing /^keel: open http/:\nkeel: cannot read ${path.join(nowhere, 'boot.img')} (run npm run build first)`,
    );
  });

  it('a machine too small for the build: the page is told why it did not boot, and the log says so', async () => {
    const small = await startWebServer(['--dist', dist(), '--port', '0', '--mem', '64K']);
    const page = new WebSocket(`${small.url.replace('http', 'ws')}machine`);
    const halted = await new Promise<MessageOf<'halted'>>((resolve) =>
      page.on('message', (data) => {
        const message = JSON.parse(String(data)) as ServerMessage;
        if (message.type === 'halted') resolve(message);
      }),
    );
    expect(halted.reason).toMatch(/^boot failed: not enough memory: 64 KiB is too small for the boot image$/);
    expect(await small.line(/machine ended/)).toMatch(/^keel: page 1: machine ended \(boot failed: not enough memory: 64 KiB is too small/);
    expect(await small.stop()).toBe(0);
  });
});
