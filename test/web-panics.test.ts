/*
 * A machine that panics under `npm run web`: its page's terminal gets the panic line before its
 * socket closes — out of memory (the machine thread's --heap) or the watchdog — and every other
 * page's machine keeps running. web.ts in a child process (test/web-server-process.ts), its
 * pages raw WebSockets speaking the page's protocol (keys in, output out).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROJECT_ROOT } from '../build.ts';
import type { ServerMessage } from '../web/protocol/messages.ts';
import { writeBuild } from './harness.ts';
import { startWebServer, type WebServerProcess } from './web-server-process.ts';

const BUILD = { moduleDirs: ['modules', 'test/fixtures/modules', 'test/fixtures/hostile-modules'].map((folder) => path.join(PROJECT_ROOT, folder)) };
let folder: string;
let server: WebServerProcess;

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'keel-web-panics-'));
  await writeBuild(path.join(folder, 'dist'), BUILD);
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `body` with a server started with `args`, stopped after it (with status 0: the server ran on). */
async function withServer(args: string[], body: () => Promise<void>): Promise<void> {
  server = await startWebServer(['--dist', path.join(folder, 'dist'), '--port', '0', ...args]);
  try {
    await body();
  } finally {
    expect(await server.stop()).toBe(0);
  }
}

/** A page's socket: what its terminal was sent (escape sequences left out), and whether its machine halted. */
function openPage() {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}machine`);
  // The terminal's size first, as a page sends it: wide enough that no line read here is wrapped (the terminal wraps output at spaces for its width).
  socket.on('open', () => socket.send(JSON.stringify({ type: 'resize', columns: 200, rows: 50 })));
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as ServerMessage);
    for (const waiter of [...waiters]) waiter();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const screen = (from = 0) => messages.slice(from).flatMap((message) => (message.type === 'output' ? [message.text] : [])).join('').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const until = (pattern: RegExp, from = 0) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (pattern.test(screen(from))) return waiters.delete(check), resolve(screen(from));
        if (messages.some((message) => message.type === 'halted')) waiters.delete(check), reject(new Error(`halted before ${pattern}:\n${screen()}`));
      };
      waiters.add(check);
      check();
    });
  /** Types a command at the prompt and resolves with what it printed up to the next prompt. */
  const run = async (command: string) => {
    await until(/keel# $/);
    const from = messages.length;
    socket.send(JSON.stringify({ type: 'keys', data: `${command}\r` }));
    return until(/\nkeel# $/, from);
  };
  const type = (command: string) => socket.send(JSON.stringify({ type: 'keys', data: `${command}\r` }));
  const halted = () => messages.find((message): message is Extract<ServerMessage, { type: 'halted' }> => message.type === 'halted');
  return { socket, messages, closed, screen, until, run, type, halted };
}

describe('a page whose machine panics', () => {
  it("out of memory: its terminal gets the panic line before the socket closes; the other pages' machines keep answering", () =>
    withServer(['--machines', '4', '--heap', '64M', '--watchdog', '0'], async () => {
      const pages = [openPage(), openPage(), openPage(), openPage()];
      for (const page of pages) expect(await page.run('echo up')).toContain('up\n');
      const [hungry, ...others] = pages;
      await hungry!.run('echo before');
      hungry!.type('call probe-heap heapBomb');
      await hungry!.closed;
      expect(hungry!.screen()).toMatch(/Kernel panic - not syncing: out of memory: the machine's heap reached its limit of 64 MiB \(--heap\) in module probe-heap\r?\n/);
      expect(hungry!.halted()).toMatchObject({ status: 2 });
      for (const page of others) expect(await page.run('modprobe kv; call kv set a b; call kv get a')).toContain('"b"\n');
      expect(await server.line(/^keel: page \d+: machine ended \(the machine halted with status 2\)$/)).toBeTruthy();
      expect(server.lines.join('\n')).not.toMatch(/ERR_WORKER_OUT_OF_MEMORY|^\s+at /m);
      for (const page of others) page.socket.close();
      await server.idle();
    }));

  it('the watchdog: the page shows the panic line naming the module', () =>
    withServer(['--machines', '1', '--watchdog', '1'], async () => {
      const page = openPage();
      await page.run('echo up');
      page.type('call crasher spin');
      await page.closed;
      expect(page.screen()).toMatch(/Kernel panic - not syncing: watchdog: machine stuck for 1s in module crasher\r?\n/);
      expect(page.halted()).toMatchObject({ status: 2 });
      await server.idle();
    }));
});
