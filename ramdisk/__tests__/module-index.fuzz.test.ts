/*
 * Property-based tests (fast-check) of the module index format (ramdisk/module-index.ts):
 * parseIndex returns records or throws an IndexError for any text or JSON value, and
 * parseIndex(serializeIndex(records)) gives back records deep-equal to those written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexError, INDEX_FORMAT, parseIndex, serializeIndex, type ModuleRecord } from '../module-index.ts';

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

/** JSON.stringify gives undefined for undefined itself; parseIndex then sees the text "undefined". */
const stringified = (value: unknown) => JSON.stringify(value) ?? 'undefined';

const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));
const names = fc.array(anyString, { maxLength: 5 });

const moduleRecord: fc.Arbitrary<ModuleRecord> = fc.record(
  {
    name: anyString,
    version: anyString,
    description: anyString,
    path: anyString,
    size: fc.nat(),
    sha256: anyString,
    signature: anyString,
    depends: names,
    imports: fc.dictionary(anyString, names, { maxKeys: 5 }),
    exports: names,
    default: fc.boolean(),
    offset: fc.nat(),
  },
  { requiredKeys: ['name', 'version', 'description', 'path', 'size', 'sha256', 'depends', 'imports', 'exports', 'default', 'offset'] },
);

/**
 * Index-shaped JSON that gets past the format check: every record field is either valid or
 * an arbitrary JSON value, so that each field check in turn meets wrong types.
 */
const fieldNames = ['name', 'version', 'description', 'path', 'size', 'sha256', 'signature', 'depends', 'imports', 'exports', 'default', 'offset'];
const nearlyValidIndex = fc
  .record({
    format: fc.oneof(fc.constant<unknown>(INDEX_FORMAT), fc.jsonValue()),
    modules: fc.array(
      fc.oneof(
        fc.jsonValue(),
        fc
          .tuple(moduleRecord, fc.dictionary(fc.constantFrom(...fieldNames), fc.jsonValue(), { maxKeys: 3 }))
          .map(([record, replaced]) => ({ ...record, ...replaced })),
      ),
      { maxLength: 4 },
    ),
  })
  .map(stringified);

describe('parseIndex on arbitrary input', () => {
  it('returns records or throws an IndexError for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        returnsOrThrowsIndexError(() => parseIndex(text));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('returns records or throws an IndexError for any JSON text (fc.json)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        returnsOrThrowsIndexError(() => parseIndex(text));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('returns records or throws an IndexError for any value stringified (fc.anything)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        returnsOrThrowsIndexError(() => parseIndex(stringified(value)));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('returns records or throws an IndexError for index-shaped JSON with wrong field types', () => {
    fc.assert(
      fc.property(nearlyValidIndex, (text) => {
        returnsOrThrowsIndexError(() => parseIndex(text));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('parseIndex on field values that are objects with keys such as toString and valueOf', () => {
  it('throws an IndexError for the counterexample fast-check found', () => {
    returnsOrThrowsIndexError(() => parseIndex('{"format":1,"modules":[{"name":{"toString":{}}}]}'));
    expect(() => parseIndex('{"format":1,"modules":[{"name":{"toString":{}}}]}')).toThrow(/module #0 \(object\): field name should be a string/);
  });

  it('returns records or throws an IndexError, whatever those objects hold', () => {
    const hostileValue = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('toString', 'valueOf', 'constructor', '__proto__')), fc.jsonValue()),
    );
    const records = fc.array(fc.dictionary(fc.constantFrom('name', 'version', 'size'), hostileValue), { maxLength: 3 });
    fc.assert(
      fc.property(records, (modules) => {
        returnsOrThrowsIndexError(() => parseIndex(JSON.stringify({ format: 1, modules })));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('serializeIndex and parseIndex', () => {
  it('parseIndex(serializeIndex(records)) deep-equals records', () => {
    fc.assert(
      fc.property(fc.array(moduleRecord, { maxLength: 6 }), (records) => {
        expect(parseIndex(serializeIndex(records))).toEqual(records);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
