/*
 * The ramdisk edited as a Linux user edits an initramfs, with the real tools: unpack the
 * built ramdisk with GNU cpio or bsdtar, change it, repack it — sorted with "." and
 * directories, -depth, files only with index.json first, the crc format, bsdtar — boot it, and
 * modprobe every module it still holds. The offsets in the index no longer fit such an
 * archive: the kernel walks it once, says so in one dmesg line, and finds every file by name.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootKernel, buildInMemory, type TestKernel } from './harness.ts';
import { requireToolsOf } from './tools.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const scratch = mkdtempSync(path.join(tmpdir(), 'keel-repack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The built ramdisk unpacked once with each tool: a pristine tree to copy for every case. */
const unpacked = { cpio: path.join(scratch, 'unpacked-cpio'), bsdtar: path.join(scratch, 'unpacked-bsdtar') };

function sh(command: string, cwd: string, input?: Uint8Array): Uint8Array {
  requireToolsOf(command);
  const run = spawnSync('sh', ['-c', command], { cwd, input, maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`${command}: ${run.stderr.toString()}`);
  return new Uint8Array(run.stdout);
}

beforeAll(async () => {
  const { initrd } = await buildInMemory();
  for (const [tool, command] of [['cpio', 'cpio -idm --quiet'], ['bsdtar', 'bsdtar -xf -']] as const) {
    mkdirSync(unpacked[tool]);
    sh(command, unpacked[tool], initrd);
  }
});

/** The module names a tree's index.json lists whose bundle is still in the tree. */
function modulesIn(tree: string): string[] {
  const index = JSON.parse(readFileSync(path.join(tree, 'lib/modules/index.json'), 'utf8')) as { modules: Array<{ name: string; path: string }> };
  return [...new Set(index.modules.filter((record) => existsSync(path.join(tree, record.path))).map((record) => record.name))];
}

/** A copy of the tree unpacked by `tool`, changed by `edit` (a shell command run in it), repacked by `repack`. */
function repacked(tool: keyof typeof unpacked, edit: string, repack: string): { initrd: Uint8Array; modules: string[] } {
  const tree = mkdtempSync(path.join(scratch, 'tree-'));
  cpSync(unpacked[tool], tree, { recursive: true });
  if (edit) sh(edit, tree);
  return { initrd: sh(repack, tree), modules: modulesIn(tree) };
}

/** Boots `initrd`, modprobes every module in `modules` (each must load, saying nothing), and returns the kernel. */
async function bootAndLoadAll(initrd: Uint8Array, modules: string[]): Promise<TestKernel> {
  kernel = await bootKernel({ tamper: (files) => (files.initrd = initrd) });
  for (const name of modules) expect(await kernel.run(`modprobe ${name}`), name).toBe('');
  const lsmod = await kernel.run('lsmod');
  for (const name of modules) expect(lsmod, name).toMatch(new RegExp(`^${name} `, 'm'));
  const walked = (await kernel.run('dmesg')).split('\n').filter((line) => line.includes("the index's offsets do not fit this archive"));
  expect(walked).toHaveLength(1);
  return kernel;
}

const SORTED = 'find . | LC_ALL=C sort | cpio -o -H newc --quiet';
const DEPTH = 'find . -depth | cpio -o -H newc --quiet';
const BSDTAR = 'bsdtar --format newc -cf - .';

describe('unpacked, changed and repacked with the real tools, the ramdisk boots and every module in it loads', () => {
  it.each([
    ['GNU cpio, sorted, with "." and directories', 'cpio', SORTED],
    ['GNU cpio, -depth (files before their directories)', 'cpio', DEPTH],
    ['GNU cpio, index.json first, then only the files', 'cpio', '(echo lib/modules/index.json; find etc lib -type f ! -name index.json) | cpio -o -H newc --quiet'],
    ['GNU cpio, the crc format', 'cpio', 'find . | cpio -o -H crc --quiet'],
    ['bsdtar, newc, names starting "./"', 'bsdtar', BSDTAR],
    ['bsdtar, the files in reverse order', 'bsdtar', 'find . -type f | sort -r | bsdtar --format newc -cf - -T -'],
  ] as const)('%s', async (_case, tool, repack) => {
    const { initrd, modules } = repacked(tool, '', repack);
    expect(modules.length).toBeGreaterThan(5);
    await bootAndLoadAll(initrd, modules);
  });

  it.each([
    ['GNU cpio', 'cpio', SORTED],
    ['bsdtar', 'bsdtar', BSDTAR],
  ] as const)('%s, with a file added: the root file system shows it', async (_case, tool, repack) => {
    const { initrd, modules } = repacked(tool, 'echo "added by hand" > etc/motd', repack);
    const booted = await bootAndLoadAll(initrd, modules);
    expect(await booted.run('cat /etc/motd')).toBe('added by hand\n');
  });

  it.each([
    ['GNU cpio', 'cpio', DEPTH],
    ['bsdtar', 'bsdtar', BSDTAR],
  ] as const)('%s, with a module deleted: the others load, and modprobe of that one says it is not in the archive', async (_case, tool, repack) => {
    const { initrd, modules } = repacked(tool, 'rm -r lib/modules/hello', repack);
    expect(modules).not.toContain('hello');
    const booted = await bootAndLoadAll(initrd, modules);
    expect(await booted.run('modprobe hello')).toBe("modprobe: ERROR: could not insert 'hello': hello: ramdisk: lib/modules/hello/1.0.0.js is not in the archive\n");
  });

  it.each([
    ['GNU cpio', 'cpio', SORTED],
    ['bsdtar', 'bsdtar', BSDTAR],
  ] as const)('%s, with etc/modules edited: boot loads what it now names', async (_case, tool, repack) => {
    const { initrd } = repacked(tool, 'echo hello >> etc/modules', repack);
    kernel = await bootKernel({ tamper: (files) => (files.initrd = initrd) });
    expect(await kernel.run('lsmod')).toMatch(/^hello /m);
  });
});

describe('the archive the build wrote', () => {
  it('boots without a walk: the index is first and the archive ends where it says', async () => {
    kernel = await bootKernel();
    await kernel.run('modprobe workload');
    expect(await kernel.run('dmesg')).not.toMatch(/offsets do not fit/);
  });

  it('unpacks with GNU cpio and bsdtar to the same files, index.json for people and tools among them', () => {
    const listing = (tree: string) => sh('find . -type f | LC_ALL=C sort | xargs sha256sum', tree);
    expect(Buffer.from(listing(unpacked.cpio)).toString()).toBe(Buffer.from(listing(unpacked.bsdtar)).toString());
    const index = JSON.parse(readFileSync(path.join(unpacked.cpio, 'lib/modules/index.json'), 'utf8')) as { format: number; modules: Array<{ offset?: number }> };
    expect(index.format).toBe(2);
    expect(index.modules.every((record) => record.offset === undefined)).toBe(true);
  });
});
