/*
 * Tests the kernel's index lines (ramdisk/index-lines.ts): written sorted by name with the
 * hints in the first line, searched in place by binary search — every name found among 10 or
 * 10,000, in a file whose lines are of every length — and a malformed file or record refused
 * with one line that says where.
 */
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../test/test-helpers.ts';
import { INDEX_LINES_PATH, IndexLines, writeIndexLines } from '../index-lines.ts';
import { IndexError, modulePath, type ModuleRecord } from '../module-index.ts';

const record = (name: string, version = '1.0.0', extra: Partial<ModuleRecord> = {}): ModuleRecord => ({
  name, version, description: `${name} ${version}`, path: modulePath(name, version), size: 100, sha256: 'a'.repeat(64),
  depends: [], imports: {}, exports: ['run'], default: version === '1.0.0', ...extra,
});

const bytes = (text: string) => new TextEncoder().encode(text);
const linesOf = (records: ModuleRecord[], offsets: Record<string, number> = {}) => new IndexLines(bytes(writeIndexLines(records, offsets)));

describe('writeIndexLines', () => {
  it('writes the header line, then one record a line sorted by name, name first, a module\'s versions in the order given', () => {
    const text = writeIndexLines([record('kv', '1.0.0'), record('hello'), record('kv', '2.0.0'), record('a-b'), record('ab')], { 'etc/modules': 8, 'TRAILER!!!': 96 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('{"format":2,"records":5,"offsets":{"etc/modules":8,"TRAILER!!!":96},"kernel":[]}');
    expect(lines.slice(1, -1).map((line) => JSON.parse(line).name + ' ' + JSON.parse(line).version)).toEqual(['a-b 1.0.0', 'ab 1.0.0', 'hello 1.0.0', 'kv 1.0.0', 'kv 2.0.0']);
    for (const line of lines.slice(1, -1)) expect(line.startsWith('{"name":"')).toBe(true);
    expect(lines.at(-1)).toBe('');
  });

  it('repeats the kernel module\'s records in the first line, each as its own line gives it, for the bootstrap', () => {
    const kernels = [record('kernel', '1.0.0', { signature: 'b'.repeat(128) }), record('kernel', '1.1.0', { default: false })];
    const lines = writeIndexLines([record('hello'), ...kernels, record('kerneld')], {}).split('\n');
    const header = JSON.parse(lines[0]!);
    expect(header.kernel).toEqual(kernels);
    expect(lines.filter((line) => line.startsWith('{"name":"kernel",')).map((line) => JSON.parse(line))).toEqual(header.kernel);
    expect(new IndexLines(bytes(lines.join('\n'))).versions('kernel')).toEqual(kernels);
  });
});

describe('IndexLines', () => {
  it('gives the hints of the first line, and undefined for one it lacks or that is no whole number', () => {
    const index = linesOf([record('kv')], { 'etc/modules': 512, odd: 1.5 });
    expect(index.header.records).toBe(1);
    expect(index.offsetOf('etc/modules')).toBe(512);
    expect(index.offsetOf('odd')).toBeUndefined();
    expect(index.offsetOf('TRAILER!!!')).toBeUndefined();
    expect(index.offsetOf('constructor')).toBeUndefined();
  });

  it('finds every version of a module, oldest first, and nothing for a name it lacks', () => {
    const index = linesOf([record('kv', '1.0.0'), record('kv', '2.0.0'), record('hello'), record('shell', '0.1.0')]);
    expect(index.versions('kv').map((each) => each.version)).toEqual(['1.0.0', '2.0.0']);
    expect(index.versions('hello')).toEqual([record('hello')]);
    for (const name of ['', 'a', 'hell', 'hellp', 'kv-2', 'zzz', 'shell\n']) expect(index.versions(name), name).toEqual([]);
  });

  it.each([1, 2, 3, 10, 257, 10_000])('finds each of %i modules by binary search, lines of every length', (count) => {
    const records = Array.from({ length: count }, (_, position) => record(`m${position.toString(36)}`, '1.0.0', { description: 'x'.repeat((position * 37) % 300) }));
    const index = linesOf(records);
    const step = Math.max(1, Math.floor(count / 97));
    for (let position = 0; position < count; position += step) expect(index.versions(records[position]!.name)).toEqual([records[position]]);
    expect(index.versions('m')).toEqual([]);
    expect(index.versions('n')).toEqual([]);
  });

  it('finds a module in a file without a final newline', () => {
    const text = writeIndexLines([record('a'), record('b')], {}).trimEnd();
    expect(new IndexLines(bytes(text)).versions('b')).toEqual([record('b')]);
  });
});

describe('malformed index lines', () => {
  const failure = (text: string, name = 'hello') => {
    const error = thrownBy(() => new IndexLines(bytes(text)).versions(name));
    expect(error).toBeInstanceOf(IndexError);
    return (error as Error).message;
  };
  const header = '{"format":2,"records":1,"offsets":{}}\n';

  it.each([
    ['an empty file', ''],
    ['a first line that is not JSON', '{"format":2,\n'],
    ['another format', '{"format":1,"records":1,"offsets":{}}\n'],
    ['no record count', '{"format":2,"offsets":{}}\n'],
    ['offsets that are a list', '{"format":2,"records":1,"offsets":[]}\n'],
    ['JSON null', 'null\n'],
  ])('refuses %s in the first line', (_case, text) => {
    expect(failure(text)).toBe(`${INDEX_LINES_PATH}: the first line should be {"format":2,"records":N,"offsets":{...}}`);
  });

  it.each([
    ['an empty line', `${header}\n`],
    ['a line that does not start with the name', `${header}{"version":"1.0.0","name":"hello"}\n`],
    ['a name with an escape', `${header}{"name":"hel\\u006co"}\n`],
    ['a name that is no module name', `${header}{"name":"Hello"}\n`],
    ['an empty name', `${header}{"name":""}\n`],
    ['a name past 64 characters', `${header}{"name":"${'a'.repeat(65)}"}\n`],
    ['a name that starts with a digit', `${header}{"name":"1hello"}\n`],
    ['a name the file ends in', `${header}{"name":"hello`],
  ])('refuses %s where the search lands, naming the byte', (_case, text) => {
    expect(failure(text)).toBe(`${INDEX_LINES_PATH}: the line at byte ${header.length} does not start with a module's name`);
  });

  it('refuses a record line that is not JSON', () => {
    expect(failure(`${header}{"name":"hello",\n`)).toMatch(new RegExp(`^lib/modules/index\\.jsonl: the record at byte ${header.length}: not valid JSON \\(.+\\)$`));
  });

  it('refuses a record whose fields are wrong, naming the field', () => {
    const line = JSON.stringify({ ...record('hello'), version: '1.0.0\n' });
    expect(failure(`${header}${line}\n`)).toBe(`${INDEX_LINES_PATH}: the record at byte ${header.length} (hello): field version should be a version (1.2.3)`);
  });

  it('refuses a line whose name is given twice, differently', () => {
    const line = JSON.stringify(record('hello')).replace(/}$/, `,"name":"shell","path":"${modulePath('shell', '1.0.0')}"}`);
    expect(failure(`${header}${line}\n`)).toBe(`${INDEX_LINES_PATH}: the record at byte ${header.length} starts with the name hello but is shell`);
  });

  it('refuses a module version listed twice', () => {
    expect(failure(writeIndexLines([record('hello'), record('hello')], {}))).toBe(`${INDEX_LINES_PATH}: hello 1.0.0 is listed twice`);
  });
});
