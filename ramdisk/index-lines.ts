/*
 * The kernel's copy of the module index, `lib/modules/index.jsonl`: one JSON record per line,
 * sorted by name, searched where it lies in memory the way look(1) searches a sorted file —
 * binary search over byte positions, stepping back to the start of a line — so finding one
 * module reads about log2(n) lines and decodes only that module's versions, for 10 modules
 * or 10,000. Nothing is parsed at boot but the first line:
 *
 *   {"format":2,"records":12,"offsets":{"etc/modules":3072,"TRAILER!!!":413448},"kernel":[{"name":"kernel",…}]}
 *   {"name":"devload","version":"1.0.0","description":"…","path":"lib/modules/devload/1.0.0.js",…,"offset":4096}
 *   {"name":"hello","version":"1.0.0",…}
 *
 * Each record line starts with its name, so the search reads the name without parsing the
 * line; a module's versions are adjacent, oldest first. `offsets` in the first line, like each
 * record's `offset`, are where the build put those entries' headers: hints the kernel checks
 * (TRAILER!!! is where the build's archive ends). Every record is checked (checkRecord) when
 * its line is read. `kernel` in the first line repeats the kernel module's record lines, signed
 * as they are: the bootstrap (boot/main.ts) finds the kernel there, parsing that line alone,
 * which costs it less code than a search.
 */
import { checkRecord, INDEX_FORMAT, IndexError, isModuleName, type ModuleRecord } from './module-index.ts';
import { decodeUtf8 } from './utf8.ts';

export const INDEX_LINES_PATH = 'lib/modules/index.jsonl';
/** The name of the kernel module, whose records the first line repeats. */
export const KERNEL_MODULE = 'kernel';

export interface IndexLinesHeader {
  format: number;
  /** How many record lines the build wrote (for the boot log; the lines themselves are the truth). */
  records: number;
  /** Where the build put the headers of some files of the archive, by name: hints. */
  offsets: Record<string, number>;
  /** The kernel module's records, as their lines give them, for the bootstrap. */
  kernel: ModuleRecord[];
}

const NEWLINE = 0x0a;
const NAME_PREFIX = '{"name":"';
/** isModuleName's longest name. */
const MODULE_NAME_LIMIT = 64;

/** Names sort by UTF-16 code units, as the kernel's string comparison does (names are ASCII). */
const byName = (left: ModuleRecord, right: ModuleRecord) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0);

/** Writes the index lines: records sorted by name (a module's versions kept in the order given), name first in each. */
export function writeIndexLines(records: readonly ModuleRecord[], offsets: Record<string, number>): string {
  const header: IndexLinesHeader = { format: INDEX_FORMAT, records: records.length, offsets, kernel: records.filter((record) => record.name === KERNEL_MODULE) };
  const lines = [...records].sort(byName).map(({ name, ...rest }) => JSON.stringify({ name, ...rest }));
  return [JSON.stringify(header), ...lines, ''].join('\n');
}

/** The index lines of one file's data, searched in place. */
export class IndexLines {
  readonly header: IndexLinesHeader;
  /** Where the first record line starts. */
  readonly #first: number;

  constructor(private readonly bytes: Uint8Array) {
    const end = bytes.indexOf(NEWLINE);
    let header: Partial<IndexLinesHeader> | null = null;
    try {
      header = JSON.parse(decodeUtf8(bytes, 0, end < 0 ? bytes.length : end));
    } catch {
      // Reported below, as any other header that is not what the format says.
    }
    const offsets = header?.offsets;
    if (header?.format !== INDEX_FORMAT || !Number.isSafeInteger(header.records) || offsets === null || typeof offsets !== 'object' || Array.isArray(offsets)) {
      throw new IndexError(`${INDEX_LINES_PATH}: the first line should be {"format":${INDEX_FORMAT},"records":N,"offsets":{...}}`);
    }
    this.header = header as IndexLinesHeader;
    this.#first = end < 0 ? bytes.length : end + 1;
  }

  /** A hint from the first line: a whole number, or undefined (it is checked where it is used). */
  offsetOf(name: string): number | undefined {
    const offset = Object.hasOwn(this.header.offsets, name) ? this.header.offsets[name] : undefined;
    return Number.isSafeInteger(offset) ? offset : undefined;
  }

  /** Where the line holding `position` starts, `floor` (a line's start) at the earliest. */
  #lineStart(position: number, floor: number): number {
    return position <= floor ? floor : Math.max(floor, this.bytes.lastIndexOf(NEWLINE, position - 1) + 1);
  }

  #lineEnd(start: number): number {
    const end = this.bytes.indexOf(NEWLINE, start);
    return end < 0 ? this.bytes.length : end;
  }

  /** The name a record line starts with; a line that does not start with one is a malformed index. */
  #nameAt(start: number): string {
    const quote = this.bytes.indexOf(0x22, start + NAME_PREFIX.length);
    const name = quote < 0 ? '' : decodeUtf8(this.bytes, start + NAME_PREFIX.length, quote);
    if (decodeUtf8(this.bytes, start, start + NAME_PREFIX.length) !== NAME_PREFIX || !isModuleName(name)) this.#notAName(start);
    return name;
  }

  #notAName(start: number): never {
    throw new IndexError(`${INDEX_LINES_PATH}: the line at byte ${start} does not start with a module's name`);
  }

  /**
   * How the name the line at `start` starts with compares with `name` (negative: it sorts
   * before), read from the bytes as they are, with #nameAt's checks: the search reads about
   * log2(n) lines for every module looked up, and decoding each name cost more than the rest of
   * the lookup. Module names are ASCII, so a byte is a UTF-16 code unit.
   */
  #compareNameAt(start: number, name: string): number {
    const bytes = this.bytes;
    const first = start + NAME_PREFIX.length;
    for (let index = 0; index < NAME_PREFIX.length; index++) if (bytes[start + index] !== NAME_PREFIX.charCodeAt(index)) this.#notAName(start);
    let order = 0;
    let end = first;
    for (; end < bytes.length && bytes[end] !== 0x22; end++) {
      const byte = bytes[end]!;
      const letter = byte >= 0x61 && byte <= 0x7a;
      if (!(letter || (end > first && ((byte >= 0x30 && byte <= 0x39) || byte === 0x2d)))) this.#notAName(start);
      if (order === 0) order = end - first < name.length ? byte - name.charCodeAt(end - first) : 1;
    }
    if (end === first || end >= bytes.length || end - first > MODULE_NAME_LIMIT) this.#notAName(start);
    return order !== 0 ? order : end - first - name.length;
  }

  /** The record on the line starting at `start`, checked, and where the next line starts. */
  #recordAt(start: number): { record: ModuleRecord; next: number } {
    const where = `${INDEX_LINES_PATH}: the record at byte ${start}`;
    const end = this.#lineEnd(start);
    let value: unknown;
    try {
      value = JSON.parse(decodeUtf8(this.bytes, start, end));
    } catch (error) {
      throw new IndexError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    return { record: checkRecord(value, where), next: end + 1 };
  }

  /** The first line whose name is not below `name` (the end of the file if there is none). */
  #firstLineFrom(name: string): number {
    // Positions in [low, high) are line starts.
    let low = this.#first;
    let high = this.bytes.length;
    while (low < high) {
      const middle = this.#lineStart((low + high) >>> 1, low);
      if (this.#compareNameAt(middle, name) < 0) low = this.#lineEnd(middle) + 1;
      else high = middle;
    }
    return low;
  }

  /** The names of the modules whose names start with `prefix`, sorted (for completion): only those lines are read. */
  names(prefix: string): string[] {
    const names: string[] = [];
    for (let start = this.#firstLineFrom(prefix); start < this.bytes.length; start = this.#lineEnd(start) + 1) {
      const name = this.#nameAt(start);
      if (!name.startsWith(prefix)) break;
      if (names.at(-1) !== name) names.push(name);
    }
    return names;
  }

  /** Every version of `name`, oldest first, each record checked; [] when the index has none. */
  versions(name: string): ModuleRecord[] {
    const records: ModuleRecord[] = [];
    for (let start = this.#firstLineFrom(name); start < this.bytes.length && this.#compareNameAt(start, name) === 0; ) {
      const { record, next } = this.#recordAt(start);
      if (record.name !== name) throw new IndexError(`${INDEX_LINES_PATH}: the record at byte ${start} starts with the name ${name} but is ${record.name}`);
      if (records.some((other) => other.version === record.version)) throw new IndexError(`${INDEX_LINES_PATH}: ${name} ${record.version} is listed twice`);
      records.push(record);
      start = next;
    }
    return records;
  }
}
