/*
 * Tab completion, asked by the host's terminal with the line typed so far: command names
 * first, then what each command takes — loaded modules for swap (for rmmod and modprobe -r,
 * those that are not permanent, since they cannot be unloaded), the ramdisk's
 * modules for modprobe, modinfo and call, a module's versions after its name (swap, modprobe,
 * modinfo), a module's exports for `call MODULE`, and paths for ls, cat, insmod and the text
 * filters. A single candidate gets a space after it, as bash adds one; a directory a slash.
 */
import type * as Rootfs from 'keel:rootfs';
import { moduleNames, moduleVersions, modules } from 'keel:sysinfo';
import type { Completion } from 'keel:kernel';
import { commands } from './commands/index.ts';
import { withModule } from './with-module.ts';

/** A name with a control character in it (from an edited ramdisk) can be neither shown nor typed: never offered. */
const typable = (candidate: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(candidate);

const LIFECYCLE = new Set(['init', 'exit', 'exportState', 'importState']);

const unique = (names: string[]) => [...new Set(names)].sort();
const ramdiskModules = (prefix: string) => moduleNames(prefix);
const loadedModules = () => unique(modules().filter((status) => status.state !== 'Zombie').map((status) => status.name));
/** What rmmod could unload: a permanent module (no exit: the kernel, the shell) never can, so it is never offered. */
const unloadableModules = () => unique(modules().filter((status) => status.state !== 'Zombie' && !status.permanent).map((status) => status.name));
const versionsOf = (name: string) => moduleVersions(name).map((record) => record.version);

/** The exports `call` can run: those of the loaded version, else of the default one. */
function exportsOf(name: string): string[] {
  const versions = moduleVersions(name);
  const loaded = modules().find((status) => status.name === name && status.state !== 'Zombie')?.version;
  const record = versions.find((candidate) => candidate.version === loaded) ?? versions.find((candidate) => candidate.default);
  return (record?.exports ?? []).filter((symbol) => !LIFECYCLE.has(symbol));
}

/** Paths under the directory `word` names so far: `/proc/m` → /proc/modules. */
function paths(word: string): Promise<string[]> {
  const slash = word.lastIndexOf('/');
  const directory = slash < 0 ? '/' : word.slice(0, slash + 1);
  return withModule<typeof Rootfs, string[]>('rootfs', (rootfs) => {
    const entries = rootfs.list(directory);
    return Array.isArray(entries) ? entries.map((entry) => `${slash < 0 ? '' : directory}${entry.name}${entry.directory ? '/' : ''}`) : [];
  });
}

/** What may stand at `position` (1 = the first argument) of `command`, given the words before it. */
function candidates(command: string, position: number, before: string[], word: string): string[] | Promise<string[]> {
  const operands = before.filter((argument) => !argument.startsWith('-'));
  const operand = position - (before.length - operands.length);
  switch (command) {
    case 'rmmod':
      return unloadableModules();
    case 'swap':
      return operand === 1 ? loadedModules() : operand === 2 ? versionsOf(operands[0]!) : [];
    case 'modprobe':
      if (before.includes('-r')) return unloadableModules();
      return operand === 1 ? ramdiskModules(word) : operand === 2 ? versionsOf(operands[0]!) : [];
    case 'modinfo':
      return operand === 1 ? ramdiskModules(word) : operand === 2 ? versionsOf(operands[0]!) : [];
    case 'call':
      return position === 1 ? ramdiskModules(word) : position === 2 ? exportsOf(before[0]!) : [];
    case 'help':
      return [];
    case 'ls': case 'cat': case 'insmod': case 'grep': case 'head': case 'tail': case 'wc':
      return command === 'grep' && operand === 1 ? [] : paths(word);
    default:
      return [];
  }
}

export async function completeLine(line: string): Promise<Completion> {
  const segment = line.slice(Math.max(line.lastIndexOf(';'), line.lastIndexOf('|')) + 1);
  const words = segment.split(/\s+/).filter(Boolean);
  const word = /\s$/.test(segment) || words.length === 0 ? '' : words.pop()!;
  const joined = /^>>?/.exec(word)?.[0];
  if (joined) return completeRedirect(joined, word.slice(joined.length), word);
  if (/(^|\s)>>?\s*$/.test(segment.slice(0, segment.length - word.length))) return completeRedirect('', word, word);
  const offered = words.length === 0 ? [...commands.keys()].sort() : await candidates(words[0]!, words.length, words.slice(1), word);
  return finish(offered, word);
}

/** After `>` or `>>`: a path, and only /tmp is writable. */
async function completeRedirect(operator: string, path: string, word: string): Promise<Completion> {
  const offered = await paths(path || '/tmp/');
  return finish(offered.filter((candidate) => candidate.startsWith(path)).map((candidate) => operator + candidate), word);
}

function finish(offered: string[], word: string): Completion {
  const matches = offered.filter((candidate) => candidate.startsWith(word) && typable(candidate));
  const only = matches.length === 1 && !matches[0]!.endsWith('/') ? [`${matches[0]} `] : matches;
  return [only, word];
}
