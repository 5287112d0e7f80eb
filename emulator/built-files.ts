/*
 * The files a build leaves in its output folder (dist/ by default), as the boot CLI and the web
 * server read them: the boot image and the ramdisk. A missing one is a BootError that says to
 * build first.
 *
 * The ramdisk is read into shared memory (`sharedBytes`): a machine thread given it sees the
 * same bytes, not a copy, and its firmware maps them above RAM as they are (firmware.ts) — one
 * copy of a 20 MiB ramdisk in the process, however many boots.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BootError } from './firmware.ts';

export interface BuiltFiles {
  image: Uint8Array;
  initrd: Uint8Array;
}

function readFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch {
    throw new BootError(`cannot read ${file} (run npm run build first)`);
  }
}

/** The bytes in a SharedArrayBuffer, which crosses to a thread and into a machine's realm without a copy. */
export function sharedBytes(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

export function readBuiltFiles(dist: string): BuiltFiles {
  return { image: readFile(path.join(dist, 'boot.img')), initrd: sharedBytes(readFile(path.join(dist, 'initrd.cpio'))) };
}
