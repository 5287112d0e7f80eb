/*
 * Every npm script is a well-behaved command line (scripts/arguments.ts), checked through a
 * real process of each: --help prints a usage naming every option and exits 0; an unknown
 * option, an option without its value or an argument it does not take is one line on stderr
 * and exit status 2, never parseArgs' error with its stack. (npm run boot's own cases are in
 * cli.test.ts; every variant of the messages in scripts/__tests__/arguments.test.ts.) Each
 * script stops at its arguments, before building or booting anything.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build/paths.ts';

const SCRIPTS: Record<string, { file: string; options: string[]; valued: string }> = {
  build: { file: 'build.ts', options: ['--out DIR', '--modules DIR', '--quiet'], valued: '--out' },
  dev: { file: 'dev.ts', options: ['--mem SIZE', '--cmdline', '--watchdog SECONDS', '--heap SIZE'], valued: '--mem' },
  sim: { file: 'sim.ts', options: ['--seed N', '--steps K', '--seeds M', '--jobs J', '--break KIND@STEP', '--verbose'], valued: '--steps' },
  bench: { file: 'bench/run.ts', options: ['--quick', '--results FILE'], valued: '--results' },
  'new-module': { file: 'scripts/new-module.ts', options: ['NAME'], valued: '' },
  web: { file: 'web.ts', options: ['--port PORT', '--host ADDRESS', '--machines N', '--dist DIR', '--mem SIZE', '--cmdline', '--watchdog SECONDS', '--heap SIZE'], valued: '--port' },
  site: { file: 'site.ts', options: ['--out DIR', '--dist DIR', '--mem SIZE', '--cmdline', '--watchdog SECONDS'], valued: '--out' },
};

function run(file: string, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const usageError = (script: string, message: string) => `npm run ${script}: ${message} (npm run ${script} -- --help lists the options)\n`;

describe.each(Object.entries(SCRIPTS))('npm run %s', (script, { file, options, valued }) => {
  it('--help prints a usage with every option and exits 0', () => {
    const help = run(file, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^usage: npm run ${script} -- \\[options\\]`));
    for (const option of [...options, '-h, --help']) expect(help.stdout).toContain(option);
  });

  it('an unknown option is one line and exit status 2', () => {
    expect(run(file, ['--bogus'])).toEqual({ status: 2, stdout: '', stderr: usageError(script, 'unknown option --bogus') });
  });

  // new-module takes no option with a value: for it there is no such case, rather than a skipped one.
  if (valued) it('an option without its value is one line and exit status 2', () => {
    expect(run(file, [valued])).toEqual({ status: 2, stdout: '', stderr: usageError(script, `option ${valued} needs a value`) });
  });

  it('an argument it does not take is one line and exit status 2', () => {
    const args = script === 'new-module' ? ['one', 'two'] : ['stray'];
    expect(run(file, args)).toEqual({ status: 2, stdout: '', stderr: usageError(script, `unexpected argument '${args.at(-1)}'`) });
  });
});

describe('npm run site refuses what it cannot use', () => {
  it.each([
    ['--watchdog=-1', ['--watchdog=-1'], '--watchdog -1: expected a whole number from 0 to 3600'],
    ['--watchdog 7200', ['--watchdog', '7200'], '--watchdog 7200: expected a whole number from 0 to 3600'],
    ['--mem lots', ['--mem', 'lots']],
  ])('%s', (_case, args, message?: string) => {
    const result = run('site.ts', args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message ? usageError('site', message) : /^npm run site: .*\(npm run site -- --help lists the options\)\n$/);
  });

  it('--dist with no build', () => {
    expect(run('site.ts', ['--dist', '/nonexistent-keel-dist', '--out', '/nonexistent-keel-dist/site'])).toEqual({ status: 1, stdout: '', stderr: 'keel: cannot read /nonexistent-keel-dist/boot.img (run npm run build first)\n' });
  });
});

describe('npm run dev refuses a watchdog period as npm start and npm run web do, before it builds', () => {
  it.each(['0.5', '1e9', '-1'])('--watchdog=%s', (seconds) => {
    expect(run('dev.ts', [`--watchdog=${seconds}`])).toEqual({ status: 2, stdout: '', stderr: `dev: boot failed: --watchdog ${seconds}: expected a whole number from 0 to 3600\n` });
  });
});

describe('npm run sim refuses counts and breaks it cannot run (the other cases: sim/__tests__/options.test.ts)', () => {
  it.each([
    ['--steps 0', ['--steps', '0'], '--steps 0: expected a whole number of at least 1'],
    ['--steps=-5', ['--steps=-5'], '--steps -5: expected a whole number of at least 1'],
    ['--break past the run\'s end', ['--steps', '100', '--break', 'frames@100'], "--break frames@100: step 100 is past the run's end (its steps are 0 to 99)"],
  ])('%s', (_case, args, message) => {
    expect(run('sim.ts', args)).toEqual({ status: 2, stdout: '', stderr: usageError('sim', message) });
  });
});

describe('npm run web refuses numbers it cannot use (a port in use: web-refusals.test.ts)', () => {
  it.each([
    ['--port 70000', ['--port', '70000'], '--port 70000: expected a whole number from 0 to 65535'],
    ['--port http', ['--port', 'http'], '--port http: expected a whole number from 0 to 65535'],
    ['--machines 0', ['--machines', '0'], '--machines 0: expected a whole number from 1 to 64'],
    ['--heap 16M', ['--heap', '16M'], '--heap 16M: expected a whole number of megabytes from 32M to 64G, such as 512M'],
    ['--watchdog -1', ['--watchdog=-1'], '--watchdog -1: expected a whole number from 0 to 3600'],
  ])('%s', (_case, args, message) => {
    expect(run('web.ts', args)).toEqual({ status: 2, stdout: '', stderr: usageError('web', message) });
  });
});

describe('npm start, npm run web and npm run site build first, but not for --help', () => {
  const scripts = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  /** When the project's dist/ was last built (its record of what it wrote), or null if never. */
  const lastBuilt = () => statSync(path.join(PROJECT_ROOT, 'dist', 'build-sums.json'), { throwIfNoEntry: false })?.mtimeMs ?? null;

  it.each([
    ['start', '^npm start builds keel \\(as npm run build does\\), then boots it as npm run boot does; it takes the options of npm run boot:\n\nusage: npm run boot -- \\[options\\]'],
    ['web', '^usage: npm run web -- \\[options\\]'],
    ['site', '^npm run site builds keel \\(as npm run build does\\), then writes the site from it:\n\nusage: npm run site -- \\[options\\]'],
  ])('npm run %s -- --help prints the usage and builds nothing', (script, usage) => {
    expect(scripts[script]).toContain('scripts/build-then-run.ts');
    const before = lastBuilt();
    const result = spawnSync('npm', ['run', '--silent', script, '--', '--help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(usage));
    expect(lastBuilt()).toBe(before);
  });

  it("npm run web -- --help says why its machines have 16M where npm start's has 64M", () => {
    const help = run('web.ts', ['--help']).stdout;
    expect(help).toMatch(/--mem SIZE +physical memory of each machine: .*16M, not npm start's 64M: .*\(default: 16M\)/);
    expect(run('emulator/cli.ts', ['--help']).stdout).toMatch(/--mem SIZE .*\(default: 64M\)/);
  });
});

describe('the npm scripts that boot machines ask for huge pages (bench/README.md, figure 2)', () => {
  const scripts = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  // Every script that runs machines passes --experimental-vm-modules (the sandbox's import() guard).
  const booting = Object.entries(scripts).filter(([, command]) => command.includes('--experimental-vm-modules'));

  it('each starts node with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, read only at process start: placing a ramdisk is page faults', () => {
    expect(booting.map(([name]) => name).sort()).toEqual(['bench', 'boot', 'dev', 'sim', 'start', 'web']);
    for (const [name, command] of booting) expect(command, name).toMatch(/^GLIBC_TUNABLES=glibc\.malloc\.hugetlb=1 node /);
  });
});
