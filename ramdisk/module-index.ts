/*
 * The module index: what the ramdisk holds, so the kernel never has to scan it.
 *
 * It is the first file of the archive (`lib/modules/index.json`). For every module version it
 * gives the name, version, description, size and sha256 of the bundle, the modules it imports
 * (depends), the symbols it takes from each (imports) and the symbols it exports — all derived
 * by the build from esbuild's output —
 * and where the bundle's cpio entry starts, counted from the end of the index's own entry, so
 * that the kernel can read one module without walking the archive. `default` marks the
 * version `modprobe NAME` loads when the ramdisk holds several.
 */

export const INDEX_PATH = 'lib/modules/index.json';
export const INDEX_FORMAT = 1;

export interface ModuleRecord {
  name: string;
  version: string;
  description: string;
  /** Path of the bundle in the ramdisk: lib/modules/<name>/<version>.js */
  path: string;
  size: number;
  sha256: string;
  /** Ed25519 signature of the bundle by the build's key, hex; missing for an unsigned module. */
  signature?: string;
  depends: string[];
  /** The symbols it imports from each module it depends on ("*" for a whole namespace). */
  imports: Record<string, string[]>;
  exports: string[];
  default: boolean;
  /** Offset of the bundle's cpio header, counted from the end of the index's entry. */
  offset: number;
}

/** A malformed index: names the record and the field. */
export class IndexError extends Error {
  override name = 'IndexError';
}

export function modulePath(name: string, version: string): string {
  return `lib/modules/${name}/${version}.js`;
}

export function serializeIndex(modules: readonly ModuleRecord[]): string {
  return JSON.stringify({ format: INDEX_FORMAT, modules }) + '\n';
}

const FIELD_TYPES: Record<Exclude<keyof ModuleRecord, 'signature'>, string> = {
  name: 'string', version: 'string', description: 'string', path: 'string', size: 'number',
  sha256: 'string', depends: 'array', imports: 'object', exports: 'array', default: 'boolean', offset: 'number',
};

/** A name for messages: String() of anything JSON gives, except objects, which may not convert. */
const nameOf = (value: unknown) => (value !== null && typeof value === 'object' ? 'object' : String(value));

/** Parses and checks an index; any fault throws an IndexError that says where. */
export function parseIndex(text: string): ModuleRecord[] {
  let parsed: { format?: unknown; modules?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new IndexError(`${INDEX_PATH}: not valid JSON (${(error as Error).message})`);
  }
  if (parsed?.format !== INDEX_FORMAT || !Array.isArray(parsed.modules)) {
    throw new IndexError(`${INDEX_PATH}: expected format ${INDEX_FORMAT} with a modules list`);
  }
  return parsed.modules.map((record: Record<string, unknown>, position: number) => {
    for (const [field, type] of Object.entries(FIELD_TYPES)) {
      const value = record?.[field];
      if (type === 'array' ? !Array.isArray(value) || value.some((item) => typeof item !== 'string') : typeof value !== type) {
        throw new IndexError(`${INDEX_PATH}: module #${position} (${nameOf(record?.name)}): field ${field} should be ${type === 'array' ? 'a list of names' : type === 'object' ? 'an object' : `a ${type}`}`);
      }
    }
    return record as unknown as ModuleRecord;
  });
}
