/*
 * The rules between folders (docs/architecture.md, "The pieces"), checked over the sources, so
 * that they stay true as code moves: every import statement of every source file is read and
 * judged by the rule of the folder it is in.
 *
 *   emulator/   the machine: imports nothing of boot/ or modules/ — it knows the kernel only
 *               as the bytes of a boot image — nor of ramdisk/ (the kernel's format). It runs on
 *               two hosts (docs/architecture.md, "One machine, two hosts"): only the Node side's
 *               own files (NODE_SIDE) import node: built-ins; the rest reach the host through
 *               host/current-host.ts (the one file that names node-host.ts) and take in nothing
 *               of the Node side, so that the browser's bundle holds none of it
 *   boot/       the bootstrap: only boot/, ramdisk/ and the machine's interface, as types
 *   ramdisk/    the format: only ramdisk/
 *   a module    (a folder with package.json under modules/, the test, bench and sim module
 *               folders): its own folder, keel:*, ramdisk/, the machine's interface, npm
 *               packages, and files beside the module folders that are no module's; the kernel
 *               module also the bootstrap's calling convention (boot/handoff.ts), as types. Never
 *               another module's files: other modules, the kernel among them, only as keel:*.
 *   web/page/   the page, in the browser: only web/page/, web/protocol/ and npm packages
 *   web/protocol/  what page and server say: only web/protocol/, and nothing of Node
 *   web/server/ host: like emulator/, nothing of boot/, modules/ or ramdisk/ — it sees the kernel
 *               only through the machine's debug device — and nothing of the page's code
 *   web/watcher/  host or page (the server's session, or the tab's): only web/watcher/,
 *               web/protocol/ and the machine's types from emulator/; no node: built-ins
 *   web/site/   the page with the machine in the tab: web/site/, web/page/, web/protocol/,
 *               web/watcher/, emulator/ (the browser's machine thread, the line terminal) and npm
 *               packages; no node: built-ins, nothing of boot/, modules/, ramdisk/ or web/server/
 *
 * Inside the folders of ACYCLIC_FOLDERS the files also stand on one another without a cycle,
 * type-only imports included (docs/architecture.md, "Reading the kernel"): each file can be read
 * knowing only the files below it.
 *
 * Tests (__tests__/) are host code and may import anything. The test ends with checks of the
 * reader and the rules themselves, so that a rule that could never fail is caught.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';

/** Where module folders live: each folder with a package.json under one of these is a module. */
const MODULE_ROOTS = ['modules', 'test/fixtures/modules', 'test/fixtures/hostile-modules', 'bench/fixtures/modules', 'sim/modules'];
const MACHINE_INTERFACE = 'emulator/machine-interface.ts';
/** The files of emulator/ that run only under Node: its host, the machine thread and worker, the CLI, its terminal and the scripts' options, the inspector's. */
const NODE_SIDE = new Set([
  'emulator/host/node-host.ts', 'emulator/machine-thread.ts', 'emulator/machine-worker.ts', 'emulator/machine-worker-entry.mjs', 'emulator/cli.ts', 'emulator/terminal.ts', 'emulator/machine-options.ts',
  'emulator/built-files.ts', 'emulator/heap-snapshot.ts', 'emulator/heap-retainers.ts', 'emulator/heap-monitor.ts', 'emulator/stall-inspector.ts', 'emulator/worker-inspector.ts',
]);
const CURRENT_HOST = 'emulator/host/current-host.ts';
const HANDOFF = 'boot/handoff.ts';

interface Import {
  /** The file, relative to the project root. */
  from: string;
  /** What it imports: a project file relative to the root, or the specifier as written (keel:x, node:fs, a package). */
  target: string;
  typeOnly: boolean;
}

/** The import and re-export statements of a source file: those that begin a line, as the code is written (comments quote them indented). */
export function importsIn(from: string, source: string): Import[] {
  const statements = source.matchAll(/^(?:import(\s+type\b)?(?:[^;'"]*?\sfrom)?|export(\s+type\b)?\s*(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from)\s*['"]([^'"]+)['"]/gm);
  return [...statements].map(([, importType, exportType, specifier]) => ({
    from,
    target: specifier!.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier!)) : specifier!,
    typeOnly: (importType ?? exportType) !== undefined,
  }));
}

const isUnder = (file: string, folder: string) => file.startsWith(`${folder}/`);

/** The module folder a file belongs to (the first level under a module root, with its versions), or undefined. */
function moduleOf(file: string): { root: string; folder: string } | undefined {
  for (const root of MODULE_ROOTS) {
    if (!isUnder(file, root)) continue;
    const [name, ...rest] = file.slice(root.length + 1).split('/');
    if (rest.length > 0 && existsSync(path.join(PROJECT_ROOT, root, name!, 'package.json'))) return { root, folder: `${root}/${name}` };
  }
  return undefined;
}

/** Why an import breaks the rule of the folder it is in, or null. */
export function brokenRule({ from, target, typeOnly }: Import): string | null {
  const file = target.endsWith('.ts') || target.endsWith('.mjs');
  if (isUnder(from, 'emulator')) {
    if (file && (isUnder(target, 'boot') || isUnder(target, 'modules') || isUnder(target, 'ramdisk'))) return 'emulator/ knows the kernel only as bytes';
    if (NODE_SIDE.has(from)) return null;
    if (!file && target.startsWith('node:')) return 'emulator/ runs on two hosts: only the Node side imports node: built-ins (the rest use host/current-host.ts)';
    if (file && NODE_SIDE.has(target) && !(from === CURRENT_HOST && target === 'emulator/host/node-host.ts')) return 'emulator/ runs on two hosts: what the browser bundles takes in nothing of the Node side';
    return null;
  }
  if (isUnder(from, 'boot')) {
    if (target === MACHINE_INTERFACE) return typeOnly ? null : 'boot/ takes the machine interface as types only';
    return file && (isUnder(target, 'boot') || isUnder(target, 'ramdisk')) ? null : 'boot/ imports only boot/, ramdisk/ and the machine interface';
  }
  if (isUnder(from, 'ramdisk')) return file && isUnder(target, 'ramdisk') ? null : 'ramdisk/ imports only ramdisk/';
  if (isUnder(from, 'web/page')) {
    if (file) return isUnder(target, 'web/page') || isUnder(target, 'web/protocol') ? null : 'web/page/ runs in the browser: only web/page/, web/protocol/ and npm packages';
    return target.startsWith('node:') ? 'web/page/ runs in the browser: no node: built-ins' : null;
  }
  if (isUnder(from, 'web/protocol')) return (file && isUnder(target, 'web/protocol')) || (!file && !target.startsWith('node:')) ? null : 'web/protocol/ is shared by page and server: only web/protocol/';
  if (isUnder(from, 'web/watcher')) {
    if (!file) return target.startsWith('node:') ? 'web/watcher/ runs on the host or in the page: no node: built-ins' : null;
    if (isUnder(target, 'web/watcher') || isUnder(target, 'web/protocol') || (isUnder(target, 'emulator') && typeOnly)) return null;
    return 'web/watcher/ runs on the host or in the page: only web/watcher/, web/protocol/ and the machine\'s types';
  }
  if (isUnder(from, 'web/site')) {
    if (!file) return target.startsWith('node:') ? 'web/site/ runs in the browser: no node: built-ins' : null;
    if (['web/site', 'web/page', 'web/protocol', 'web/watcher', 'emulator'].some((folder) => isUnder(target, folder))) return null;
    return 'web/site/ runs in the browser: only web/site/, web/page/, web/protocol/, web/watcher/, emulator/ and npm packages';
  }
  if (isUnder(from, 'web/server')) {
    if (file && (isUnder(target, 'boot') || isUnder(target, 'modules') || isUnder(target, 'ramdisk'))) return 'web/server/ sees the kernel only through the debug device';
    return file && isUnder(target, 'web/page') ? 'web/server/ serves the page\'s bundle, never imports its code' : null;
  }
  const module = moduleOf(from);
  if (!module) return null;
  if (target.startsWith('keel:')) return null;
  // Anything else that is no file of the project is an npm package, which the module's bundle holds.
  if (!file) return target.startsWith('node:') ? 'module code runs in the sandbox: no node: built-ins' : null;
  if (isUnder(target, module.folder) || isUnder(target, 'ramdisk') || target === MACHINE_INTERFACE) return null;
  if (target === HANDOFF) return module.folder === 'modules/kernel' && typeOnly ? null : 'only the kernel module takes the bootstrap\'s calling convention, as types';
  if (isUnder(target, module.root) && !moduleOf(target)) return null;
  return moduleOf(target) ? `a module reaches another module only as keel:${moduleOf(target)!.folder.split('/').pop()}` : 'a module imports only its own folder, keel:*, ramdisk/ and the machine interface';
}

function sourceFiles(folder: string): string[] {
  const absolute = path.join(PROJECT_ROOT, folder);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute).flatMap((name) => {
    const relative = `${folder}/${name}`;
    if (name === 'node_modules' || name === '__tests__') return [];
    if (statSync(path.join(PROJECT_ROOT, relative)).isDirectory()) return sourceFiles(relative);
    return /\.(ts|mts|mjs)$/.test(name) ? [relative] : [];
  });
}

/** An import cycle among the given imports, spelled as files relative to `folder` (`a.ts -> b.ts -> a.ts`), or null. */
export function importCycle(folder: string, imports: Import[]): string | null {
  const inside = imports.filter(({ from, target }) => isUnder(from, folder) && isUnder(target, folder));
  const targets = new Map<string, string[]>();
  for (const { from, target } of inside) targets.set(from, [...(targets.get(from) ?? []), target]);
  // Depth-first, with the path walked so far: a target already on the path closes a cycle.
  const done = new Set<string>();
  const walk = (file: string, pathSoFar: string[]): string[] | null => {
    const onPath = pathSoFar.indexOf(file);
    if (onPath >= 0) return [...pathSoFar.slice(onPath), file];
    if (done.has(file)) return null;
    for (const target of targets.get(file) ?? []) {
      const cycle = walk(target, [...pathSoFar, file]);
      if (cycle) return cycle;
    }
    done.add(file);
    return null;
  };
  for (const file of [...targets.keys()].sort()) {
    const cycle = walk(file, []);
    if (cycle) return cycle.map((each) => each.slice(folder.length + 1)).join(' -> ');
  }
  return null;
}

/** The folders whose files form a DAG: the kernel, and the two modules that stand closest on it. */
const ACYCLIC_FOLDERS = ['modules/kernel', 'modules/swap', 'modules/shell'];

const RULED_FOLDERS = ['emulator', 'boot', 'ramdisk', 'web', ...MODULE_ROOTS];
const allImports = () => [...new Set(RULED_FOLDERS.flatMap(sourceFiles))].flatMap((file) => importsIn(file, readFileSync(path.join(PROJECT_ROOT, file), 'utf8')));

describe('the rules between folders', () => {
  it('hold for every import of every source file', () => {
    const broken = allImports().flatMap((item) => {
      const rule = brokenRule(item);
      return rule ? [`${item.from} imports ${item.target}${item.typeOnly ? ' (types)' : ''}: ${rule}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it.each(ACYCLIC_FOLDERS)('leave the files of %s without an import cycle, type-only imports included', (folder) => {
    const cycle = importCycle(folder, sourceFiles(folder).flatMap((file) => importsIn(file, readFileSync(path.join(PROJECT_ROOT, file), 'utf8'))));
    expect(cycle === null ? 'no cycle' : `${folder}: ${cycle}`).toBe('no cycle');
  });

  it('would spell out an import cycle, a type-only one too, and not take a chain or a diamond for one', () => {
    const edge = (from: string, target: string, typeOnly = false): Import => ({ from: `modules/x/${from}`, target: `modules/x/${target}`, typeOnly });
    expect(importCycle('modules/x', [edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'a.ts', true)])).toBe('a.ts -> b.ts -> c.ts -> a.ts');
    expect(importCycle('modules/x', [edge('index.ts', 'commands/index.ts'), edge('commands/index.ts', 'commands/ls.ts'), edge('commands/ls.ts', 'commands/index.ts', true)]))
      .toBe('commands/index.ts -> commands/ls.ts -> commands/index.ts');
    expect(importCycle('modules/x', [edge('a.ts', 'b.ts'), edge('a.ts', 'c.ts'), edge('b.ts', 'd.ts'), edge('c.ts', 'd.ts')])).toBeNull();
    expect(importCycle('modules/x', [edge('a.ts', 'a.ts')])).toBe('a.ts -> a.ts');
    expect(importCycle('modules/x', [{ from: 'modules/x/a.ts', target: 'modules/y/a.ts', typeOnly: false }, { from: 'modules/y/a.ts', target: 'modules/x/a.ts', typeOnly: false }])).toBeNull();
  });

  it('are checked on the imports that are there: the reader finds the ones each folder is known to have', () => {
    const found = allImports().map(({ from, target, typeOnly }) => `${from} -> ${target}${typeOnly ? ' (types)' : ''}`);
    expect(found).toEqual(expect.arrayContaining([
      'boot/main.ts -> ramdisk/cpio-find.ts',
      'boot/main.ts -> emulator/machine-interface.ts (types)',
      'modules/kernel/kernel.ts -> boot/handoff.ts (types)',
      'modules/shell/commands/module-commands.ts -> keel:kernel',
      'modules/sysinfo/index.ts -> ramdisk/cpio.ts',
      'emulator/machine.ts -> emulator/firmware.ts',
      'test/fixtures/modules/accounts/versions/1.0.0/index.ts -> test/fixtures/modules/accounts/ledger.ts',
      'sim/modules/sim-store/index.ts -> sim/modules/run-recorder.ts',
      'web/page/page.ts -> web/protocol/messages.ts (types)',
      'web/server/page-session.ts -> emulator/machine-thread.ts',
      'web/server/page-session.ts -> web/watcher/machine-session.ts',
      'web/watcher/memory-picture.ts -> web/protocol/frame-runs.ts',
      'emulator/host/current-host.ts -> emulator/host/node-host.ts',
      'emulator/host/node-host.ts -> node:vm',
    ]));
    expect(found.filter((line) => line.startsWith('modules/kernel/api.ts'))).not.toContain('modules/kernel/api.ts -> keel:kernel');
  });

  it.each([
    ['emulator/firmware.ts', 'boot/main.ts', false, 'emulator/ knows the kernel only as bytes'],
    ['emulator/machine.ts', 'modules/kernel/kernel.ts', true, 'emulator/ knows the kernel only as bytes'],
    ['emulator/firmware.ts', 'node:zlib', false, 'emulator/ runs on two hosts: only the Node side imports node: built-ins (the rest use host/current-host.ts)'],
    ['emulator/browser-machine-thread.ts', 'node:worker_threads', false, 'emulator/ runs on two hosts: only the Node side imports node: built-ins (the rest use host/current-host.ts)'],
    ['emulator/machine.ts', 'emulator/host/node-host.ts', false, 'emulator/ runs on two hosts: what the browser bundles takes in nothing of the Node side'],
    ['emulator/browser-machine-thread.ts', 'emulator/machine-thread.ts', true, 'emulator/ runs on two hosts: what the browser bundles takes in nothing of the Node side'],
    ['boot/main.ts', 'modules/kernel/kernel.ts', true, 'boot/ imports only boot/, ramdisk/ and the machine interface'],
    ['boot/main.ts', 'emulator/machine-interface.ts', false, 'boot/ takes the machine interface as types only'],
    ['boot/main.ts', 'keel:kernel', false, 'boot/ imports only boot/, ramdisk/ and the machine interface'],
    ['ramdisk/cpio.ts', 'modules/kernel/loader.ts', false, 'ramdisk/ imports only ramdisk/'],
    ['modules/shell/index.ts', 'modules/kernel/stubs.ts', false, 'a module reaches another module only as keel:kernel'],
    ['modules/swap/index.ts', 'modules/sysinfo/index.ts', true, 'a module reaches another module only as keel:sysinfo'],
    ['modules/shell/index.ts', 'boot/handoff.ts', true, 'only the kernel module takes the bootstrap\'s calling convention, as types'],
    ['modules/kernel/index.ts', 'boot/handoff.ts', false, 'only the kernel module takes the bootstrap\'s calling convention, as types'],
    ['modules/kernel/index.ts', 'boot/main.ts', false, 'a module imports only its own folder, keel:*, ramdisk/ and the machine interface'],
    ['test/fixtures/modules/consumer/index.ts', 'modules/hello/index.ts', false, 'a module reaches another module only as keel:hello'],
    ['modules/rootfs/index.ts', 'node:fs', false, 'module code runs in the sandbox: no node: built-ins'],
    ['web/page/main.ts', 'emulator/machine-interface.ts', true, 'web/page/ runs in the browser: only web/page/, web/protocol/ and npm packages'],
    ['web/page/connection.ts', 'node:events', false, 'web/page/ runs in the browser: no node: built-ins'],
    ['web/protocol/messages.ts', 'web/server/web-server.ts', false, 'web/protocol/ is shared by page and server: only web/protocol/'],
    ['web/server/page-session.ts', 'modules/kernel/frame-allocator.ts', true, 'web/server/ sees the kernel only through the debug device'],
    ['web/watcher/memory-picture.ts', 'emulator/machine-thread.ts', false, 'web/watcher/ runs on the host or in the page: only web/watcher/, web/protocol/ and the machine\'s types'],
    ['web/watcher/memory-picture.ts', 'modules/kernel/frame-allocator.ts', true, 'web/watcher/ runs on the host or in the page: only web/watcher/, web/protocol/ and the machine\'s types'],
    ['web/watcher/machine-session.ts', 'node:events', false, 'web/watcher/ runs on the host or in the page: no node: built-ins'],
    ['web/site/main.ts', 'web/server/page-assets.ts', false, 'web/site/ runs in the browser: only web/site/, web/page/, web/protocol/, web/watcher/, emulator/ and npm packages'],
    ['web/site/main.ts', 'node:fs', false, 'web/site/ runs in the browser: no node: built-ins'],
    ['web/server/page-assets.ts', 'web/page/main.ts', false, 'web/server/ serves the page\'s bundle, never imports its code'],
  ])('would catch %s importing %s (types only: %s)', (from, target, typeOnly, rule) => {
    expect(brokenRule({ from, target, typeOnly })).toBe(rule);
  });

  it('reads an import that spans lines, a re-export and a type-only import, and not one quoted in a comment', () => {
    const source = "/*\n *   import { printk } from 'keel:kernel';\n */\nimport {\n  a,\n  b,\n} from './a.ts';\nimport type { C } from '../c.ts';\nexport { d } from 'keel:d';\nexport type { E } from './e.ts';\n";
    expect(importsIn('modules/x/index.ts', source)).toEqual([
      { from: 'modules/x/index.ts', target: 'modules/x/a.ts', typeOnly: false },
      { from: 'modules/x/index.ts', target: 'modules/c.ts', typeOnly: true },
      { from: 'modules/x/index.ts', target: 'keel:d', typeOnly: false },
      { from: 'modules/x/index.ts', target: 'modules/x/e.ts', typeOnly: true },
    ]);
  });
});
