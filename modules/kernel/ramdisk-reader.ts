/*
 * The ramdisk as the kernel reads it: straight out of the memory the firmware mapped above RAM
 * (emulator/machine-interface.ts, BootInfo), any archive GNU cpio or bsdtar writes
 * (ramdisk/cpio.ts).
 *
 * Files are found by offset hints — where the build put them, as its index says — each
 * checked against the header it points at. Boot trusts hints only for the archive the build
 * wrote: its index first and its trailer where the index says, with nothing but zeros after
 * it. Otherwise (a repacked, reordered or appended-to archive), or once a hint does not point
 * at the file it names, the kernel walks every header once, says so in one dmesg line, and
 * from then on finds files in that table, the last entry of a name winning.
 */
import { checkCrc, isDirectory, isRegularFile, readHeader, walkArchive, type ArchiveTable, type CpioEntry, type RamdiskError } from '../../ramdisk/cpio.ts';
import type { ModuleRecord } from '../../ramdisk/module-index.ts';
import { decodeUtf8 } from '../../ramdisk/utf8.ts';
import type { KernelLog } from './kernel-log.ts';

/** Where module bundles can be read from: the boot ramdisk, or memory a module filled (the dev loop). */
export interface ModuleSource {
  /** The bundle's bytes: a view of the ramdisk, or of a block a module holds (the loader checks their length against the record). */
  bundle(record: ModuleRecord): Uint8Array;
}

export class Ramdisk implements ModuleSource {
  readonly #log: KernelLog;
  /** Every header, once walked; null while the build's hints hold. */
  #table: ArchiveTable | null = null;
  /** Names given twice that the log has said so of. */
  readonly #toldTwice = new Set<string>();

  /** The archive's bytes, and where they are mapped (a physical address, for what the kernel says). */
  readonly bytes: Uint8Array;
  readonly address: number;
  readonly length: number;

  constructor(mapped: { bytes: Uint8Array; start: number }, log: KernelLog) {
    this.bytes = mapped.bytes;
    this.address = mapped.start;
    this.length = mapped.bytes.length;
    this.#log = log;
  }

  /** The entry whose header is at `offset`, or null if no header is there. */
  headerAt(offset: number | undefined): CpioEntry | null {
    if (offset === undefined || offset < 0 || offset % 4 !== 0 || offset >= this.length) return null;
    try {
      return readHeader(this.bytes, 0, this.length, offset);
    } catch {
      return null;
    }
  }

  get walked(): boolean {
    return this.#table !== null;
  }

  /** Walks every header (once), saying why and what it found in one line of the kernel log (quiet: a core that took over walks again what its predecessor said). */
  walk(reason: string, { quiet = false } = {}): void {
    if (this.#table) return;
    const table = walkArchive(this.bytes, 0, this.length);
    this.#table = table;
    if (quiet) return;
    const stopped = table.damage ? `; the rest is not read: ${table.damage.message}` : '';
    this.#log.printk(`ramdisk: the index's offsets do not fit this archive (${reason}): walked its ${table.headers} headers${stopped}`);
  }

  /** Where a walk stopped at damage (null: no walk, or none). */
  get damage(): RamdiskError | null {
    return this.#table?.damage ?? null;
  }

  /**
   * The last entry named `name`: the one at `hint` while hints hold, else from the table. A
   * name more than one entry gives is said once in the kernel log (the last entry counts).
   */
  find(name: string, hint?: number): CpioEntry | null {
    if (!this.#table) {
      const entry = this.headerAt(hint);
      if (entry?.name === name) return entry;
      this.walk(hint === undefined ? `the index gives no offset for ${name}` : `no header of ${name} at ${hint}`);
    }
    const found = this.#table!.find(name);
    if (found && found.entries > 1 && !this.#toldTwice.has(name)) {
      this.#toldTwice.add(name);
      this.#log.printk(`ramdisk: ${name} is given by ${found.entries} entries: the last one, at offset ${found.entry.offset}, counts`);
    }
    return found?.entry ?? null;
  }

  /**
   * The regular file named `name`, its crc checked, or null when the archive has nothing of
   * that name. A directory (or files under `name/`), another kind of entry or a crc that does
   * not match throws one line.
   */
  lookup(name: string, hint?: number): CpioEntry | null {
    const entry = this.find(name, hint);
    if ((entry && isDirectory(entry)) || (!entry && this.#table!.holdsUnder(name))) throw new Error(`ramdisk: ${name} is a directory, not a file`);
    if (!entry) return null;
    if (!isRegularFile(entry)) throw new Error(`ramdisk: ${name} is not a regular file`);
    checkCrc(this.bytes, 0, entry);
    return entry;
  }

  /** As lookup, but a missing file throws too: in a damaged archive the damage is the likely reason, and is what it says. */
  file(name: string, hint?: number): CpioEntry {
    const entry = this.lookup(name, hint);
    if (entry) return entry;
    throw this.#table!.damage ?? new Error(`ramdisk: ${name} is not in the archive`);
  }

  bundle(record: ModuleRecord): Uint8Array {
    return this.data(this.file(record.path, record.offset));
  }

  data(entry: CpioEntry): Uint8Array {
    return this.bytes.subarray(entry.dataOffset, entry.dataOffset + entry.size);
  }

  text(entry: CpioEntry): string {
    return decodeUtf8(this.data(entry));
  }
}
