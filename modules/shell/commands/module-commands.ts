/*
 * Commands for modules, in the formats and words Linux users know: lsmod, modinfo, modprobe
 * (-r), insmod (one bundle by its path, no dependencies resolved) and rmmod.
 */
import { loadModule, printk, unloadModule } from 'keel:kernel';
import { moduleVersions, modules, taintedBy, type ModuleDescription, type ModuleStatus } from 'keel:sysinfo';
import { expectOperands, parseOptions, UsageError } from '../options.ts';
import { print, printError } from '../print.ts';
import { visibleText } from '../../../ramdisk/visible-text.ts';
import type { Command } from './command.ts';

/** A module version as the build writes it: 1.0.0, or 1.0.0-dev.3 from the dev loop. */
const VERSION_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Refuses a second operand that cannot be a version (`modprobe hello kv`). */
export function checkVersion(version: string | undefined, usage: string): void {
  if (version !== undefined && !VERSION_PATTERN.test(version)) throw new UsageError(`'${version}' is not a version such as 1.0.0 (usage: ${usage})`);
}

/** The versions the index gives `name`; none if its records do not read (the load then says what is wrong with them). */
function versionsOrNone(name: string): string[] {
  try {
    return moduleVersions(name).map((record) => record.version);
  } catch {
    return [];
  }
}

/** The "Used by" column: count, then users; [permanent] and [Zombie] as Linux marks states. */
function usedBy(status: ModuleStatus): string {
  if (status.state === 'Zombie') return '- [Zombie]';
  const users = status.users.length > 0 ? ` ${status.users.join(',')}` : '';
  return `${status.refcount}${users}${status.permanent ? ' [permanent]' : ''}`;
}

const loadedStatus = (name: string) => modules().find((status) => status.name === name && status.state !== 'Zombie');

/** The version asked for; else the loaded version of a module, else the version modprobe would load. */
function describe(name: string, version?: string): ModuleDescription | undefined {
  const versions = moduleVersions(name);
  if (version !== undefined) return versions.find((record) => record.version === version);
  const loaded = loadedStatus(name);
  return versions.find((record) => record.version === loaded?.version) ?? versions.find((record) => record.default) ?? versions[0];
}


/**
 * modprobe -r: unloads a module, then each module it depended on that nothing uses any more
 * (what Linux's modprobe does in user space, from modules.dep).
 */
function removeWithDependencies(name: string): void {
  const loadedVersion = modules().find((status) => status.name === name)?.version;
  const record = moduleVersions(name).find((candidate) => candidate.version === loadedVersion);
  unloadModule(name);
  for (const dependency of record?.depends ?? []) {
    const status = modules().find((candidate) => candidate.name === dependency && candidate.state === 'Live');
    if (status && status.refcount === 0 && !status.permanent) removeWithDependencies(dependency);
  }
}

/**
 * insmod: the imports of `record` that no loaded module provides, as Linux's loader reports
 * them in the kernel log ("Unknown symbol") — insmod loads no dependency for you.
 */
function unknownSymbols(record: ModuleDescription): string[] {
  return record.depends.flatMap((dependency) => {
    const provider = moduleVersions(dependency).find((candidate) => loadedStatus(dependency)?.version === candidate.version);
    const wanted = record.imports[dependency] ?? ['*'];
    if (!provider) return wanted.map((symbol) => (symbol === '*' ? `keel:${dependency}` : symbol));
    return wanted.filter((symbol) => symbol !== '*' && !provider.exports.includes(symbol));
  });
}

export function lsmodTable(): string {
  const rows = modules().map((status) => `${visibleText(status.name).padEnd(19)} ${String(status.size).padStart(8)}  ${visibleText(usedBy(status))}`);
  const tainted = taintedBy();
  const taint = tainted.length > 0 ? [`Kernel tainted (E): module signature not verified: ${visibleText(tainted.join(', '))}`] : [];
  return ['Module                  Size  Used by', ...rows, ...taint].join('\n');
}

export const moduleCommands: Record<string, Command> = {
  lsmod: {
    usage: 'lsmod',
    summary: 'list loaded modules (cat /proc/modules for the kernel\'s format)',
    run(args) {
      expectOperands(parseOptions(args, {}).operands, 0, 0, this.usage);
      print(lsmodTable());
      return 0;
    },
  },
  modinfo: {
    usage: 'modinfo NAME [VERSION]',
    summary: 'show what the ramdisk index says of a module (of one version of it)',
    run(args) {
      const { operands } = parseOptions(args, {});
      expectOperands(operands, 1, 2, this.usage);
      const [name, version] = operands as [string, string | undefined];
      checkVersion(version, this.usage);
      const info = describe(name, version);
      if (!info) {
        printError(`modinfo: ERROR: Module ${name}${version ? ` version ${version}` : ''} not found.`);
        return 1;
      }
      const fields: Array<[string, string | number]> = [
        ['filename', `/${info.path}`], ['name', info.name], ['version', info.version], ['description', info.description],
        ['depends', info.depends.join(',')], ['exports', info.exports.join(',')], ['size', info.size], ['sha256', info.sha256],
      ];
      // Every field is the index's, which anyone can edit: none may forge a line or move the cursor.
      print(fields.map(([key, value]) => `${`${key}:`.padEnd(16)}${visibleText(String(value))}`).join('\n'));
      return 0;
    },
  },
  modprobe: {
    usage: 'modprobe [-r] NAME [VERSION]',
    summary: 'load a module and its dependencies (-r: unload it and unused dependencies)',
    async run(args) {
      const { flags, operands } = parseOptions(args, { flags: 'r' });
      const remove = flags.has('r');
      if (remove) expectOperands(operands, 1, Infinity, 'modprobe -r NAME...');
      else expectOperands(operands, 1, 2, this.usage);
      const [name, version] = operands as [string, string | undefined];
      if (!remove) checkVersion(version, this.usage);
      const versions = version === undefined ? [] : versionsOrNone(name);
      if (!remove && version !== undefined && versions.length > 0 && !versions.includes(version)) {
        printError(`modprobe: ERROR: could not insert '${name}': version ${version} of module ${name} not found in the ramdisk (it has ${versions.join(', ')})`);
        return 1;
      }
      for (const target of remove ? operands : [name]) {
        try {
          if (remove) removeWithDependencies(target);
          // An async init is waited for: its failure is modprobe's to say, as a throw's is.
          else await loadModule(target, version);
        } catch (error) {
          printError(remove ? `modprobe: FATAL: ${(error as Error).message}` : `modprobe: ERROR: could not insert '${target}': ${(error as Error).message}`);
          return 1;
        }
      }
      return 0;
    },
  },
  insmod: {
    usage: 'insmod PATH',
    summary: 'load one module bundle by its path (/lib/modules/NAME/VERSION.js), no dependencies',
    async run(args) {
      const { operands } = parseOptions(args, {});
      expectOperands(operands, 1, 1, this.usage);
      const path = operands[0]!;
      const [, module = '', version] = /^\/*lib\/modules\/([^/]+)\/([^/]+)\.js$/.exec(path) ?? [];
      const record = moduleVersions(module).find((candidate) => candidate.version === version);
      if (!record) {
        printError(`insmod: ERROR: could not load module ${path}: No such file or directory`);
        return 1;
      }
      if (loadedStatus(record.name)) {
        printError(`insmod: ERROR: could not insert module ${path}: File exists`);
        return 1;
      }
      const unknown = unknownSymbols(record);
      if (unknown.length > 0) {
        for (const symbol of unknown) printk(`${record.name}: Unknown symbol ${symbol} (err -2)`);
        printError(`insmod: ERROR: could not insert module ${path}: Unknown symbol in module`);
        return 1;
      }
      try {
        await loadModule(record.name, record.version);
        return 0;
      } catch (error) {
        printError(`insmod: ERROR: could not insert module ${path}: ${(error as Error).message}`);
        return 1;
      }
    },
  },
  rmmod: {
    usage: 'rmmod NAME...',
    summary: 'unload modules',
    run(args) {
      const { operands } = parseOptions(args, {});
      expectOperands(operands, 1, Infinity, this.usage);
      let status = 0;
      for (const name of operands) {
        try {
          unloadModule(name);
        } catch (error) {
          printError(`rmmod: ERROR: ${(error as Error).message}`);
          status = 1;
        }
      }
      return status;
    },
  },
};
