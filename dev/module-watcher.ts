/*
 * Watches module sources with esbuild's context().watch(): one context per module folder
 * (the current source; frozen versions/ folders are not watched), and a scan for module
 * folders that appear while it runs. Each rebuild after the first is handed on: the module's
 * full build (record and bundle), or the build error, one line.
 *
 *   const watcher = new ModuleWatcher([modulesDir], { rebuilt, failed });
 *   await watcher.start();     // every folder watched and built once; new folders found from now on
 *   await watcher.stop();
 *
 * A folder is watched once, however many scans overlap: it is recorded before its watch is set
 * up, so a scan that starts meanwhile (the periodic one, while the first is still busy on a
 * cold machine) passes over it instead of watching it a second time and announcing a rebuild
 * nobody saved. A scan resolves once every folder it took up has had its first build, so a
 * save made after it is a rebuild, never folded into the first build and lost.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { BuildError, SHARED } from '../build/esbuild-bundle.ts';
import { buildModule, type BuiltModule } from '../build/module-bundle.ts';

export interface WatchEvents {
  rebuilt(module: BuiltModule, folder: string): void;
  failed(message: string, folder: string): void;
}

const SCAN_INTERVAL_MS = 300;

const moduleFoldersIn = (root: string) =>
  readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(root, entry.name))
    .filter((folder) => existsSync(path.join(folder, 'package.json')) && existsSync(path.join(folder, 'index.ts')));

export class ModuleWatcher {
  private readonly contexts = new Map<string, Promise<esbuild.BuildContext>>();
  private scanner: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly roots: string[],
    private readonly events: WatchEvents,
  ) {}

  /** Watches every module folder there is; then looks for new ones every SCAN_INTERVAL_MS and builds and sends each at once. */
  async start(): Promise<void> {
    await this.scan();
    if (!this.stopped) this.scanner = setInterval(() => void this.scan(true), SCAN_INTERVAL_MS);
  }

  /** Starts watching every module folder not watched yet; with `announce`, their first build is sent as a rebuild. */
  async scan(announce = false): Promise<void> {
    const started: Array<Promise<esbuild.BuildContext>> = [];
    for (const folder of this.roots.flatMap(moduleFoldersIn)) {
      if (this.contexts.has(folder) || this.stopped) continue;
      const context = this.watch(folder, announce);
      this.contexts.set(folder, context);
      started.push(context);
    }
    await Promise.all(started);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.scanner);
    const contexts = await Promise.all(this.contexts.values());
    await Promise.all(contexts.map((context) => context.dispose()));
    this.contexts.clear();
  }

  /** A watching context for `folder`, once its first build is done. */
  private async watch(folder: string, announceFirst: boolean): Promise<esbuild.BuildContext> {
    let first = true;
    let firstBuilt!: () => void;
    const built = new Promise<void>((resolve) => (firstBuilt = resolve));
    const context = await esbuild.context({
      entryPoints: [path.join(folder, 'index.ts')],
      ...SHARED,
      format: 'cjs',
      external: ['keel:*'],
      plugins: [{
        name: 'keel-dev-loop',
        setup: (build) => build.onEnd(async (result) => {
          const wasFirst = first;
          first = false;
          try {
            if (!wasFirst || announceFirst) await this.report(result, folder);
          } finally {
            if (wasFirst) firstBuilt();
          }
        }),
      }],
    });
    await context.watch();
    await built;
    return context;
  }

  /** Hands one build on: the module built in full, or its first error. */
  private async report(result: esbuild.BuildResult, folder: string): Promise<void> {
    const error = result.errors[0];
    if (error) {
      const where = error.location ? `${error.location.file}:${error.location.line}:${error.location.column}: ` : '';
      this.events.failed(`${where}${error.text}`, folder);
      return;
    }
    try {
      this.events.rebuilt(await buildModule(folder), folder);
    } catch (failure) {
      this.events.failed(failure instanceof BuildError ? failure.message : String(failure), folder);
    }
  }
}
