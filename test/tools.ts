/*
 * The one door for a test that runs a program outside npm — GNU cpio, bsdtar, Chromium: it
 * checks the program is there first, so that a machine without it fails the test with the
 * program's name and the package that installs it, never with `expected null to be +0` (what
 * spawnSync of a missing binary gives). `npm test` installs them when it can (its pretest step,
 * scripts/test-tools.ts); a test run by itself with `npx vitest` meets this line instead.
 *
 *   requireTool('cpio');                          // in the test, or its beforeAll
 *   requireToolsOf('find . | cpio -o -H newc');  // each tool a shell command names
 */
import { hostProbe, isPresent, TOOLS, type Probe, type Tool } from '../scripts/test-tools.ts';

/** Throws, in one line naming the tool and its package, when `name` is not on this machine (or the `probe` given). */
export function requireTool(name: Tool['name'], probe: Probe = hostProbe()): void {
  const tool = TOOLS.find((each) => each.name === name)!;
  if (isPresent(tool, probe)) return;
  throw new Error(
    `${tool.what}${tool.what.includes(tool.command) ? '' : ` (${tool.command})`} is not installed and this test runs it: install the Debian package ${tool.debianPackage} (apt-get install -y ${tool.debianPackage}), or run npm test, which installs it when it can`,
  );
}

/** requireTool for every tool a shell command runs. */
export function requireToolsOf(command: string, probe: Probe = hostProbe()): void {
  for (const tool of TOOLS) if (new RegExp(`(^|[\\s(;|&])${tool.name}($|[\\s);|&])`).test(command)) requireTool(tool.name, probe);
}
