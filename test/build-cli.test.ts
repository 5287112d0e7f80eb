/*
 * `npm run build` as a user runs it (a process of build.ts, as the npm script starts it): a
 * module that does not type-check fails the build with a line for each error and nothing
 * written; a ramdisk changed by hand since the build wrote it is not overwritten, and the build
 * says why and what to do. npm start and npm run web build the same way first
 * (scripts/build-then-run.ts), and print their --help without building (scripts.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build/paths.ts';

let folder: string;

function buildCli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'build.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'keel-build-cli-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('npm run build', () => {
  it('fails on a module that does not type-check: a line for each error, exit status 1, nothing written', () => {
    const own = path.join(folder, 'own');
    mkdirSync(path.join(own, 'sloppy'), { recursive: true });
    writeFileSync(path.join(own, 'sloppy', 'package.json'), JSON.stringify({ name: 'sloppy', version: '1.0.0', description: 'two type errors' }));
    writeFileSync(
      path.join(own, 'sloppy', 'index.ts'),
      "import { printk } from 'keel:kernel';\nexport function size(): number {\n  printk(1);\n  return 'big';\n}\nexport function exit(): void {}\n",
    );
    const out = path.join(folder, 'sloppy-dist');
    const run = buildCli(['--modules', own, '--out', out, '--quiet']);
    const file = path.join(own, 'sloppy', 'index.ts');
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: [
        'build: 2 type errors in modules:',
        `  ${file}:3: Argument of type 'number' is not assignable to parameter of type 'string'.`,
        `  ${file}:4: Type 'string' is not assignable to type 'number'.`,
        '',
      ].join('\n'),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('does not overwrite a ramdisk changed by hand since it built it, and says what to do', () => {
    const out = path.join(folder, 'dist');
    expect(buildCli(['--out', out, '--quiet']).status).toBe(0);
    // Built again over its own output: nothing was changed, so it is overwritten.
    expect(buildCli(['--out', out, '--quiet']).status).toBe(0);
    const edited = readFileSync(path.join(out, 'initrd.cpio'));
    edited[edited.length - 1]! ^= 1;
    writeFileSync(path.join(out, 'initrd.cpio'), edited);
    const run = buildCli(['--out', out, '--quiet']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `build: ${path.join(out, 'initrd.cpio')} was changed since the build wrote it; not overwriting it. Boot it as it is with npm run boot, or move it away and build again\n`,
    );
    expect(readFileSync(path.join(out, 'initrd.cpio'))).toEqual(edited);
    rmSync(path.join(out, 'initrd.cpio'));
    expect(buildCli(['--out', out, '--quiet']).status).toBe(0);
  });
});
