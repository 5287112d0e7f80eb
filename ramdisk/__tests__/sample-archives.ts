/*
 * The archives both readers of the format are tested on — the kernel's walk (cpio-walk.test.ts)
 * and the bootstrap's (cpio-find.test.ts), which must read the same archives: two small ones
 * of keel's own writer to concatenate and cut, files packed by GNU cpio and bsdtar the ways a
 * user repacks an initramfs, and the formats GNU cpio writes that keel does not read.
 *
 *   const memory = concatenate(writeCpio(first), withoutTrailer(writeCpio(second)));
 *   const tools = toolArchives(files);      // the files, in a temporary folder
 *   const archive = tools.archive(TOOL_COMMANDS[0][1]);
 *   tools.remove();
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { requireToolsOf } from '../../test/tools.ts';
import type { CpioFile } from '../cpio-writer.ts';
import { MODE_DIRECTORY } from '../cpio.ts';

export const bytesOf = (text: string) => new TextEncoder().encode(text);
export const concatenate = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** An archive without its trailer entry (110-byte header, "TRAILER!!!\0" padded to 124). */
export const withoutTrailer = (archive: Uint8Array) => archive.subarray(0, archive.length - 124);

export const first: CpioFile[] = [
  { name: 'etc/modules', data: bytesOf('hello\n') },
  { name: 'lib/modules/hello/1.0.0.js', data: bytesOf('exports.greet = () => 1;') },
  { name: 'lib', data: new Uint8Array(0), mode: MODE_DIRECTORY },
];
/** An archive to append to `first`'s: it replaces etc/modules and adds a file. */
export const second: CpioFile[] = [
  { name: 'etc/modules', data: bytesOf('kv\n') },
  { name: 'extra.txt', data: bytesOf('added later') },
];

/** How a user packs a folder into a ramdisk, each run in the folder. */
export const TOOL_COMMANDS: Array<[what: string, command: string]> = [
  ['GNU cpio, sorted, with "." and directories', 'find . | LC_ALL=C sort | cpio -o -H newc --quiet'],
  ['GNU cpio, -depth', 'find . -depth | cpio -o -H newc --quiet'],
  ['GNU cpio, files only, in any order', 'find . -type f | sort -r | cpio -o -H newc --quiet'],
  ['GNU cpio, the crc format', 'find . | cpio -o -H crc --quiet'],
  ['bsdtar, newc', 'bsdtar --format newc -cf - .'],
  ['bsdtar, files named without "./"', 'bsdtar --format newc -cf - etc lib'],
  ['two archives cat together', '(find etc | cpio -o -H newc --quiet; bsdtar --format newc -cf - lib)'],
];

export interface ToolArchives {
  /** What `command` (a shell command run in the folder) writes on its standard output; it must succeed. */
  archive(command: string): Uint8Array;
  remove(): void;
}

/** A temporary folder holding `files` (path → text), for the tools to pack. */
export function toolArchives(files: Record<string, string>): ToolArchives {
  const directory = mkdtempSync(join(tmpdir(), 'keel-tools-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(directory, dirname(name)), { recursive: true });
    writeFileSync(join(directory, name), text);
  }
  return {
    archive(command) {
      requireToolsOf(command);
      const run = spawnSync('sh', ['-c', command], { cwd: directory, maxBuffer: 1 << 24 });
      expect(run.status, run.stderr.toString()).toBe(0);
      return new Uint8Array(run.stdout);
    },
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** The formats GNU cpio writes that keel does not read, each an archive of one file, with the words a reader names it by. */
export function unreadFormats(): Array<{ what: string; archive: Uint8Array }> {
  const tools = toolArchives({ file: 'data' });
  try {
    const formats = [['odc', 'cpio odc header (magic 070707)'], ['bin', 'old binary cpio header']] as const;
    return formats.map(([format, what]) => ({ what, archive: tools.archive(`echo file | cpio -o -H ${format} --quiet`) }));
  } finally {
    tools.remove();
  }
}
