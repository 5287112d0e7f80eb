/*
 * Module records as the kernel finds them: one module's versions at a time, read from the
 * ramdisk's index lines (ramdisk/index-lines.ts) the first time they are asked for, checked
 * and kept — so a lookup costs the same for 10 modules or 10,000 — plus versions added while
 * the kernel runs (the dev loop sends them), each with the memory its bundle is in.
 *
 *   kernel.records.versions('kv')          every version, oldest first (the newest last)
 *   kernel.records.find('kv', '1.0.0')     one version, or the default; throws ModuleError
 *   kernel.records.add(record, source)     a version whose bundle lives in `source`
 *
 * The versions added at run time are a RecordsTable of plain data, in the kernel's tables; the
 * index and what was read of it can be read again from the ramdisk.
 */
import { IndexLines } from '../../ramdisk/index-lines.ts';
import { checkRecord, type ModuleRecord } from '../../ramdisk/module-index.ts';
import { ModuleError } from './error-classes.ts';
import type { ModuleSource } from './ramdisk-reader.ts';

/** Versions added at run time, by module (each replacing an index version of the same number), and where their bundles are. */
export interface RecordsTable {
  added: Map<string, ModuleRecord[]>;
  sources: WeakMap<ModuleRecord, ModuleSource>;
}

export class ModuleRecords {
  #index: IndexLines | null = null;
  /** The index's versions of each module looked up so far. */
  readonly #indexed = new Map<string, ModuleRecord[]>();
  readonly #added: Map<string, ModuleRecord[]>;
  readonly #sources: WeakMap<ModuleRecord, ModuleSource>;

  constructor(
    private readonly ramdisk: ModuleSource,
    table: RecordsTable,
  ) {
    this.#added = table.added;
    this.#sources = table.sources;
  }

  /** Boot: the index lines records are read from, given as the file's bytes; its first line is checked now. */
  open(bytes: Uint8Array): IndexLines {
    this.#index = new IndexLines(bytes);
    this.#indexed.clear();
    return this.#index;
  }

  /** Every version of `name`: the index's, oldest first, then those added at run time. */
  versions(name: string): ModuleRecord[] {
    const added = this.#added.get(name) ?? [];
    return [...this.#indexedVersions(name).filter((record) => !added.some((other) => other.version === record.version)), ...added];
  }

  #indexedVersions(name: string): ModuleRecord[] {
    let indexed = this.#indexed.get(name);
    if (!indexed) {
      indexed = this.#index?.versions(name) ?? [];
      if (indexed.length > 0) this.#indexed.set(name, indexed);
    }
    return indexed;
  }

  /** The names of the modules, in the index or added, that start with `prefix`, sorted. */
  names(prefix = ''): string[] {
    const added = [...this.#added.keys()].filter((name) => name.startsWith(prefix));
    return [...new Set([...(this.#index?.names(prefix) ?? []), ...added])].sort();
  }

  /** The record of `name` at `version`, or its default version. */
  find(name: string, version?: string, wantedBy?: string): ModuleRecord {
    // A version is looked for where versions() would take it from, without making that list (every load and swap asks).
    const record = version
      ? (this.#added.get(name)?.find((candidate) => candidate.version === version) ?? this.#indexedVersions(name).find((candidate) => candidate.version === version))
      : this.#defaultVersion(name);
    if (record) return record;
    const what = version && this.versions(name).length > 0 ? `version ${version} of module ${name}` : `module ${name}`;
    throw new ModuleError(`${what} not found in the ramdisk${wantedBy ? ` (needed by ${wantedBy})` : ''}`);
  }

  #defaultVersion(name: string): ModuleRecord | undefined {
    const records = this.versions(name);
    return records.find((candidate) => candidate.default) ?? records[0];
  }

  /** Adds a version whose bundle `source` holds, checked as the index's records are; returns it. */
  add(value: unknown, source: ModuleSource): ModuleRecord {
    const record = checkRecord(value, 'a record sent to the kernel');
    this.#added.set(record.name, [...(this.#added.get(record.name) ?? []).filter((other) => other.version !== record.version), record]);
    this.#sources.set(record, source);
    return record;
  }

  /** Takes back a version `add` added. */
  remove(record: ModuleRecord): void {
    const left = (this.#added.get(record.name) ?? []).filter((other) => other !== record);
    if (left.length > 0) this.#added.set(record.name, left);
    else this.#added.delete(record.name);
  }

  /** Where the record's bundle is: the memory it was added with, else the ramdisk. */
  sourceOf(record: ModuleRecord): ModuleSource {
    return this.#sources.get(record) ?? this.ramdisk;
  }
}
