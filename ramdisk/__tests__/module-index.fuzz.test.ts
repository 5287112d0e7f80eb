/*
 * Property-based tests (fast-check) of module records and the index lines
 * (ramdisk/module-index.ts, ramdisk/index-lines.ts): checkRecord and a search of the index
 * lines return records or throw an IndexError for any text or JSON value, never another error;
 * and records written with writeIndexLines are found again, every one, deep-equal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexLines, writeIndexLines } from '../index-lines.ts';
import { checkRecord, IndexError, modulePath, type ModuleRecord } from '../module-index.ts';

/** A fixed seed keeps every run repeatable; fast-check prints seed and path of any counterexample. */
const SEED = 0x6b65656c;

/** Runs `action`; an IndexError counts as a clean rejection, any other throw fails the property. */
function returnsOrThrowsIndexError(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof IndexError)) throw error;
  }
}

const moduleName = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const version = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { nil: undefined }))
  .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`);
const symbol = fc.stringMatching(/^[A-Za-z_$][\w$]{0,10}$/);
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));

const goodRecord: fc.Arbitrary<ModuleRecord> = fc
  .record({
    name: moduleName, version, description: anyString, size: fc.nat(), sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
    depends: fc.uniqueArray(moduleName, { maxLength: 3 }), exports: fc.uniqueArray(symbol, { maxLength: 4 }), default: fc.boolean(), offset: fc.integer(),
  })
  .map((fields) => {
    const depends = fields.depends.filter((name) => name !== fields.name);
    return { ...fields, path: modulePath(fields.name, fields.version), depends, imports: Object.fromEntries(depends.map((name) => [name, ['*']])) };
  });

/** Record-shaped values: each field either good or an arbitrary JSON value, so every check meets wrong types. */
const fieldNames = ['name', 'version', 'description', 'path', 'size', 'sha256', 'signature', 'depends', 'imports', 'exports', 'default', 'offset'];
const nearlyGood = fc
  .tuple(goodRecord, fc.dictionary(fc.constantFrom(...fieldNames), fc.jsonValue(), { maxKeys: 3 }))
  .map(([record, replaced]) => ({ ...record, ...replaced }));
const hostile = fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames, 'toString', 'valueOf', 'constructor', '__proto__'), fc.string()), fc.jsonValue());

describe('checkRecord on arbitrary values', () => {
  it('returns the record or throws an IndexError for any value at all', () => {
    fc.assert(fc.property(fc.oneof(fc.anything(), nearlyGood, hostile), (value) => returnsOrThrowsIndexError(() => checkRecord(value, 'here'))), { seed: SEED, numRuns: 3000 });
  });

  it('returns the record or throws an IndexError for any JSON text parsed (objects with __proto__ keys included)', () => {
    fc.assert(fc.property(fc.json(), (text) => returnsOrThrowsIndexError(() => checkRecord(JSON.parse(text), 'here'))), { seed: SEED, numRuns: 2000 });
  });
});

describe('IndexLines on arbitrary input', () => {
  const search = (text: string, names: string[]) => {
    const index = new IndexLines(new TextEncoder().encode(text));
    for (const name of names) index.versions(name);
  };

  it('returns records or throws an IndexError for any text', () => {
    fc.assert(fc.property(anyString, fc.array(moduleName, { maxLength: 3 }), (text, names) => returnsOrThrowsIndexError(() => search(text, names))), { seed: SEED, numRuns: 2000 });
  });

  it('returns records or throws an IndexError for a good first line followed by any lines, nearly good records among them', () => {
    const lines = fc.array(fc.oneof(anyString, nearlyGood.map((value) => JSON.stringify(value)), hostile.map((value) => JSON.stringify(value))), { maxLength: 6 });
    fc.assert(
      fc.property(lines, fc.array(fc.oneof(moduleName, anyString), { maxLength: 4 }), (body, names) => {
        returnsOrThrowsIndexError(() => search(['{"format":2,"records":0,"offsets":{}}', ...body].join('\n'), names));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('writeIndexLines and IndexLines', () => {
  it('find every record written, deep-equal, each module\'s versions in the order written', () => {
    const records = fc.uniqueArray(goodRecord, { maxLength: 12, selector: (record) => `${record.name}@${record.version}` });
    fc.assert(
      fc.property(records, (written) => {
        const index = new IndexLines(new TextEncoder().encode(writeIndexLines(written, {})));
        for (const name of new Set(written.map((record) => record.name))) {
          expect(index.versions(name)).toEqual(written.filter((record) => record.name === name));
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
