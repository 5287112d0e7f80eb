/*
 * npm test's first step (scripts/test-tools.ts) on machines made up for the test: a probe that
 * says which files are executable and whether we are root, and an installer that records what
 * it was asked for. Nothing is removed from or installed on this machine.
 */
import { describe, expect, it } from 'vitest';
import { requireTool, requireToolsOf } from '../../test/tools.ts';
import { setUpTools, type Installer, type Probe } from '../test-tools.ts';

const ALL = ['/usr/bin/cpio', '/usr/bin/bsdtar', '/usr/bin/chromium', '/usr/bin/apt-get'];

/** A machine with PATH /usr/local/bin:/usr/bin holding `files`; `installs` are the files an install adds. */
function machine(files: string[], { isRoot = true, installs = [] as string[] } = {}): { probe: Probe; install: Installer; asked: string[][] } {
  const present = new Set(files);
  const asked: string[][] = [];
  return {
    probe: { searchPath: '/usr/local/bin:/usr/bin', isExecutable: (file) => present.has(file), isRoot },
    install: (packages) => {
      asked.push(packages);
      for (const file of installs) present.add(file);
      return { ok: true };
    },
    asked,
  };
}

describe('npm test, before any test, on a machine', () => {
  it('with every tool: says nothing and installs nothing', () => {
    const { probe, install, asked } = machine(ALL);
    expect(setUpTools(probe, install)).toEqual({ status: 0, lines: [] });
    expect(asked).toEqual([]);
  });

  it('finds a tool in any folder of the PATH', () => {
    const { probe, install } = machine(['/usr/local/bin/cpio', '/usr/bin/bsdtar', '/usr/bin/chromium']);
    expect(setUpTools(probe, install).status).toBe(0);
  });

  it('as root with apt-get: installs exactly the missing packages, in one line, and goes on', () => {
    const { probe, install, asked } = machine(['/usr/bin/apt-get', '/usr/bin/bsdtar'], { installs: ['/usr/bin/cpio', '/usr/bin/chromium'] });
    expect(setUpTools(probe, install)).toEqual({ status: 0, lines: ['npm test: installing cpio chromium with apt-get (GNU cpio and Chromium (/usr/bin/chromium), which it runs)'] });
    expect(asked).toEqual([['cpio', 'chromium']]);
  });

  it('as root with apt-get, the three missing: one install of the three packages', () => {
    const { probe, install, asked } = machine(['/usr/bin/apt-get'], { installs: ALL });
    expect(setUpTools(probe, install).lines).toEqual(['npm test: installing cpio libarchive-tools chromium with apt-get (GNU cpio, bsdtar and Chromium (/usr/bin/chromium), which it runs)']);
    expect(asked).toEqual([['cpio', 'libarchive-tools', 'chromium']]);
  });

  it('not root: stops in one line naming what to install and the command, and installs nothing', () => {
    const { probe, install, asked } = machine(['/usr/bin/apt-get', '/usr/bin/cpio'], { isRoot: false });
    expect(setUpTools(probe, install)).toEqual({ status: 1, lines: ['npm test needs bsdtar and Chromium (/usr/bin/chromium), not installed here: run sudo apt-get install -y libarchive-tools chromium, then npm test again'] });
    expect(asked).toEqual([]);
  });

  it('without apt-get: stops in one line naming the tools and the Debian command', () => {
    const { probe, install, asked } = machine(['/usr/bin/bsdtar', '/usr/bin/chromium']);
    expect(setUpTools(probe, install)).toEqual({
      status: 1,
      lines: ["npm test needs GNU cpio, not installed here: install them with your system's package manager (on Debian or Ubuntu: apt-get install -y cpio), then run npm test again"],
    });
    expect(asked).toEqual([]);
  });

  it('for npm run bench: the same lines, naming it', () => {
    const { probe, install } = machine(['/usr/bin/apt-get', '/usr/bin/cpio', '/usr/bin/bsdtar'], { isRoot: false });
    expect(setUpTools(probe, install, { who: 'npm run bench' }).lines).toEqual(['npm run bench needs Chromium (/usr/bin/chromium), not installed here: run sudo apt-get install -y chromium, then npm run bench again']);
  });

  it('an install that fails: stops, saying which command failed and why', () => {
    const { probe, asked } = machine(['/usr/bin/apt-get', '/usr/bin/cpio', '/usr/bin/bsdtar']);
    const failing: Installer = (packages) => (asked.push(packages), { ok: false, why: 'apt-get update: E: could not resolve deb.debian.org' });
    const setup = setUpTools(probe, failing);
    expect(setup.status).toBe(1);
    expect(setup.lines.at(-1)).toBe('npm test: apt-get install -y chromium failed (apt-get update: E: could not resolve deb.debian.org): install them, then run npm test again');
    expect(asked).toEqual([['chromium']]);
  });

  it('an install that succeeds but leaves a tool missing: stops, naming it', () => {
    const { probe, install } = machine(['/usr/bin/apt-get'], { installs: ['/usr/bin/cpio', '/usr/bin/bsdtar'] });
    const setup = setUpTools(probe, install);
    expect(setup.status).toBe(1);
    expect(setup.lines.at(-1)).toBe('npm test: Chromium (/usr/bin/chromium) still missing after apt-get install -y cpio libarchive-tools chromium: install them, then run npm test again');
  });
});

describe('a test that runs a tool the machine lacks (test/tools.ts)', () => {
  const bare = machine(['/usr/bin/apt-get']).probe;

  it('fails with the tool, its package and the command, never "expected null to be +0"', () => {
    expect(() => requireTool('bsdtar', bare)).toThrow(
      new Error('bsdtar is not installed and this test runs it: install the Debian package libarchive-tools (apt-get install -y libarchive-tools), or run npm test, which installs it when it can'),
    );
    expect(() => requireTool('chromium', bare)).toThrow(/^Chromium \(\/usr\/bin\/chromium\) is not installed and this test runs it: install the Debian package chromium /);
  });

  it('finds the tools a shell command runs, and only those', () => {
    expect(() => requireToolsOf('find . | LC_ALL=C sort | cpio -o -H newc --quiet', bare)).toThrow(/^GNU cpio is not installed/);
    expect(() => requireToolsOf('(find etc | cpio -o -H newc; bsdtar --format newc -cf - lib)', machine(['/usr/bin/cpio']).probe)).toThrow(/^bsdtar /);
    expect(() => requireToolsOf('find . -name cpio.txt', bare)).not.toThrow();
    expect(() => requireToolsOf('gzip -9 < ramdisk', bare)).not.toThrow();
  });
});
