/*
 * Watches module sources with esbuild's context().watch(): one context per module folder
 * (the current source; frozen versions/ folders are not watched), and a scan for module
 * folders that appear while it runs. Each rebuild after the first is handed on: the module's
 * full build (record and bundle), or the build error, one line.
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
  private readonly contexts = new Map<string, esbuild.BuildContext>();
  private readonly scanner: NodeJS.Timeout;

  constructor(
    private readonly roots: string[],
    private readonly events: WatchEvents,
  ) {
    this.scanner = setInterval(() => void this.scan(true), SCAN_INTERVAL_MS);
  }

  /** Starts watching every module folder; with `announce`, folders new since the last scan are built and sent at once. */
  async scan(announce = false): Promise<void> {
    for (const folder of this.roots.flatMap(moduleFoldersIn)) {
      if (this.contexts.has(folder)) continue;
      this.contexts.set(folder, await this.watch(folder, announce));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.scanner);
    await Promise.all([...this.contexts.values()].map((context) => context.dispose()));
    this.contexts.clear();
  }

  private async watch(folder: string, announceFirst: boolean): Promise<esbuild.BuildContext> {
    let first = !announceFirst;
    const context = await esbuild.context({
      entryPoints: [path.join(folder, 'index.ts')],
      ...SHARED,
      format: 'cjs',
      external: ['keel:*'],
      plugins: [{
        name: 'keel-dev-loop',
        setup: (build) => build.onEnd(async (result) => {
          if (first) {
            first = false;
            return;
          }
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
        }),
      }],
    });
    await context.watch();
    return context;
  }
}
