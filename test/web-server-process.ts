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
  /** Resolves once every machine it started has ended: each `page N: connected` has its `page N: machine ended`. */
  idle(): Promise<void>;
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
  /** Resolves with what `find` finds in the lines, checking again with each new line. */
  const until = <Found>(find: () => Found | undefined, what: string) =>
    new Promise<Found>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      void exited.then((status) => waiters.has(check) && reject(new Error(`web.ts exited (${status}) before ${what}:\n${lines.join('\n')}`)));
      check();
    });
  const line = (pattern: RegExp, from = 0) => until(() => lines.slice(from).find((text) => pattern.test(text)), `printing ${pattern}`);
  const pages = (pattern: RegExp) => new Set(lines.flatMap((text) => pattern.exec(text)?.[1] ?? []));
  const idle = () =>
    until(() => {
      const ended = pages(/^keel: page (\d+): machine ended/);
      return [...pages(/^keel: page (\d+): connected/)].every((page) => ended.has(page)) ? true : undefined;
    }, 'every machine ended');
  return line(/^keel: open http/).then((opened) => ({
    url: opened.slice('keel: open '.length),
    lines,
    line,
    idle: async () => void (await idle()),
    stop() {
      child.kill('SIGINT');
      return exited;
    },
  }));
}
