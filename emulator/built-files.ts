/*
 * The files a build leaves in its output folder (dist/ by default), as the boot CLI and the web
 * server read them: the boot image and the ramdisk. A missing one is a BootError that says to
 * build first.
 *
 * The ramdisk is read straight into shared memory: a machine thread given it sees the same
 * bytes, not a copy, and its firmware maps them above RAM as they are (firmware.ts) — one copy
 * of a 20 MiB ramdisk in the process, however many boots. `sharedBytes` does the same for bytes
 * already in memory (the dev loop's build, the benchmark's).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { BootError } from './firmware.ts';

export interface BuiltFiles {
  image: Uint8Array;
  initrd: Uint8Array;
}

/** `read(file)`, or a BootError that says to build first. */
function readBuilt(file: string, read: (file: string) => Uint8Array): Uint8Array {
  try {
    return read(file);
  } catch {
    throw new BootError(`cannot read ${file} (run npm run build first)`);
  }
}

/** A file's bytes, read into a SharedArrayBuffer as they come off the disk: no second copy. */
function readShared(file: string): Uint8Array {
  const descriptor = openSync(file, 'r');
  try {
    const bytes = new Uint8Array(new SharedArrayBuffer(fstatSync(descriptor).size));
    let filled = 0;
    while (filled < bytes.length) {
      const read = readSync(descriptor, bytes, filled, bytes.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return bytes.subarray(0, filled);
  } finally {
    closeSync(descriptor);
  }
}

/** The bytes in a SharedArrayBuffer, which crosses to a thread and into a machine's realm without a copy. */
export function sharedBytes(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

export function readBuiltFiles(dist: string): BuiltFiles {
  return { image: readBuilt(path.join(dist, 'boot.img'), readFileSync), initrd: readBuilt(path.join(dist, 'initrd.cpio'), readShared) };
}
