/*
 * The programs outside npm that the tests run: GNU cpio and bsdtar (the ramdisk's interop tests
 * pack and unpack with the tools people use) and Chromium (the web page's tests drive a real
 * browser), and the benchmark's figures 2 and 8. `npm test` runs this first (package.json's
`pretest`; CI through it), and so does `npm run bench` (`prebench`):
 *
 *   tsx scripts/test-tools.ts               # nothing to say when all three are there
 *   tsx scripts/test-tools.ts "npm run bench"   # the command named in its lines (npm test by default)
 *
 * When some are missing and it can install them (root, apt-get on the PATH: these machines and
 * CI), it runs `apt-get update` once and `apt-get install -y` of exactly the missing packages,
 * saying so in one line; otherwise it stops before any test, exit status 1, with one line that
 * names what to install and the command. The decision is a function of a probe (the PATH, what
 * is executable, whether we are root) and an installer, so that it is tested without removing
 * anything (scripts/__tests__/test-tools.test.ts); test/tools.ts gives the tests the same table.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Tool {
  /** What the tests call it: requireTool('cpio'). */
  name: 'cpio' | 'bsdtar' | 'chromium';
  /** How a person knows it. */
  what: string;
  /** The Debian package that installs it. */
  debianPackage: string;
  /** A command looked up on the PATH, or an absolute path (playwright-core launches Chromium at one). */
  command: string;
}

export const TOOLS: readonly Tool[] = [
  { name: 'cpio', what: 'GNU cpio', debianPackage: 'cpio', command: 'cpio' },
  { name: 'bsdtar', what: 'bsdtar', debianPackage: 'libarchive-tools', command: 'bsdtar' },
  { name: 'chromium', what: 'Chromium', debianPackage: 'chromium', command: '/usr/bin/chromium' },
];

/** What the machine looks like, as far as setting up the tools goes. */
export interface Probe {
  /** The PATH, as in the environment. */
  searchPath: string;
  isExecutable(file: string): boolean;
  isRoot: boolean;
}

/** Installs Debian packages; says why not in a few words when it fails. */
export type Installer = (packages: string[]) => { ok: true } | { ok: false; why: string };

/** Whether `command` (a name on the PATH, or an absolute path) can be run. */
export function canRun(command: string, probe: Probe): boolean {
  if (path.isAbsolute(command)) return probe.isExecutable(command);
  return probe.searchPath.split(path.delimiter).some((folder) => folder !== '' && probe.isExecutable(path.join(folder, command)));
}

export const isPresent = (tool: Tool, probe: Probe) => canRun(tool.command, probe);

export const missingTools = (probe: Probe, tools: readonly Tool[] = TOOLS) => tools.filter((tool) => !isPresent(tool, probe));

const listed = (words: string[]) => (words.length < 3 ? words.join(' and ') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);
const installCommand = (tools: Tool[]) => `apt-get install -y ${tools.map((tool) => tool.debianPackage).join(' ')}`;
const named = (tools: Tool[]) => listed(tools.map((tool) => (path.isAbsolute(tool.command) ? `${tool.what} (${tool.command})` : tool.what)));

export interface Setup {
  /** 0: every tool is there (installed now or before); 1: stop before any test. */
  status: 0 | 1;
  /** What to print, each one line; none when nothing was missing. */
  lines: string[];
}

/** Finds the missing tools and installs them when it can, or says in one line what to install. */
export function setUpTools(probe: Probe, install: Installer, { tools = TOOLS, who = 'npm test' }: { tools?: readonly Tool[]; who?: string } = {}): Setup {
  const missing = missingTools(probe, tools);
  if (missing.length === 0) return { status: 0, lines: [] };
  if (!canRun('apt-get', probe)) {
    return { status: 1, lines: [`${who} needs ${named(missing)}, not installed here: install them with your system's package manager (on Debian or Ubuntu: ${installCommand(missing)}), then run ${who} again`] };
  }
  if (!probe.isRoot) return { status: 1, lines: [`${who} needs ${named(missing)}, not installed here: run sudo ${installCommand(missing)}, then ${who} again`] };
  const lines = [`${who}: installing ${missing.map((tool) => tool.debianPackage).join(' ')} with apt-get (${named(missing)}, which it runs)`];
  const result = install(missing.map((tool) => tool.debianPackage));
  if (!result.ok) return { status: 1, lines: [...lines, `${who}: ${installCommand(missing)} failed (${result.why}): install them, then run ${who} again`] };
  const still = missingTools(probe, missing);
  if (still.length > 0) return { status: 1, lines: [...lines, `${who}: ${named(still)} still missing after ${installCommand(missing)}: install them, then run ${who} again`] };
  return { status: 0, lines };
}

/** This machine, as it is now. */
export function hostProbe(): Probe {
  return {
    searchPath: process.env.PATH ?? '',
    isExecutable(file) {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    isRoot: process.getuid?.() === 0,
  };
}

/** apt-get update once, then apt-get install -y of the packages, quietly; the last line apt wrote when it fails. */
export const aptInstaller: Installer = (packages) => {
  const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...packages]]) {
    const run = spawnSync('apt-get', args, { env: environment, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (run.status !== 0) return { ok: false, why: `apt-get ${args[0]}: ${run.stderr?.trim().split('\n').at(-1) || run.error?.message || `exit status ${run.status}`}` };
  }
  return { ok: true };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { status, lines } = setUpTools(hostProbe(), aptInstaller, { who: process.argv[2] });
  for (const line of lines) (status === 0 ? console.log : console.error)(line);
  process.exitCode = status;
}
