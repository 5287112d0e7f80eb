/*
 * Tests the build's import check (build/import-check.ts): on index records, a missing symbol
 * or module is one line naming importer, symbol and module, checked against the default
 * version; and a real build of a module with a typo in an import fails with that line and
 * writes nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFsFromVolume, Volume } from 'memfs';
import { afterEach, describe, expect, it } from 'vitest';
import { build, BuildError, PROJECT_ROOT } from '../../build.ts';
import { modulePath, type ModuleRecord } from '../../ramdisk/module-index.ts';
import { checkImports } from '../import-check.ts';

/** An index record with only what the check reads filled in. */
function record(name: string, fields: Partial<ModuleRecord> = {}): ModuleRecord {
  const version = fields.version ?? '1.0.0';
  const imports = fields.imports ?? {};
  return {
    name, version, description: '', path: modulePath(name, version), size: 0, sha256: '', depends: Object.keys(imports),
    imports, exports: [], default: true, offset: 0, ...fields,
  };
}

const hello = record('hello', { exports: ['exit', 'greet', 'init'] });

/** The BuildError message checkImports throws for `records`. */
function problem(records: ModuleRecord[]): string {
  try {
    checkImports(records);
  } catch (error) {
    expect(error).toBeInstanceOf(BuildError);
    return (error as Error).message;
  }
  throw new Error('expected checkImports to throw');
}

describe('checkImports on index records', () => {
  it('accepts imports that exist, whole namespaces, and modules that import nothing', () => {
    expect(() =>
      checkImports([
        hello,
        record('consumer', { imports: { hello: ['greet', 'init'] } }),
        record('inspector', { imports: { hello: ['*'] } }),
        record('loner'),
      ]),
    ).not.toThrow();
  });

  it('names the importer, the symbol and what the module does export', () => {
    expect(problem([record('consumer', { imports: { hello: ['greet', 'greeet'] } }), hello])).toBe(
      'consumer imports greeet from keel:hello, which does not export it (hello exports: exit, greet, init)',
    );
  });

  it('says so when the module imported exports nothing', () => {
    expect(problem([record('consumer', { imports: { quiet: ['speak'] } }), record('quiet')])).toBe(
      'consumer imports speak from keel:quiet, which does not export it (quiet exports nothing)',
    );
  });

  it('refuses an import of a module that does not exist, by symbol or by namespace or for side effects only', () => {
    expect(problem([record('x', { imports: { nosuch: ['thing'] } })])).toBe('x imports keel:nosuch, which is no module');
    expect(problem([record('x', { imports: { nosuch: ['*'] } })])).toBe('x imports keel:nosuch, which is no module');
    expect(problem([record('x', { depends: ['nosuch'] })])).toBe('x imports keel:nosuch, which is no module');
  });

  it('checks against the default version of the module imported, naming versions when there are several', () => {
    const older = record('hello', { version: '1.0.0', exports: ['greet'], default: true });
    const newer = record('hello', { version: '2.0.0', exports: ['greet', 'wave'], default: false });
    const consumer = record('consumer', { imports: { hello: ['wave'] } });
    expect(problem([consumer, older, newer])).toBe('consumer imports wave from keel:hello, which does not export it (hello 1.0.0 exports: greet)');
    expect(() => checkImports([consumer, { ...older, default: false }, { ...newer, default: true }])).not.toThrow();
  });

  it('names the version of the importer when it has several', () => {
    const consumers = [record('consumer', { version: '1.0.0', default: false }), record('consumer', { version: '2.0.0', imports: { hello: ['bye'] } })];
    expect(problem([hello, ...consumers])).toBe('consumer 2.0.0 imports bye from keel:hello, which does not export it (hello exports: exit, greet, init)');
  });
});

describe('build() with a module that imports what does not exist', () => {
  let modulesDir: string | undefined;
  afterEach(() => {
    if (modulesDir) rmSync(modulesDir, { recursive: true, force: true });
    modulesDir = undefined;
  });

  /** Writes a one-module folder into a fresh temporary modules folder and builds it with the project's modules. */
  async function buildWith(name: string, source: string, otherFiles: Record<string, string> = {}) {
    modulesDir = mkdtempSync(path.join(tmpdir(), 'keel-import-check-'));
    mkdirSync(path.join(modulesDir, name));
    writeFileSync(path.join(modulesDir, name, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
    writeFileSync(path.join(modulesDir, name, 'index.ts'), source);
    for (const [file, text] of Object.entries(otherFiles)) writeFileSync(path.join(modulesDir, name, file), text);
    const volume = new Volume();
    const outcome = build({ fs: createFsFromVolume(volume) as never, outDir: '/dist', moduleDirs: [path.join(PROJECT_ROOT, 'modules'), modulesDir], quiet: true });
    return { outcome, volume };
  }

  it('fails with one line naming the module and the symbol, and writes nothing', async () => {
    const { outcome, volume } = await buildWith('consumer', "import { greeet } from 'keel:hello';\nexport const run = () => greeet('x');\n");
    await expect(outcome).rejects.toThrow(new BuildError('consumer imports greeet from keel:hello, which does not export it (hello exports: exit, greet, init)'));
    expect(volume.existsSync('/dist')).toBe(false);
  });

  it('fails on an import of a module that is not there', async () => {
    const { outcome } = await buildWith('x', "import * as nothing from 'keel:nosuch';\nexport const run = () => nothing;\n");
    await expect(outcome).rejects.toThrow('x imports keel:nosuch, which is no module');
  });

  // esbuild drops an import the code does not use before the check could see it; the check reads the sources too.
  it.each([
    ['an unused import', "import { greeet } from 'keel:hello';\nexport const run = () => 1;\n", {}],
    ['an unused import beside a used one', "import { greet, greeet } from 'keel:hello';\nexport const run = () => greet('x');\n", {}],
    ['an unused import under another name', "import { greeet as hi } from 'keel:hello';\nexport const run = () => 1;\n", {}],
    ['an unused import in another file of the module', "import { helper } from './helper.ts';\nexport const run = () => helper();\n", { 'helper.ts': "import { greeet } from 'keel:hello';\nexport const helper = () => 2;\n" }],
  ])('fails on %s of a symbol the module does not export', async (_case, source, otherFiles) => {
    const { outcome, volume } = await buildWith('consumer', source, otherFiles);
    await expect(outcome).rejects.toThrow(new BuildError('consumer imports greeet from keel:hello, which does not export it (hello exports: exit, greet, init)'));
    expect(volume.existsSync('/dist')).toBe(false);
  });
});
