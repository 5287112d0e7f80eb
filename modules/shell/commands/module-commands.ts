/*
 * Commands for modules, in the formats Linux users know: lsmod, modinfo, modprobe (-r), rmmod.
 */
import { loadModule, unloadModule } from 'keel:kernel';
import { moduleVersions, modules, taintedBy, type ModuleDescription, type ModuleStatus } from 'keel:sysinfo';
import { print } from '../print.ts';
import type { Command } from './index.ts';

/** The "Used by" column: count, then users; [permanent] and [Zombie] as Linux marks states. */
function usedBy(status: ModuleStatus): string {
  if (status.state === 'Zombie') return '- [Zombie]';
  const users = status.users.length > 0 ? ` ${status.users.join(',')}` : '';
  return `${status.refcount}${users}${status.permanent ? ' [permanent]' : ''}`;
}

/** The loaded version of a module, else the version modprobe would load. */
function describe(name: string): ModuleDescription | undefined {
  const versions = moduleVersions(name);
  const loaded = modules().find((status) => status.name === name && status.state !== 'Zombie');
  return versions.find((record) => record.version === loaded?.version) ?? versions.find((record) => record.default) ?? versions[0];
}

/** Unloads a module. The base kernel is not a module: the loader only says it does not know it. */
function unload(name: string): void {
  if (name === 'kernel') throw new Error('Module kernel is the base kernel: it cannot be unloaded');
  unloadModule(name);
}

/**
 * modprobe -r: unloads a module, then each module it depended on that nothing uses any more
 * (what Linux's modprobe does in user space, from modules.dep).
 */
function removeWithDependencies(name: string): void {
  const loadedVersion = modules().find((status) => status.name === name)?.version;
  const record = moduleVersions(name).find((candidate) => candidate.version === loadedVersion);
  unload(name);
  for (const dependency of record?.depends ?? []) {
    const status = modules().find((candidate) => candidate.name === dependency && candidate.state === 'Live');
    if (status && status.refcount === 0 && !status.permanent) removeWithDependencies(dependency);
  }
}

export function lsmodTable(): string {
  const rows = modules().map((status) => `${status.name.padEnd(19)} ${String(status.size).padStart(8)}  ${usedBy(status)}`);
  const tainted = taintedBy();
  const taint = tainted.length > 0 ? [`Kernel tainted (E): module signature not verified: ${tainted.join(', ')}`] : [];
  return ['Module                  Size  Used by', ...rows, ...taint].join('\n');
}

export const moduleCommands: Record<string, Command> = {
  lsmod: {
    usage: 'lsmod',
    summary: 'list loaded modules (cat /proc/modules for the kernel\'s format)',
    run() {
      print(lsmodTable());
      return 0;
    },
  },
  modinfo: {
    usage: 'modinfo NAME',
    summary: 'show what the ramdisk index says of a module',
    run([name]) {
      if (!name) throw new Error('usage: modinfo NAME');
      const info = describe(name);
      if (!info) {
        print(`modinfo: ERROR: Module ${name} not found.`);
        return 1;
      }
      const fields: Array<[string, string | number]> = [
        ['filename', `/${info.path}`], ['name', info.name], ['version', info.version], ['description', info.description],
        ['depends', info.depends.join(',')], ['exports', info.exports.join(',')], ['size', info.size], ['sha256', info.sha256],
      ];
      print(fields.map(([key, value]) => `${`${key}:`.padEnd(16)}${value}`).join('\n'));
      return 0;
    },
  },
  modprobe: {
    usage: 'modprobe [-r] NAME [VERSION]',
    summary: 'load a module and its dependencies (-r: unload it and unused dependencies)',
    run(args) {
      const remove = args[0] === '-r';
      const [name, version] = remove ? args.slice(1) : args;
      if (!name) throw new Error('usage: modprobe [-r] NAME [VERSION]');
      try {
        if (remove) removeWithDependencies(name);
        else loadModule(name, version);
        return 0;
      } catch (error) {
        print(remove ? `modprobe: FATAL: ${(error as Error).message}` : `modprobe: ERROR: could not insert '${name}': ${(error as Error).message}`);
        return 1;
      }
    },
  },
  rmmod: {
    usage: 'rmmod NAME...',
    summary: 'unload modules',
    run(names) {
      if (names.length === 0) throw new Error('usage: rmmod NAME...');
      let status = 0;
      for (const name of names) {
        try {
          unload(name);
        } catch (error) {
          print(`rmmod: ERROR: ${(error as Error).message}`);
          status = 1;
        }
      }
      return status;
    },
  },
};
