/*
 * rootfs — the root file system, on memfs: the ramdisk's files, a writable /tmp, and /proc.
 *
 * At init it copies every file of the ramdisk into a memfs volume: the last entry of each
 * name, as the kernel reads them (sysinfo's ramdiskFiles); what cannot be placed is left out
 * with one line. /proc files are written afresh each time they are read, from the kernel's
 * own tables, in Linux's formats. It is a module like any other, loaded the first time
 * something asks for a file, so memfs (about 200 KB) never weighs on the base image.
 */
import { keepLoaded, printk } from 'keel:kernel';
import { memoryInfo, modules, ramdiskFiles, type ModuleStatus } from 'keel:sysinfo';
import { createFsFromVolume, Volume } from 'memfs';

type FileSystem = ReturnType<typeof createFsFromVolume>;

export interface DirectoryEntry {
  name: string;
  directory: boolean;
  size: number;
}

let fs: FileSystem | null = null;

function mounted(): FileSystem {
  if (!fs) throw new Error('rootfs is not mounted');
  return fs;
}

/** One line of /proc/modules: name size refcount users state address. */
function procModulesLine(status: ModuleStatus, position: number): string {
  const users = status.users.length > 0 ? `${status.users.join(',')},` : '-';
  const flags = status.unsigned ? ' (E)' : '';
  return `${status.name} ${status.size} ${status.refcount} ${users} ${status.state} 0xffffffffc${(position * 0x10000).toString(16).padStart(7, '0')}${flags}`;
}

function procMeminfo(): string {
  const memory = memoryInfo();
  const kilobytes = (bytes: number) => `${String(Math.ceil(bytes / 1024)).padStart(8)} kB`;
  const kib = (frames: number) => kilobytes(frames * memory.frameSize);
  const owned = (...kinds: string[]) => memory.owners.filter((owner) => kinds.includes(owner.kind)).reduce((sum, owner) => sum + owner.frames, 0);
  return [
    `MemTotal:       ${kib(memory.total)}`,
    `MemFree:        ${kib(memory.free)}`,
    `MemAvailable:   ${kib(memory.free)}`,
    `BaseText:       ${kib(owned('kernel-text', 'kernel-init'))}`,
    `Ramdisk:        ${kilobytes(memory.ramdiskBytes)}`,
    `ModuleText:     ${kib(owned('text'))}`,
    `ModuleData:     ${kib(owned('data'))}`,
    `HostCode:       ${memory.hostCodeBytes === null ? 'not measurable here' : `${String(Math.round(memory.hostCodeBytes / 1024)).padStart(8)} kB`}`,
    `FramePolicy:    ${memory.framePolicy.padStart(11)}`,
  ].join('\n');
}

const PROC_FILES: Record<string, () => string> = {
  '/proc/modules': () => modules().map(procModulesLine).join('\n'),
  '/proc/meminfo': procMeminfo,
};

function refreshProc(path: string): void {
  const generate = PROC_FILES[path];
  if (generate) mounted().writeFileSync(path, `${generate()}\n`);
}

/**
 * Why a file operation failed: the errno code (ENOENT, EISDIR, ENOTDIR, EROFS...) and a line
 * saying it. Returned, not thrown: a missing file is an answer, not an oops of rootfs.
 */
export interface FileError {
  code: string;
  message: string;
}

/** Runs a file operation, turning memfs's errno exceptions into a FileError. */
function attempt<Result>(operation: () => Result): Result | FileError {
  try {
    return operation();
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    return { code: typeof code === 'string' ? code : 'EIO', message: String((error as Error)?.message ?? error) };
  }
}

export const isFileError = (value: unknown): value is FileError => typeof value === 'object' && value !== null && 'code' in value && !Array.isArray(value);

/** `given` as an absolute path with no `.`, `..` or repeated slashes (there are no symbolic links to follow). */
function resolvePath(given: string): string {
  const parts: string[] = [];
  for (const part of given.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Reads a file as text. */
export function readFile(given: string): string | FileError {
  const path = resolvePath(given);
  return attempt(() => {
    refreshProc(path);
    return mounted().readFileSync(path, 'utf8') as string;
  });
}

/**
 * Writes (or appends to) a text file. Only /tmp is writable, the rest is the read-only ramdisk
 * image; the path is resolved first (`/tmp/../etc/modules` is /etc/modules, `//tmp/./x/` is
 * /tmp/x), so that no spelling of a path gets out of /tmp.
 */
export function writeFile(given: string, text: string, append = false): FileError | undefined {
  const path = resolvePath(given);
  if (path !== '/tmp' && !path.startsWith('/tmp/')) return { code: 'EROFS', message: `${given}: read-only file system (only /tmp is writable)` };
  const result = attempt(() => (append ? mounted().appendFileSync(path, text) : mounted().writeFileSync(path, text)));
  if (isFileError(result)) return result;
  // Files in /tmp exist nowhere else: unloading rootfs (rmmod, autoclean) would lose them.
  keepLoaded('/tmp holds files that would be lost');
  return undefined;
}

/** Lists a directory, sorted by name; a file lists as itself. */
export function list(given: string): DirectoryEntry[] | FileError {
  const path = resolvePath(given);
  return attempt(() => {
    const system = mounted();
    const status = system.statSync(path);
    if (!status.isDirectory()) return [{ name: given, directory: false, size: Number(status.size) }];
    return (system.readdirSync(path) as string[]).sort().map((name) => {
      const entry = system.statSync(`${path.replace(/\/$/, '')}/${name}`);
      return { name, directory: entry.isDirectory(), size: Number(entry.size) };
    });
  });
}

export function init(): void {
  const volume = new Volume();
  const system = createFsFromVolume(volume);
  const { files, problems } = ramdiskFiles();
  for (const problem of problems) printk(`rootfs: ${problem}`, 'warn');
  for (const file of files) {
    const path = `/${file.path}`;
    try {
      if ((file.mode & 0o170000) === 0o040000) system.mkdirSync(path, { recursive: true });
      else {
        system.mkdirSync(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true });
        system.writeFileSync(path, file.data);
      }
    } catch (error) {
      // A file under a path the archive made a file (etc/modules, then etc/modules/x): Linux's unpacker skips it too.
      printk(`rootfs: ${path} left out: ${(error as Error).message}`, 'warn');
    }
  }
  system.mkdirSync('/tmp', { recursive: true });
  system.mkdirSync('/proc', { recursive: true });
  for (const path of Object.keys(PROC_FILES)) system.writeFileSync(path, '');
  fs = system;
  printk(`rootfs: mounted the ramdisk's files with /tmp and /proc`);
}

export function exit(): void {
  fs = null;
}
