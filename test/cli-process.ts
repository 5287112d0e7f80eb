/*
 * Runs the boot CLI (`npm run boot`'s emulator/cli.ts) as a user runs it: a child process with
 * the npm script's node flags, from the project's folder, its output and exit status returned.
 *
 *   const run = runCli(['--dist', dist, '--exec', 'lsmod']);   // { status, stdout, stderr }
 */
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../build.ts';

export const NODE_FLAGS = ['--expose-gc', '--experimental-vm-modules', '--import', 'tsx'];

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], nodeFlags = NODE_FLAGS): CliRun {
  const result = spawnSync(process.execPath, [...nodeFlags, 'emulator/cli.ts', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
