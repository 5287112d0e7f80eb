/*
 * Module records: what the ramdisk says of each module version, and the checks every record
 * passes before anything uses it.
 *
 * A record gives the name, version, description, path, size and sha256 of the bundle, the
 * modules it imports (depends), the symbols it takes from each (imports) and the symbols it
 * exports — all derived by the build from esbuild's output — and `default`, the version
 * `modprobe NAME` loads when the ramdisk holds several. `signature` is the build's Ed25519
 * signature of `signedText(record)`, which holds every field but the offset: a changed record
 * or a changed bundle (through its sha256) fails it. `offset`, where the build put the bundle's
 * cpio header, is a hint and nothing more: the kernel checks it against the header it points at.
 *
 * The ramdisk holds the records twice, as Linux keeps modules.dep and modules.dep.bin:
 * `lib/modules/index.json` (INDEX_PATH), one JSON document for people and tools, which the
 * kernel never reads; and `lib/modules/index.jsonl` (ramdisk/index-lines.ts), sorted lines the
 * kernel searches in place.
 */

export const INDEX_PATH = 'lib/modules/index.json';
export const INDEX_FORMAT = 2;

export interface ModuleRecord {
  name: string;
  version: string;
  description: string;
  /** Path of the bundle in the ramdisk: exactly lib/modules/<name>/<version>.js */
  path: string;
  size: number;
  sha256: string;
  /** Ed25519 signature of signedText(record) by the build's key, hex; missing for an unsigned module. */
  signature?: string;
  depends: string[];
  /** The symbols it imports from each module it depends on ("*" for a whole namespace). */
  imports: Record<string, string[]>;
  exports: string[];
  default: boolean;
  /** Where the build put the bundle's cpio header, counted from the start of the archive: a hint. */
  offset?: number;
}

/** A malformed index or record: says where, and which field. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/** A module name: lower case letters, digits and dashes, starting with a letter (at most 64). */
export const isModuleName = (value: unknown): value is string => typeof value === 'string' && value.length <= 64 && /^[a-z][a-z0-9-]*$/.test(value);

/** A semantic version (semver.org), such as 1.2.3 or 1.2.3-dev.4 (at most 64 characters). */
export const isVersion = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 64 &&
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$/.test(value);

const isSymbol = (value: unknown) => typeof value === 'string' && value.length <= 256 && /^[A-Za-z_$][\w$]*$/.test(value);

export function modulePath(name: string, version: string): string {
  return `lib/modules/${name}/${version}.js`;
}

/** What the signature covers: every field but the signature and the offset, in a fixed order. */
export function signedText(record: ModuleRecord): string {
  const imports = Object.keys(record.imports).sort().map((name) => [name, record.imports[name]]);
  return JSON.stringify(['keel module', record.name, record.version, record.description, record.path, record.size, record.sha256, record.depends, imports, record.exports, record.default]);
}

const distinct = (list: unknown[]) => new Set(list).size === list.length;
const listOf = (test: (item: unknown) => boolean) => (value: unknown) => Array.isArray(value) && value.length <= 4096 && value.every(test) && distinct(value);

/** Each field's check and what the message says it should be. */
const FIELDS: Array<[keyof ModuleRecord, (value: unknown, record: Record<string, unknown>) => boolean, string]> = [
  ['name', isModuleName, 'a module name (lower case letters, digits, dashes)'],
  ['version', isVersion, 'a version (1.2.3)'],
  ['description', (value) => typeof value === 'string' && value.length <= 4096, 'a string'],
  ['path', (value, record) => value === modulePath(record.name as string, record.version as string), `lib/modules/<name>/<version>.js`],
  ['size', (value) => Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff, 'a size in bytes'],
  ['sha256', (value) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value), '64 hex digits'],
  ['signature', (value) => value === undefined || (typeof value === 'string' && /^[0-9a-f]{128}$/.test(value)), '128 hex digits'],
  ['depends', (value, record) => listOf(isModuleName)(value) && !(value as string[]).includes(record.name as string), 'a list of other modules'],
  [
    'imports',
    (value, record) =>
      value !== null && typeof value === 'object' && !Array.isArray(value) &&
      Object.entries(value).every(([name, symbols]) => (record.depends as string[]).includes(name) && listOf((symbol) => symbol === '*' || isSymbol(symbol))(symbols)),
    'symbols by module, each module one it depends on',
  ],
  ['exports', (value) => listOf(isSymbol)(value), 'a list of symbols'],
  ['default', (value) => typeof value === 'boolean', 'a boolean'],
  ['offset', (value) => value === undefined || Number.isSafeInteger(value), 'a whole number'],
];

/** A name for messages: the record's name when it is one, else what it is. */
const labelOf = (record: Record<string, unknown>) => (isModuleName(record.name) ? record.name : typeof record.name === 'string' ? 'a bad name' : 'no name');

/** Checks a record, field by field in order; `where` says where it came from. Returns it typed. */
export function checkRecord(value: unknown, where: string): ModuleRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new IndexError(`${where}: a record should be an object`);
  const record = value as Record<string, unknown>;
  for (const [field, check, should] of FIELDS) {
    if (!check(record[field], record)) throw new IndexError(`${where} (${labelOf(record)}): field ${field} should be ${should}`);
  }
  return record as unknown as ModuleRecord;
}

/** index.json: the records as one document for people and tools (offsets left out: they describe one archive's layout). */
export function serializeIndex(records: readonly ModuleRecord[]): string {
  const lines = records.map(({ offset: _offset, ...record }) => `  ${JSON.stringify(record)}`);
  return `{"format": ${INDEX_FORMAT}, "modules": [\n${lines.join(',\n')}\n]}\n`;
}
