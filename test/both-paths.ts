/*
 * One script of shell commands run on both paths a machine runs on: in-process through the
 * test harness (test/harness.ts), and in a worker thread through `npm run boot -- --exec` as a
 * user runs it (test/cli-process.ts). Each case is marked in the script (`echo @@case NAME`),
 * so one boot per path serves many cases, and what each case printed is compared between the
 * two: a difference between the paths is a difference the user would see.
 *
 *   const { inProcess, worker, run } = await runOnBothPaths(cases, { build, dist });
 *   expect(worker.get('bare rejection')).toEqual(inProcess.get('bare rejection'));
 *
 * What a case printed is its lines, with time stamps and durations made alike (`[time]`,
 * `<n> ms`) and sorted: a line the kernel logs to the console from a timer or a rejection
 * comes in the same case on both paths but not always at the same place in it. A case whose
 * output comes after its command returned (a timer, a rejection) ends with `settle`, a short
 * wait on a kernel timer, so that the output lands inside the case on both paths.
 */
import { runCli, type CliRun } from './cli-process.ts';
import { bootKernel, writeBuild, type BootOptions } from './harness.ts';

export interface PathCase {
  name: string;
  commands: string;
  /** Wait on a kernel timer after the commands, for what they leave behind to print (a rejection, a timer). */
  settle?: boolean;
}

export interface BothPaths {
  inProcess: Map<string, string[]>;
  worker: Map<string, string[]>;
  /** The CLI run: its status, stdout and stderr. */
  run: CliRun;
}

const MARK = '@@case ';
const SETTLE = 'call kv getLater settle 50';

export function scriptOf(cases: PathCase[]): string {
  return [...cases.map(({ name, commands, settle }) => `echo "${MARK}${name}"; ${commands}${settle ? `; ${SETTLE}` : ''}`), `echo "${MARK}end"`].join('; ');
}

/** Each case's lines, made alike and sorted, from a transcript; the prompt's echo of the script left out. */
export function casesOf(transcript: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of transcript.split('\n')) {
    if (line.startsWith('keel# ') || line === 'keel#') continue;
    if (line.startsWith(MARK)) found.set(line.slice(MARK.length), (current = []));
    else if (current && line !== '') current.push(line.replace(/^\[\s*\d+\.\d+\]/, '[time]').replace(/\d+(\.\d+)? ms/g, '<n> ms'));
  }
  for (const lines of found.values()) lines.sort();
  return found;
}

/** Runs the cases' script in-process and through the CLI (whose build is written to `dist`). */
export async function runOnBothPaths(cases: PathCase[], options: { boot: BootOptions; dist: string; cliArgs?: string[] }): Promise<BothPaths> {
  const script = scriptOf(cases);
  const kernel = await bootKernel(options.boot);
  let inProcess: string;
  try {
    inProcess = await kernel.run(script);
  } finally {
    await kernel.halt();
  }
  await writeBuild(options.dist, options.boot.build ?? {});
  const run = runCli(['--dist', options.dist, ...(options.boot.cmdline ? ['--cmdline', options.boot.cmdline] : []), ...(options.cliArgs ?? []), '--exec', script]);
  return { inProcess: casesOf(inProcess), worker: casesOf(run.stdout), run };
}
