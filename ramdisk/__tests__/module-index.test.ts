/*
 * Tests the ramdisk's module index (ramdisk/module-index.ts): serializeIndex and parseIndex
 * round-trip every record, and every malformed index fails with an IndexError that names the
 * module (position and name) and the field at fault.
 */
import { describe, expect, it } from 'vitest';
import { INDEX_FORMAT, INDEX_PATH, IndexError, modulePath, parseIndex, serializeIndex, type ModuleRecord } from '../module-index.ts';

const records: ModuleRecord[] = [
  {
    name: 'shell', version: '1.0.0', description: 'the command shell', path: modulePath('shell', '1.0.0'),
    size: 5120, sha256: 'a'.repeat(64), depends: ['kernel', 'console'], imports: { console: ['write'] }, exports: ['start', 'run'], default: true, offset: 0,
  },
  {
    name: 'ümlaut-fs', version: '2.1.0-beta', description: 'a file system with "quotes" and 日本語', path: modulePath('ümlaut-fs', '2.1.0-beta'),
    size: 0, sha256: 'b'.repeat(64), depends: [], imports: {}, exports: [], default: false, offset: 5244,
  },
];

/** The serialized index as a plain object, to damage one field of one record. */
const indexObject = () => JSON.parse(serializeIndex(records)) as { format: number; modules: Record<string, unknown>[] };

function indexErrorOf(text: string): IndexError {
  try {
    parseIndex(text);
  } catch (error) {
    expect(error).toBeInstanceOf(IndexError);
    return error as IndexError;
  }
  throw new Error('expected parseIndex to throw');
}

describe('serializeIndex and parseIndex', () => {
  it('round-trips every record', () => {
    expect(parseIndex(serializeIndex(records))).toEqual(records);
  });

  it('round-trips an empty index', () => {
    expect(parseIndex(serializeIndex([]))).toEqual([]);
  });

  it('writes the format number and ends with a newline', () => {
    const text = serializeIndex(records);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text).format).toBe(INDEX_FORMAT);
  });

  it('puts bundles at lib/modules/<name>/<version>.js', () => {
    expect(modulePath('shell', '1.0.0')).toBe('lib/modules/shell/1.0.0.js');
  });
});

describe('malformed indexes', () => {
  it('rejects text that is not JSON', () => {
    const error = indexErrorOf('{"format": 1, "modules": [');
    expect(error.message).toContain(INDEX_PATH);
    expect(error.message).toContain('not valid JSON');
  });

  it.each([
    ['a wrong format number', JSON.stringify({ format: 2, modules: [] })],
    ['a format given as a string', JSON.stringify({ format: '1', modules: [] })],
    ['no modules list', JSON.stringify({ format: 1 })],
    ['modules that are not a list', JSON.stringify({ format: 1, modules: {} })],
    ['JSON null', 'null'],
  ])('rejects %s', (_description, text) => {
    expect(indexErrorOf(text).message).toBe(`${INDEX_PATH}: expected format ${INDEX_FORMAT} with a modules list`);
  });

  it.each(Object.keys(records[0]!))('names the module and the field when %s is missing', (field) => {
    const index = indexObject();
    delete index.modules[1]![field];
    const message = indexErrorOf(JSON.stringify(index)).message;
    expect(message).toContain(INDEX_PATH);
    expect(message).toContain(`field ${field} should be`);
    expect(message).toContain(field === 'name' ? 'module #1 (undefined)' : 'module #1 (ümlaut-fs)');
  });

  it.each([
    ['size', '5120', 'field size should be a number'],
    ['offset', null, 'field offset should be a number'],
    ['name', 7, 'field name should be a string'],
    ['sha256', ['a'], 'field sha256 should be a string'],
    ['default', 'yes', 'field default should be a boolean'],
    ['depends', 'kernel', 'field depends should be a list of names'],
    ['exports', ['start', 3], 'field exports should be a list of names'],
  ])('names the module and the field when %s has the wrong type', (field, value, expected) => {
    const index = indexObject();
    index.modules[0]![field] = value;
    const message = indexErrorOf(JSON.stringify(index)).message;
    expect(message).toContain(expected);
    expect(message).toContain(field === 'name' ? 'module #0 (7)' : 'module #0 (shell)');
  });

  it('rejects a record that is not an object with an IndexError, not a TypeError', () => {
    const index = indexObject();
    index.modules.splice(1, 0, null as unknown as Record<string, unknown>);
    expect(indexErrorOf(JSON.stringify(index)).message).toContain('module #1 (undefined): field name should be a string');
  });
});
