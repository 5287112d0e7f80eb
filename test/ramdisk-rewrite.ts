/*
 * Bad ramdisks for end-to-end tests, made as a tool would make them: take the built ramdisk
 * apart — the records from index.json, every file but the index lines — change them, and pack
 * them again behind index lines whose offsets are right (build/ramdisk-pack.ts).
 *
 *   bootKernel({ tamper: tamperRamdisk((contents) => { recordOf(contents, 'hello').size += 1; }) });
 *   replaceBundle(contents, 'kernel', 'exports.start = () => undefined;', { sign: true });
 */
import { createHash } from 'node:crypto';
import { signRecord } from '../build/module-signing.ts';
import { packWithIndex } from '../build/ramdisk-pack.ts';
import type { CpioFile } from '../ramdisk/cpio-writer.ts';
import { readEntries } from '../ramdisk/cpio.ts';
import { INDEX_LINES_PATH } from '../ramdisk/index-lines.ts';
import { INDEX_PATH, type ModuleRecord } from '../ramdisk/module-index.ts';

/** The ramdisk taken apart: the index records, and every file but the index lines, in order. */
export interface RamdiskContents {
  records: ModuleRecord[];
  files: CpioFile[];
}

/** Takes `initrd` apart, lets `change` edit the records and files, and packs them again. */
export function rewriteRamdisk(initrd: Uint8Array, change: (contents: RamdiskContents) => void): Uint8Array {
  const entries = readEntries(initrd);
  if (entries[0]?.name !== INDEX_LINES_PATH) throw new Error(`the ramdisk to rewrite does not start with ${INDEX_LINES_PATH}`);
  const bytesOf = (entry: { dataOffset: number; size: number }) => initrd.slice(entry.dataOffset, entry.dataOffset + entry.size);
  const index = entries.find((entry) => entry.name === INDEX_PATH)!;
  const contents: RamdiskContents = {
    records: (JSON.parse(Buffer.from(bytesOf(index)).toString('utf8')) as { modules: ModuleRecord[] }).modules,
    files: entries.slice(1).map((entry) => ({ name: entry.name, mode: entry.mode, mtime: entry.mtime, data: bytesOf(entry) })),
  };
  change(contents);
  return packWithIndex(contents.records, contents.files);
}

/** A bootKernel tamper hook that rewrites the ramdisk with `change`. */
export const tamperRamdisk = (change: (contents: RamdiskContents) => void) => (files: { initrd: Uint8Array }) => {
  files.initrd = rewriteRamdisk(files.initrd, change);
};

export const recordOf = (contents: RamdiskContents, name: string, version?: string) =>
  contents.records.find((record) => record.name === name && (version === undefined || record.version === version))!;

/**
 * Replaces a module's bundle with `code`, with the size and sha256 to match; the signature then
 * no longer does, unless `sign` signs the record again with the build's key.
 */
export function replaceBundle(contents: RamdiskContents, name: string, code: string, { sign = false } = {}): ModuleRecord {
  const record = recordOf(contents, name);
  const file = contents.files.find((candidate) => candidate.name === record.path)!;
  file.data = new Uint8Array(Buffer.from(code));
  record.size = file.data.length;
  record.sha256 = createHash('sha256').update(file.data).digest('hex');
  if (sign) record.signature = signRecord(record);
  return record;
}
