/*
 * sysinfo — the kernel's tables as plain data, for lsmod, modinfo, free, /proc and kerneld.
 *
 * The kernel module keeps only what loading and unloading need; reading its tables out for
 * people is a module's job, as /proc and /sys are separate from the mechanisms they show. It
 * reads them through kernelInternals() and hands out copies, never the tables themselves.
 */
import { kernelInternals, type LoadedModule, type ModuleRecord } from 'keel:kernel';
import { checkCrc, latestEntries, walkArchive } from '../../ramdisk/cpio.ts';

/** A module as lsmod shows it. */
export interface ModuleStatus {
  name: string;
  version: string;
  /** Bytes of text and data frames it owns. */
  size: number;
  /** Its users (modules that import it or hold it through requestModule), plus one if it keeps itself loaded. */
  refcount: number;
  /**
   * The users by name; a new version a swap has staged (loaded beside the old one, linked, not
   * yet switched to) is a user too, and holds its dependencies as any user does, but it is no
   * module of the table yet: it is listed as `kv(staged)`, not as a second `kv`.
   */
  users: string[];
  /** Loading, Live or Unloading from the loader's table (which holds no Unloaded module), or Zombie. */
  state: LoadedModule['state'];
  permanent: boolean;
  /** Loaded because something asked for it rather than by name (autoclean candidates). */
  onDemand: boolean;
  /** Calls made into it through stubs since it was loaded. */
  calls: number;
  /** It loaded without a valid signature (Linux's taint flag E). */
  unsigned: boolean;
  /** A zombie's holder, as dmesg said it ("held by ...: path", or "holder unknown: why"). */
  holder?: string;
}

/** A zombie and what holds it now: one line, and the whole path from a root, one step a line. */
export interface ZombieHolder {
  name: string;
  version: string;
  holder: string;
  path: string[];
}

/** A module version as the ramdisk index describes it (modinfo). */
export type ModuleDescription = Omit<ModuleRecord, 'offset'>;

/** Physical memory in frames of `frameSize` bytes, and who owns the used ones. */
export interface MemoryInfo {
  frameSize: number;
  total: number;
  free: number;
  /** Owners of used frames: kind is firmware, kernel-text, kernel-init, text (a module's code) or data. */
  owners: Array<{ kind: string; label: string; frames: number }>;
  /** The ramdisk's size in bytes: mapped above RAM where the host holds it, so in no frame. */
  ramdiskBytes: number;
  /** Bytes of compiled code (bytecode and machine code) in the host engine; null where the host cannot measure it (a browser). */
  hostCodeBytes: number | null;
  /** How the running kernel finds free frames: first-fit (kernel 1.0.0) or next-fit (1.1.0). */
  framePolicy: string;
}

/** A file of the ramdisk, with a copy of its bytes. */
export interface RamdiskFile {
  path: string;
  mode: number;
  mtime: number;
  data: Uint8Array;
}

/** Loaded modules in load order, then zombies (unloaded modules whose code is still held). */
export function modules(): ModuleStatus[] {
  const kernel = kernelInternals();
  const frameSize = kernel.memory.length / kernel.frames.total;
  const live = [...kernel.loader.modules.values()].map((module) => ({
    name: module.name, version: module.record.version, size: (module.textOwner.frames + module.dataOwner.frames) * frameSize,
    // A module keeping itself loaded (its own data) counts as a reference, as a mounted file system does in Linux.
    refcount: module.users.size + (module.keptLoadedBy ? 1 : 0),
    users: [...module.users].map((user) => (kernel.loader.modules.get(user.name) === user ? user.name : `${user.name}(staged)`)), state: module.state, permanent: module.permanent, onDemand: module.onDemand, calls: module.calls,
    unsigned: kernel.tainted.has(module.name),
  }));
  const zombies = [...kernel.reclaim.zombies].map(({ name, version, holder }) => ({
    name, version, size: 0, refcount: 0, users: [], state: 'Zombie' as const, permanent: false, onDemand: false, calls: 0, unsigned: false, ...(holder ? { holder } : {}),
  }));
  return [...live, ...zombies];
}

/**
 * What holds each zombie now (all of them, or those named `name`): a heap snapshot of the
 * machine's thread, a second or two with every module loaded. Zombies are always named in the
 * kernel's words (zombie-holders.ts in the kernel module); this only asks.
 */
export async function zombieHolders(name?: string): Promise<ZombieHolder[]> {
  const reports = await kernelInternals().reclaim.explain();
  return reports
    .filter(({ code }) => name === undefined || code.name === name)
    .map(({ code, holder, path }) => ({ name: code.name, version: code.version, holder, path: [...path] }));
}

/** Code of `name` (or of any module) let go of and neither collected yet nor found to be a zombie, while the reclaim monitor still checks (0 when it cannot: no host gc). */
export function unsettledCode(name?: string): number {
  const { pending, zombies, checking } = kernelInternals().reclaim;
  if (!checking) return 0;
  return [...pending].filter((code) => !zombies.has(code) && (name === undefined || code.name === name)).length;
}

/** Code of `name` (or of any module) let go of and not collected yet, on a host that collects only when it chooses (a browser): "hello 1.0.0". */
export function waitingForCollector(name?: string): string[] {
  return kernelInternals().reclaim.waitingForHost
    .filter((code) => name === undefined || code.name === name)
    .map((code) => (code.version ? `${code.name} ${code.version}` : code.name));
}

/** Modules that loaded unsigned or badly signed since boot: while any has, the kernel is tainted. */
export function taintedBy(): string[] {
  return [...kernelInternals().tainted];
}

/** Every version of a module, oldest first, as the ramdisk index (or the dev loop) describes it. */
export function moduleVersions(name: string): ModuleDescription[] {
  return kernelInternals()
    .findRecords(name)
    .map(({ offset: _offset, ...record }) => ({ ...record, depends: [...record.depends], imports: Object.fromEntries(Object.entries(record.imports).map(([module, symbols]) => [module, [...symbols]])), exports: [...record.exports] }));
}

/** The names of the modules the ramdisk (or the dev loop) has that start with `prefix`, sorted: what completion offers. */
export function moduleNames(prefix = ''): string[] {
  return kernelInternals().records.names(prefix);
}

export function memoryInfo(): MemoryInfo {
  const { frames, machine, ramdisk } = kernelInternals();
  return {
    frameSize: machine.memory.length / frames.total, total: frames.total, free: frames.free,
    owners: frames.ownerList().map(({ kind, label, frames: count }) => ({ kind, label, frames: count })),
    ramdiskBytes: ramdisk.length,
    hostCodeBytes: machine.host.codeBytes(),
    framePolicy: frames.policy.name,
  };
}

/**
 * The ramdisk's files as the kernel reads them: the last entry of each name, in archive
 * order (it walks the whole archive: not for a hot path). `problems` says, one line each, what
 * was left out: headers that do not read, files whose crc does not match, damage that ends it.
 */
export function ramdiskFiles(): { files: RamdiskFile[]; problems: string[] } {
  const { ramdisk } = kernelInternals();
  const table = walkArchive(ramdisk.bytes, 0, ramdisk.length);
  const { entries, unreadable } = latestEntries(table);
  const problems = unreadable.map((error) => error.message);
  const files: RamdiskFile[] = [];
  for (const entry of entries) {
    try {
      checkCrc(ramdisk.bytes, 0, entry);
      files.push({ path: entry.name, mode: entry.mode, mtime: entry.mtime, data: ramdisk.data(entry).slice() });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (table.damage) problems.push(`${table.damage.message}: the files after it are not read`);
  return { files, problems };
}

/** The object a handle stands for: a stub handle is a Proxy with no keys of its own (modules/kernel/plt.ts). */
function handleTarget(handle: object): object | undefined {
  const { loader } = kernelInternals();
  for (const owner of loader.modules.values()) {
    for (const reference of owner.handedOut) {
      const target: unknown = reference.deref()?.target;
      if (target === null || typeof target !== 'object') continue;
      for (const holder of loader.modules.values()) if (holder.links.get(owner)?.wrapped.get(target) === handle) return target;
    }
  }
  return undefined;
}

/** Why JSON.stringify failed, in one line ("it contains a cycle" rather than V8's three). */
const unprintable = (error: unknown) => {
  const message = String((error as Error)?.message ?? error);
  return message.startsWith('Converting circular structure') ? 'it contains a cycle' : message.split('\n')[0]!;
};

/**
 * A value as the shell's `call` prints it: JSON, with a class instance another module handed
 * out shown by its fields (its handle has none of its own to show); or why it cannot be printed.
 */
export function printableJson(value: unknown): { json: string } | { error: string } {
  const target = value !== null && typeof value === 'object' ? (handleTarget(value) ?? value) : value;
  try {
    return { json: JSON.stringify(target) ?? 'undefined' };
  } catch (error) {
    return { error: unprintable(error) };
  }
}
