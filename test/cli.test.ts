/*
 * The host CLI end to end, as a user runs it: the run's build written to a temp dist/ on disk, then spawn
 * `node --import tsx emulator/cli.ts --dist DIR --exec "..."` and check stdout, stderr and the
 * exit status (0 all commands succeeded, 1 one failed, 2 boot failure or kernel panic).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FLAGS, runCli, type CliRun } from './cli-process.ts';
import { PROJECT_ROOT } from '../build.ts';
import { writeBuild } from './harness.ts';


const tempDirs: string[] = [];
let dist: string;

function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `keel-cli-${label}-`));
  tempDirs.push(dir);
  return dir;
}


const cli = runCli;

const exec = (commands: string, dir = dist, extra: string[] = []) => cli(['--dist', dir, ...extra, '--exec', commands]);

/** A dist directory holding the good ramdisk and the given boot image. */
function distWithImage(label: string, image: Uint8Array): string {
  const dir = tempDir(label);
  copyFileSync(path.join(dist, 'initrd.cpio'), path.join(dir, 'initrd.cpio'));
  writeFileSync(path.join(dir, 'boot.img'), image);
  return dir;
}

/** stderr is exactly one line, `keel: boot failed: ...`, with no stack trace. */
function expectOneBootFailureLine(run: CliRun): string {
  expect(run.status).toBe(2);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^keel: boot failed: \S/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).not.toMatch(/keel#/);
  return lines[0]!;
}

beforeAll(async () => {
  dist = tempDir('dist');
  await writeBuild(dist);
});

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('cli --exec', () => {
  it('lsmod prints the Linux header and the shell row, exit 0', () => {
    const run = exec('lsmod');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Module                  Size  Used by\n');
    expect(run.stdout).toMatch(/^shell\s+\d+\s+0 \[permanent\]$/m);
    expect(run.status).toBe(0);
  });

  it('modprobe hello; modinfo hello; lsmod; free — all of it, exit 0', () => {
    const run = exec('modprobe hello; modinfo hello; lsmod; free');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^filename:\s+\/lib\/modules\/hello\/1\.0\.0\.js$/m);
    expect(run.stdout).toMatch(/^name:\s+hello$/m);
    expect(run.stdout).toMatch(/^version:\s+1\.0\.0$/m);
    expect(run.stdout).toMatch(/^sha256:\s+[0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/^hello\s+4096  0$/m);
    expect(run.stdout).toMatch(/^shell\s+\d+\s+0 \[permanent\]$/m);
    expect(run.stdout).toMatch(/^Mem:\s+65536\s+\d+\s+\d+\s+KiB$/m);
    expect(run.stdout).toMatch(/^Frames:\s+16384\s+\d+\s+\d+\s+of 4 KiB$/m);
    expect(run.stdout).not.toMatch(/ERROR/);
    expect(run.status).toBe(0);
  });

  it('a failing command makes the exit status 1, and the rest of the line still runs', () => {
    const run = exec('modprobe nosuch; echo still-here; lsmod');
    expect(run.stdout).toContain("modprobe: ERROR: could not insert 'nosuch': module nosuch not found in the ramdisk\n");
    expect(run.stdout).toMatch(/^still-here$/m);
    expect(run.stdout).toContain('Module                  Size  Used by\n');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
  });

  it('an unknown command also fails the run', () => {
    const run = exec('frobnicate; echo after');
    expect(run.stdout).toContain('frobnicate: command not found (try help)\n');
    expect(run.stdout).toMatch(/^after$/m);
    expect(run.status).toBe(1);
  });

  it('halt stops the machine: commands after it do not run, exit 0', () => {
    const run = exec('echo before; halt; echo after');
    expect(run.stdout).toMatch(/^before$/m);
    // The console echoes the typed line, so look for "after" as a line of output only.
    expect(run.stdout).not.toMatch(/^after$/m);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('halt after a failed command exits 1', () => {
    const run = exec('modprobe nosuch; halt');
    expect(run.status).toBe(1);
  });

  // Bug: after `halt` the shell loop writes one more prompt, so the output ends in a dangling
  // "keel# " with no newline (end of input, by contrast, ends the output with "keel# \n").
  it('halt leaves no dangling prompt behind', () => {
    const run = exec('echo before; halt');
    expect(run.stdout.endsWith('\n')).toBe(true);
  });

  it('warns at boot when node runs without --experimental-vm-modules (import() would reach the host)', () => {
    const run = cli(['--dist', dist, '--exec', 'echo ok'], NODE_FLAGS.filter((flag) => flag !== '--experimental-vm-modules'));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^keel: warning: node runs without --experimental-vm-modules, so import\(\) inside the sandbox reaches the host$/m);
    expect(exec('echo ok').stdout).not.toContain('warning');
  });

  it('prints no banner, only the prompt and the commands', () => {
    const run = exec('echo one');
    expect(run.stdout).toBe('keel# echo one\none\nkeel# \n');
  });

  it('a pipeline fails as its last command does: grep finding nothing is status 1', () => {
    expect(exec('lsmod | grep nosuch').status).toBe(1);
    expect(exec('lsmod | grep shell').status).toBe(0);
  });

  it('runs commands piped into it as --exec runs them, and fails as --exec does', () => {
    const run = spawnSync(process.execPath, [...NODE_FLAGS, 'emulator/cli.ts', '--dist', dist], { cwd: PROJECT_ROOT, encoding: 'utf8', input: 'echo piped\nfrobnicate\n' });
    expect(run.stdout).toContain('keel# echo piped\npiped\nkeel# frobnicate\nfrobnicate: command not found (try help)\n');
    expect(run.stdout).not.toContain('keel shell');
    expect(run.status).toBe(1);
  });

  it('ends with status 0 when the input simply ends after good commands', () => {
    const run = exec('echo one; echo two');
    expect(run.stdout).toMatch(/^one\ntwo$/m);
    expect(run.status).toBe(0);
  });
});

/** Child processes still running, ended after the tests if one was left waiting. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill();
});

/**
 * Runs the CLI at a real terminal as a person types: each step's keys are typed once the screen
 * so far (without the terminal's cursor moves and carriage returns) matches its pattern.
 * Resolves with that text and the exit status.
 */
function typedAtTerminal(steps: Array<[waitFor: RegExp, keys: string]>): Promise<{ status: number | null; screen: string }> {
  const command = [process.execPath, ...NODE_FLAGS, 'emulator/cli.ts', '--dist', dist].map((word) => `'${word}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  let raw = '';
  let next = 0;
  const screen = () => raw.replace(/\x1b\[[0-9;]*[A-Za-z]|\r/g, '');
  child.stdout.on('data', (bytes: Buffer) => {
    raw += bytes.toString('utf8');
    while (next < steps.length && steps[next]![0].test(screen())) child.stdin.write(steps[next++]![1]);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      children.delete(child);
      resolve({ status, screen: screen() });
    });
  });
}

describe('cli at a terminal', () => {
  it('Ctrl-C lets go of a call that waits: the callee swaps and unloads, and a late result is dropped, not printed', async () => {
    const run = await typedAtTerminal([
      [/keel# $/, 'call kv getLater a 600000\r'],
      [/getLater a 600000\n$/, '\x03'],
      [/\^C\n+keel# $/, 'swap kv\r'],
      [/quiescent in .*\nkeel# $/, 'call kv getLater a 600000\r'],
      [/quiescent in [^]*getLater a 600000\n$/, '\x03'],
      [/quiescent in [^]*\^C\n+keel# $/, 'rmmod kv\r'],
      [/rmmod kv\n[^]*keel# $/, 'call kv getLater b 200\r'],
      [/getLater b 200\n$/, '\x03'],
      // A call that outlasts the abandoned one: the late result comes while it runs.
      [/getLater b 200\n\^C\n+keel# $/, 'call kv getLater c 400\r'],
      [/getLater c 400\n(.*\n)*keel# $/, 'dmesg | grep -c "abandoned the call"\r'],
      [/abandoned the call"\n\d+\nkeel# $/, 'halt\r'],
    ]);
    expect(run.screen).toMatch(/swap: kv \S+ -> \S+: quiescent in /);
    expect(run.screen).toMatch(/\nkeel# rmmod kv\nkeel# /);
    expect(run.screen).not.toContain('in use');
    // The short call's result is dropped, and dmesg says so; a void call prints nothing.
    expect(run.screen).toMatch(/\nkeel# call kv getLater c 400\nkeel# /);
    expect(run.screen).toMatch(/abandoned the call"\n1\nkeel# /);
    expect(run.status).toBe(0);
  });

  // Keys are typed once the prompt shows, as a person types: keys typed before the terminal is
  // in raw mode are read by the tty's line discipline instead (a Ctrl-D there was an end of file
  // that sometimes never reached the CLI).
  it('greets, runs what is typed, and halt leaves with status 0 though a command failed', async () => {
    const run = await typedAtTerminal([
      [/keel# $/, 'modprobe nosuch\r'],
      [/could not insert 'nosuch'.*\n+keel# $/, 'halt\r'],
    ]);
    expect(run.screen).toContain('keel shell — type help for commands');
    expect(run.screen).toMatch(/keel# modprobe nosuch\n/);
    expect(run.screen).toContain("modprobe: ERROR: could not insert 'nosuch'");
    expect(run.status).toBe(0);
  });

  it('Ctrl-D leaves with status 0 though a command failed', async () => {
    const run = await typedAtTerminal([
      [/keel# $/, 'frobnicate\r'],
      [/frobnicate: command not found.*\n+keel# $/, '\x04'],
    ]);
    expect(run.screen).toContain('frobnicate: command not found');
    expect(run.status).toBe(0);
  });
});

describe('cli usage errors: one line on stderr, exit status 2, no stack', () => {
  it.each([
    ['--bogus', ['--bogus'], 'npm run boot: unknown option --bogus (npm run boot -- --help lists the options)'],
    ['--exec without a value', ['--exec'], 'npm run boot: option --exec needs a value (npm run boot -- --help lists the options)'],
    ['--exec followed by an option', ['--exec', '--mem', '1M'], 'npm run boot: option --exec needs a value: --mem is read as an option (to give it as the value, write --exec=--mem) (npm run boot -- --help lists the options)'],
    ['a stray argument', ['lsmod'], "npm run boot: unexpected argument 'lsmod' (npm run boot -- --help lists the options)"],
    ['--mem -64M', ['--mem', '-64M'], 'npm run boot: option --mem needs a value: -64M is read as an option (to give it as the value, write --mem=-64M) (npm run boot -- --help lists the options)'],
    ['--mem=-64M', ['--mem=-64M', '--exec', 'lsmod'], 'keel: boot failed: --mem -64M: expected a size such as 64M'],
    ['--mem 99999G', ['--mem', '99999G', '--exec', 'lsmod'], 'keel: boot failed: --mem 99999G: more than this host can give a machine (at most 4G)'],
    ['--mem 0', ['--mem', '0', '--exec', 'lsmod'], 'keel: boot failed: --mem 0: memory size must be a positive multiple of 4096 bytes'],
    ['--quiet, which boot does not take', ['--quiet'], 'npm run boot: unknown option --quiet (npm run boot -- --help lists the options)'],
    // Read as npm run web and site read it (emulator/machine-options.ts): it took any number, 1e9 s or half a second, before.
    ['--watchdog 1e9', ['--watchdog', '1e9', '--exec', 'lsmod'], 'keel: boot failed: --watchdog 1e9: expected a whole number from 0 to 3600'],
    ['--watchdog 0.5', ['--watchdog', '0.5', '--exec', 'lsmod'], 'keel: boot failed: --watchdog 0.5: expected a whole number from 0 to 3600'],
    ['--watchdog ten', ['--watchdog', 'ten', '--exec', 'lsmod'], 'keel: boot failed: --watchdog ten: expected a whole number from 0 to 3600'],
  ])('%s', (_case, args, line) => {
    const run = cli(['--dist', dist, ...args]);
    expect([run.status, run.stderr]).toEqual([2, `${line}\n`]);
    expect(run.stdout).toBe('');
  });

  it('--help lists every option and exits 0', () => {
    const run = cli(['--help']);
    expect(run.status).toBe(0);
    for (const option of ['--dist DIR', '--mem SIZE', '--cmdline', '--exec', '--watchdog SECONDS', '--help']) expect(run.stdout).toContain(option);
  });
});

describe('cli memory size', () => {
  it('--mem too small for the image: exit 2 and one clear line', () => {
    // 64K is the firmware's own area alone. (1M, by contrast, is plenty for today's image and the kernel module.)
    const line = expectOneBootFailureLine(exec('lsmod', dist, ['--mem', '64K']));
    expect(line).toMatch(/not enough memory: 64 KiB is too small/);
  });

  /** KiB for the firmware's area and the image's sections, rounded to frames, and `more` frames (the ramdisk is mapped above RAM, not in it). */
  function placedKib(more: number): number {
    const image = readFileSync(path.join(dist, 'boot.img'));
    const frames = (bytes: number) => Math.ceil(bytes / 4096);
    return 4 * (16 + frames(image.readUInt32LE(12)) + frames(image.readUInt32LE(16)) + more);
  }

  /** The kernel module's size, as the index in the ramdisk gives it. */
  function kernelBytes(): number {
    const initrd = readFileSync(path.join(dist, 'initrd.cpio'), 'latin1');
    return Number(/"name":"kernel","version":"[^"]+","description":"[^"]*","path":"[^"]+","size":(\d+)/.exec(initrd)![1]);
  }

  it('--mem that fits the image but leaves no room for the kernel module: the bootstrap panics, exit 2', () => {
    // Exactly firmware + image sections: the firmware can place them, and not one frame is left.
    const run = exec('lsmod', dist, ['--mem', `${placedKib(0)}K`]);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`^Kernel panic - not syncing: bootstrap: not enough memory for kernel 1\\.0\\.0: ${kernelBytes()} bytes, 0 free$`, 'm'));
    expect(run.stdout).not.toMatch(/keel#/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('--mem that fits the image and the kernel but leaves no room for the init module: kernel panic, exit 2', () => {
    const run = exec('lsmod', dist, ['--mem', `${placedKib(Math.ceil(kernelBytes() / 4096))}K`]);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/^Kernel panic - not syncing: No working init found \(init=shell: .*out of memory/m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('--mem that is not a size: exit 2 and one clear line', () => {
    expect(expectOneBootFailureLine(exec('lsmod', dist, ['--mem', 'lots']))).toMatch(/--mem lots/);
  });

  it('--mem that is not a multiple of the frame size: exit 2 and one line, no stack trace', () => {
    expectOneBootFailureLine(exec('lsmod', dist, ['--mem', '1000']));
  });
});

describe('cli boot failures', () => {
  const goodImage = () => new Uint8Array(readFileSync(path.join(dist, 'boot.img')));

  it('a boot image with bad magic: exit 2, one line, no stack trace', () => {
    const image = goodImage();
    image.set(Buffer.from('BADMAGIC', 'latin1'), 0);
    expect(expectOneBootFailureLine(exec('lsmod', distWithImage('magic', image)))).toMatch(/magic/);
  });

  it('a boot image shorter than its header: exit 2, one line, no stack trace', () => {
    const image = goodImage().subarray(0, 40);
    expect(expectOneBootFailureLine(exec('lsmod', distWithImage('short', image)))).toMatch(/too short/);
  });

  it('a boot image with one flipped byte in its code: exit 2, one line naming the hash', () => {
    const image = goodImage();
    image[64 + Math.floor((image.length - 64) / 2)]! ^= 0x01;
    expect(expectOneBootFailureLine(exec('lsmod', distWithImage('flip', image)))).toMatch(/sha256 mismatch/);
  });

  it('a truncated boot image: exit 2, one line, no stack trace', () => {
    const image = goodImage();
    expect(expectOneBootFailureLine(exec('lsmod', distWithImage('trunc', image.subarray(0, image.length - 5))))).toMatch(/truncated/);
  });

  it('a dist with the image but no initrd.cpio: exit 2, one line naming the ramdisk and what to do', () => {
    const folder = tempDir('no-initrd');
    copyFileSync(path.join(dist, 'boot.img'), path.join(folder, 'boot.img'));
    const line = expectOneBootFailureLine(exec('lsmod', folder));
    expect(line).toBe(`keel: boot failed: cannot read ${path.join(folder, 'initrd.cpio')} (run npm run build first)`);
  });

  it('a missing dist directory: exit 2, one line that says what to do', () => {
    const missing = path.join(tempDir('missing'), 'no-such-dist');
    const line = expectOneBootFailureLine(exec('lsmod', missing));
    expect(line).toContain(path.join(missing, 'boot.img'));
    expect(line).toMatch(/npm run build/);
  });

  it('a corrupt ramdisk: the kernel panics naming the ramdisk, exit 2', () => {
    const dir = tempDir('ramdisk');
    copyFileSync(path.join(dist, 'boot.img'), path.join(dir, 'boot.img'));
    const initrd = readFileSync(path.join(dist, 'initrd.cpio'));
    initrd.write('X', 0, 'latin1');
    writeFileSync(path.join(dir, 'initrd.cpio'), initrd);
    const run = exec('lsmod', dir);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/^Kernel panic - not syncing: .*ramdisk.*$/m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
