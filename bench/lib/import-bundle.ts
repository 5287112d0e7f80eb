/*
 * The baseline loader: Node's own import() of a module's CommonJS bundle, wrapped as an ES
 * module the way test/reclamation.test.ts does it, and run with its `init` as keel's loader
 * does. Each copy is a file of its own, so every import is a distinct module (and reads its
 * source from a file, as Node code usually does). The imports run in a plain node process,
 * bench/lib/import-probe.mjs. Node never unloads what import() loaded (docs/design.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../build.ts';
import { temporaryDirectory } from './generate-modules.ts';

const PROBE = path.join(PROJECT_ROOT, 'bench/lib/import-probe.mjs');

/** Writes `bundle` into `directory` as an ES module file that runs its init. */
export function writeBundleModule(directory: string, bundle: string, fileName: string): void {
  const source = `const module = { exports: {} }; const exports = module.exports;\n${bundle}\nmodule.exports.init?.();\nexport default module.exports;\n`;
  writeFileSync(path.join(directory, `${fileName}.mjs`), source);
}

export interface ImportMeasurement {
  /** Milliseconds each measured import took. */
  milliseconds: number[];
  /** Compiled code and heap the measured imports left behind, after GC. */
  codeBytes: number;
  heapBytes: number;
}

/**
 * Imports `directory`'s warm-up-* files, then times each of its measured-* files (after a
 * full GC each, with `collectEach`), in a fresh node process.
 */
export function measureImports(directory: string, collectEach: boolean): ImportMeasurement {
  const args = ['--expose-gc', PROBE, directory, ...(collectEach ? ['--collect-each'] : [])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 ** 2, timeout: 300_000 });
  if (result.status !== 0) throw new Error(`import probe failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as ImportMeasurement;
}

/** `count` import() copies alternating between `bundles` (the versions of one module, each update a new copy), measured in a plain node process. */
export function importEach(bundles: string[], count: number, label: string): ImportMeasurement {
  const directory = temporaryDirectory(label);
  mkdirSync(path.join(directory, 'copies'));
  try {
    for (let update = 0; update < count; update++) writeBundleModule(path.join(directory, 'copies'), bundles[update % bundles.length]!, `measured-${String(update).padStart(6, '0')}`);
    return measureImports(path.join(directory, 'copies'), false);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export interface ImportServer {
  /** Imports `fileName`.mjs of the served directory after a full GC; resolves with the milliseconds the import() took. */
  time(fileName: string): Promise<number>;
  close(): void;
}

/**
 * A plain node process that has imported `directory`'s warm-up-* files and imports one more file
 * each time it is asked: for timing import() in turns with keel's loads.
 */
export function serveImports(directory: string): ImportServer {
  const child = spawn(process.execPath, ['--expose-gc', PROBE, directory, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async time(fileName) {
      child.stdin.write(`${fileName}.mjs\n`);
      const answer = await answers.next();
      if (answer.done) throw new Error(`import probe ended before importing ${fileName} (exit ${child.exitCode})`);
      return Number(answer.value);
    },
    close: () => child.stdin.end(),
  };
}
