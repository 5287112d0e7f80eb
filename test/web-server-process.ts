/*
 * `npm run web` as a test runs it: web.ts in a child process (after the build the test wrote),
 * its log read line by line as it comes. Nothing waits on a clock: `line(pattern)` resolves
 * when a line matching it has been printed, and the test runner's timeout is the only limit.
 *
 *   const server = await startWebServer(['--dist', dist, '--port', '0']);
 *   await page.goto(server.url);
 *   await server.line(/page 1: machine ended/);
 *   await server.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { PROJECT_ROOT } from '../build.ts';

export interface WebServerProcess {
  /** The address it printed: keel: open URL. */
  url: string;
  /** Every line it printed so far, stdout and stderr. */
  readonly lines: string[];
  /** Resolves with the first line from `from` on (default: any) that matches. */
  line(pattern: RegExp, from?: number): Promise<string>;
  /** Stops it as Ctrl-C does; resolves with its exit status. */
  stop(): Promise<number | null>;
}

export function startWebServer(args: string[]): Promise<WebServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--experimental-vm-modules', '--import', 'tsx', 'web.ts', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (text) => {
      lines.push(text);
      for (const waiter of [...waiters]) waiter();
    });
  }
  const line = (pattern: RegExp, from = 0) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.slice(from).find((text) => pattern.test(text));
        if (found === undefined) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      void exited.then((status) => waiters.has(check) && reject(new Error(`web.ts exited (${status}) before printing ${pattern}:\n${lines.join('\n')}`)));
      check();
    });
  return line(/^keel: open http/).then((opened) => ({
    url: opened.slice('keel: open '.length),
    lines,
    line,
    stop() {
      child.kill('SIGINT');
      return exited;
    },
  }));
}
