/*
 * The files a build leaves in its output folder (dist/ by default), as the boot CLI and the web
 * server read them: the boot image and the ramdisk. A missing one is a BootError that says to
 * build first.
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

export function readBuiltFiles(dist: string): BuiltFiles {
  return { image: readFile(path.join(dist, 'boot.img')), initrd: readFile(path.join(dist, 'initrd.cpio')) };
}
