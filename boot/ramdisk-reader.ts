/*
 * The ramdisk as the kernel reads it: straight out of the physical memory the firmware put
 * it in. The index is the first file; every module record says where its bundle's entry
 * starts, so reading one module touches one header, however large the ramdisk. Listing every
 * file is not the kernel's job: sysinfo walks the archive itself (ramdisk/cpio.ts).
 */
import { readEntryAt, RamdiskError, type CpioEntry } from '../ramdisk/cpio.ts';
import { INDEX_PATH, type ModuleRecord } from '../ramdisk/module-index.ts';
import { decodeUtf8 } from '../ramdisk/utf8.ts';

export class RamdiskReader {
  /** Where the files after the index begin: module offsets count from here. */
  readonly filesBase: number;
  readonly indexText: string;

  readonly #memory: Uint8Array;

  constructor(
    memory: Uint8Array,
    readonly start: number,
    readonly length: number,
  ) {
    this.#memory = memory;
    const index = readEntryAt(memory, start, length, 0);
    if (!index || index.name !== INDEX_PATH) throw new RamdiskError(`first file is ${index ? `"${index.name}"` : 'missing'}, expected ${INDEX_PATH}`, 0);
    this.indexText = this.text(index);
    this.filesBase = index.next;
  }

  /** The entry whose header starts at `offset` (null past the last). */
  entryAt(offset: number): CpioEntry | null {
    return readEntryAt(this.#memory, this.start, this.length, offset);
  }

  /**
   * The cpio entry of a module's bundle, checked against its record: the loader copies
   * `record.size` bytes into frames sized for it, so a different size must not get through.
   */
  moduleEntry(record: ModuleRecord): CpioEntry {
    const offset = this.filesBase + record.offset;
    const entry = this.entryAt(offset);
    if (entry?.name !== record.path || entry.size !== record.size) {
      throw new RamdiskError(`${record.path} (${record.size} bytes) not found where the index says`, offset);
    }
    return entry;
  }

  /** The bytes of a module's bundle, where they lie in memory. */
  moduleBytes(record: ModuleRecord): Uint8Array {
    const entry = this.moduleEntry(record);
    return this.#memory.subarray(this.start + entry.dataOffset, this.start + entry.dataOffset + entry.size);
  }

  text(entry: CpioEntry): string {
    return decodeUtf8(this.#memory, this.start + entry.dataOffset, this.start + entry.dataOffset + entry.size);
  }
}
