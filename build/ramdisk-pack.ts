/*
 * Packs the ramdisk: a cpio newc archive that any cpio or bsdtar can list and unpack.
 *
 *   lib/modules/index.jsonl    the index the kernel searches in place (ramdisk/index-lines.ts)
 *   etc/modules                modules to load at boot
 *   lib/modules/index.json     the same records as one document, for people and tools
 *   lib/modules/<name>/<version>.js, with a directory entry for each module
 *
 * The index lines come first and say where etc/modules, each bundle and the trailer start, so
 * that the kernel boots reading two files and loads a module reading one header. Those offsets
 * count the index's own entry, whose size depends on their digits: the layout is computed until
 * it stops changing (two or three rounds).
 */
import { CPIO_TRAILER, HEADER_SIZE, MODE_DIRECTORY } from '../ramdisk/cpio.ts';
import { writeCpio, type CpioFile } from '../ramdisk/cpio-writer.ts';
import { INDEX_LINES_PATH, writeIndexLines } from '../ramdisk/index-lines.ts';
import { INDEX_PATH, serializeIndex, type ModuleRecord } from '../ramdisk/module-index.ts';
import type { BuiltModule } from './module-bundle.ts';

const align4 = (value: number) => (value + 3) & ~3;
const entrySize = (name: string, bytes: number) => align4(HEADER_SIZE + Buffer.byteLength(name) + 1) + align4(bytes);
const text = (data: string) => new Uint8Array(Buffer.from(data));

export function packRamdisk(modules: BuiltModule[], etcModules: string): Uint8Array {
  const records = modules.map(({ record }) => record);
  const files: CpioFile[] = [
    { name: 'etc', data: new Uint8Array(0), mode: MODE_DIRECTORY },
    { name: 'etc/modules', data: text(etcModules) },
    { name: 'lib', data: new Uint8Array(0), mode: MODE_DIRECTORY },
    { name: 'lib/modules', data: new Uint8Array(0), mode: MODE_DIRECTORY },
    { name: INDEX_PATH, data: text(serializeIndex(records)) },
  ];
  const directories = new Set<string>();
  for (const { record, code } of modules) {
    const directory = `lib/modules/${record.name}`;
    if (!directories.has(directory)) files.push({ name: directory, data: new Uint8Array(0), mode: MODE_DIRECTORY });
    directories.add(directory);
    files.push({ name: record.path, data: code });
  }
  return packWithIndex(records, files);
}

/**
 * One archive: the index lines of `records` first, then `files` in order. Each record's offset
 * is set to where its bundle's header is (a record whose bundle is not among the files keeps
 * its offset), and the first line gives etc/modules's and the trailer's.
 */
export function packWithIndex(records: ModuleRecord[], files: CpioFile[]): Uint8Array {
  let lines = new Uint8Array(0);
  for (let settled = false; !settled; ) {
    const offsets = new Map<string, number>();
    let offset = entrySize(INDEX_LINES_PATH, lines.length);
    for (const file of files) {
      offsets.set(file.name, offset);
      offset += entrySize(file.name, file.data.length);
    }
    for (const record of records) record.offset = offsets.get(record.path) ?? record.offset;
    const hints = { ...(offsets.has('etc/modules') ? { 'etc/modules': offsets.get('etc/modules')! } : {}), [CPIO_TRAILER]: offset };
    const next = text(writeIndexLines(records, hints));
    settled = next.length === lines.length;
    lines = next;
  }
  return writeCpio([{ name: INDEX_LINES_PATH, data: lines }, ...files]);
}
