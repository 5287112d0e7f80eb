/*
 * Tests module records (ramdisk/module-index.ts): every field is checked before anything uses
 * it, strictly — names, versions and paths made only of the characters they may have — with a
 * message naming the field; the signed text covers every field but the offset hint; and
 * index.json, the document for people and tools, holds the records without hints.
 */
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../test/test-helpers.ts';
import { checkRecord, INDEX_FORMAT, IndexError, isModuleName, isVersion, modulePath, serializeIndex, signedText, type ModuleRecord } from '../module-index.ts';

const sampleRecord = (name = 'shell', version = '1.0.0'): ModuleRecord => ({
  name, version, description: 'the command shell, with "quotes" and 日本語', path: modulePath(name, version),
  size: 5120, sha256: 'a'.repeat(64), signature: 'b'.repeat(128), depends: ['console', 'sysinfo'], imports: { console: ['write'], sysinfo: ['*'] },
  exports: ['start', 'run'], default: true, offset: 4096,
});

/** The message checkRecord gives for `value`, which must be refused. */
function refusal(value: unknown): string {
  const error = thrownBy(() => checkRecord(value, 'lib/modules/index.jsonl: the record at byte 80'));
  expect(error).toBeInstanceOf(IndexError);
  return (error as Error).message;
}

describe('checkRecord', () => {
  it('returns a good record as it is, with or without a signature and an offset', () => {
    const record = sampleRecord();
    expect(checkRecord(record, 'here')).toBe(record);
    const { signature: _signature, offset: _offset, ...bare } = record;
    expect(checkRecord(bare, 'here')).toEqual(bare);
  });

  it.each([null, 'shell', 7, [sampleRecord()]])('refuses a record that is not an object (%j)', (value) => {
    expect(refusal(value)).toBe('lib/modules/index.jsonl: the record at byte 80: a record should be an object');
  });

  it.each(Object.keys(sampleRecord()).filter((field) => field !== 'signature' && field !== 'offset'))('names the field when %s is missing', (field) => {
    const record: Record<string, unknown> = { ...sampleRecord() };
    delete record[field];
    expect(refusal(record)).toMatch(new RegExp(`^lib/modules/index\\.jsonl: the record at byte 80 \\((shell|no name)\\): field ${field} should be `));
  });

  const bad: Array<[string, unknown, string]> = [
    ['name', 'Shell', 'a module name (lower case letters, digits, dashes)'],
    ['name', '1shell', 'a module name (lower case letters, digits, dashes)'],
    ['name', 'she ll', 'a module name (lower case letters, digits, dashes)'],
    ['name', 'shell\n', 'a module name (lower case letters, digits, dashes)'],
    ['name', 'a'.repeat(65), 'a module name (lower case letters, digits, dashes)'],
    ['name', '../kernel', 'a module name (lower case letters, digits, dashes)'],
    ['version', '1.0', 'a version (1.2.3)'],
    ['version', '01.0.0', 'a version (1.2.3)'],
    ['version', '1.0.0\n//', 'a version (1.2.3)'],
    ['version', '1.0.0-dev.01', 'a version (1.2.3)'],
    ['version', '1.0.0 ', 'a version (1.2.3)'],
    ['path', 'lib/modules/shell/1.0.0.js\nrequire("x")', 'lib/modules/<name>/<version>.js'],
    ['path', 'lib/modules/kv/1.0.0.js', 'lib/modules/<name>/<version>.js'],
    ['path', '/lib/modules/shell/1.0.0.js', 'lib/modules/<name>/<version>.js'],
    ['size', -1, 'a size in bytes'],
    ['size', 1.5, 'a size in bytes'],
    ['size', '5120', 'a size in bytes'],
    ['size', 2 ** 32, 'a size in bytes'],
    ['sha256', 'A'.repeat(64), '64 hex digits'],
    ['sha256', 'a'.repeat(63), '64 hex digits'],
    ['signature', 'x', '128 hex digits'],
    ['signature', null, '128 hex digits'],
    ['depends', 'console', 'a list of other modules'],
    ['depends', ['console', 'console'], 'a list of other modules'],
    ['depends', ['shell'], 'a list of other modules'],
    ['depends', ['Console'], 'a list of other modules'],
    ['imports', [], 'symbols by module, each module one it depends on'],
    ['imports', null, 'symbols by module, each module one it depends on'],
    ['imports', { kv: ['get'] }, 'symbols by module, each module one it depends on'],
    ['imports', { console: 'write' }, 'symbols by module, each module one it depends on'],
    ['imports', { console: ['write;x'] }, 'symbols by module, each module one it depends on'],
    ['imports', { console: ['write', 'write'] }, 'symbols by module, each module one it depends on'],
    ['exports', ['start', 3], 'a list of symbols'],
    ['exports', ['a b'], 'a list of symbols'],
    ['exports', ['*'], 'a list of symbols'],
    ['default', 'yes', 'a boolean'],
    ['offset', -0.5, 'a whole number'],
    ['offset', '4096', 'a whole number'],
  ];
  it.each(bad)('refuses %s %j, saying what it should be', (field, value, should) => {
    const record: Record<string, unknown> = { ...sampleRecord(), [field]: value };
    expect(refusal(record)).toBe(`lib/modules/index.jsonl: the record at byte 80 (${field === 'name' ? (typeof value === 'string' ? 'a bad name' : 'no name') : 'shell'}): field ${field} should be ${should}`);
  });

  it('takes a negative or huge offset (a hint: it is checked against the archive where it is used)', () => {
    expect(checkRecord({ ...sampleRecord(), offset: -4 }, 'here').offset).toBe(-4);
    expect(checkRecord({ ...sampleRecord(), offset: 2 ** 40 }, 'here').offset).toBe(2 ** 40);
  });

  it('takes semantic versions with pre-release and build parts, as the dev loop writes them', () => {
    for (const version of ['0.0.0', '10.20.30', '1.0.0-dev.3', '1.0.0-alpha-1.beta', '1.0.0+build.5', '1.0.0-rc.1+exp.sha.5114f85']) {
      expect(isVersion(version), version).toBe(true);
      expect(checkRecord(sampleRecord('kv', version), 'here').version).toBe(version);
    }
  });

  it('takes module names of lower case letters, digits and dashes, starting with a letter', () => {
    for (const name of ['a', 'kv', 'sim-store', 'generated-9999', 'x1-2-3']) expect(isModuleName(name), name).toBe(true);
    for (const name of ['', '-a', 'A', 'a_b', 'a.b', 'ä', 'a/b', 7]) expect(isModuleName(name), String(name)).toBe(false);
  });

  it('refuses an imports key "__proto__" or "constructor" that names no dependency', () => {
    expect(refusal(JSON.parse(JSON.stringify(sampleRecord()).replace('"imports":{', '"imports":{"__proto__":["x"],')))).toContain('field imports should be');
    expect(refusal({ ...sampleRecord(), imports: { constructor: ['x'] } })).toContain('field imports should be');
  });
});

describe('signedText', () => {
  it('changes with every field but the signature and the offset', () => {
    const record = sampleRecord();
    const text = signedText(record);
    const changed: Array<Partial<ModuleRecord>> = [
      { name: 'shelly', path: modulePath('shelly', '1.0.0') }, { version: '1.0.1', path: modulePath('shell', '1.0.1') }, { description: 'x' }, { size: 5121 },
      { sha256: 'c'.repeat(64) }, { depends: ['console'] }, { imports: { console: ['write', 'read'] } }, { exports: ['start'] }, { default: false },
    ];
    for (const change of changed) expect(signedText({ ...record, ...change }), JSON.stringify(change)).not.toBe(text);
    expect(signedText({ ...record, signature: 'c'.repeat(128), offset: 8 })).toBe(text);
  });

  it('does not depend on the order of the imports object', () => {
    const record = sampleRecord();
    expect(signedText({ ...record, imports: { sysinfo: ['*'], console: ['write'] } })).toBe(signedText(record));
  });
});

describe('index.json, for people and tools', () => {
  it('is one JSON document of every record, one record a line, without offsets', () => {
    const records = [sampleRecord('kv', '1.0.0'), sampleRecord('kv', '2.0.0')];
    const text = serializeIndex(records);
    expect(text.split('\n')).toHaveLength(records.length + 3);
    const document = JSON.parse(text) as { format: number; modules: ModuleRecord[] };
    expect(document.format).toBe(INDEX_FORMAT);
    expect(document.modules).toEqual(records.map(({ offset: _offset, ...record }) => record));
  });
});
