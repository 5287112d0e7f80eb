/*
 * Packs the ramdisk: the module index first, etc/modules second, then the directories and
 * every module bundle. The index gives each bundle's offset counted from the end of the
 * index's own entry, so the kernel reads one module without walking the archive, and boot
 * reads two files however many modules there are.
 */
import { MODE_DIRECTORY, readEntries, writeCpio, type CpioFile } from '../ramdisk/cpio.ts';
import { INDEX_PATH, serializeIndex } from '../ramdisk/module-index.ts';
import { encodeUtf8 } from '../ramdisk/utf8.ts';
import type { BuiltModule } from './module-bundle.ts';

export function packRamdisk(modules: BuiltModule[], etcModules: string): Uint8Array {
  const directories = new Set(['etc', 'lib', 'lib/modules', ...modules.map(({ record }) => `lib/modules/${record.name}`)]);
  const rest: CpioFile[] = [
    { name: 'etc/modules', data: encodeUtf8(etcModules) },
    ...[...directories].map((name) => ({ name, data: new Uint8Array(0), mode: MODE_DIRECTORY })),
    ...modules.map(({ record, code }) => ({ name: record.path, data: code })),
  ];
  const offsets = new Map(readEntries(writeCpio(rest)).map((entry) => [entry.name, entry.offset]));
  for (const { record } of modules) record.offset = offsets.get(record.path)!;
  const index = serializeIndex(modules.map(({ record }) => record));
  return writeCpio([{ name: INDEX_PATH, data: encodeUtf8(index) }, ...rest]);
}
