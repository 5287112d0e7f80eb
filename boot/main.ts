/*
 * The bootstrap: the whole base image. The firmware runs this file's code with the machine and
 * the boot info; it finds the kernel module in the ramdisk, checks it, copies it into frames,
 * compiles it from there and jumps to it. Then it is done, and the kernel frees its frames.
 *
 * 1. Find: the index lines (lib/modules/index.jsonl) and, through them, the kernel's record —
 *    the version marked default, else the only one — and its bundle, lib/modules/kernel/<v>.js.
 *    In the archive the build wrote (its index first, the trailer where the index says, zeros
 *    after) the index's offsets say where; in any other the headers are walked once, the last
 *    entry of a name winning (ramdisk/cpio-find.ts).
 * 2. Check: the bundle's size and sha256 against the record, and the record's signature
 *    against the key the build put here, through the machine's crypto device. A bad signature
 *    boots a tainted kernel, or none with module.sig_enforce=1.
 * 3. Copy it into the first free frames, compile it from them as a CommonJS function, and call
 *    its `start(machine, bootInfo, handoff)` (boot/handoff.ts), which returns once init runs.
 *
 * Whatever stops it is one panic line. Everything the kernel keeps of it is plain data, so
 * that nothing keeps this code alive once `start` has returned: the kernel watches `boot`
 * until the host collects it. The build fails if this image passes 4 KiB.
 */
import type { BootInfo, MachineInterface } from '../emulator/machine-interface.ts';
import { CPIO_TRAILER } from '../ramdisk/cpio-header.ts';
import { asUtf8, entryAt, lastEntry, latin1, walk, type FoundEntry } from '../ramdisk/cpio-find.ts';
import { INDEX_LINES_PATH, KERNEL_MODULE as KERNEL, type IndexLinesHeader } from '../ramdisk/index-lines.ts';
import { signedText } from '../ramdisk/module-index.ts';
import type { Handoff, KernelStart } from './handoff.ts';

/** The firmware's calling convention: the image's code is the body of a function (machine, bootInfo). */
declare const machine: MachineInterface;
declare const bootInfo: BootInfo;
/** The build's public key (raw Ed25519, hex), put here by the build. */
declare const MODULE_SIGNING_KEY: string;

const SIGNING_KEY = MODULE_SIGNING_KEY;

function fail(line: string): never {
  throw new Error(line);
}

function boot(): void {
  const { memory, crypto } = machine;
  const { memoryMap, cmdline, ramdisk: { bytes: disk, length } } = bootInfo;
  const started = machine.timer.now();
  let walked: ReturnType<typeof walk> | undefined;
  /**
   * The file named `name`: at its hint while hints hold (a whole number on a 4-byte boundary
   * where a header of that name is: a hint is never trusted further), else the last entry of
   * that name the walk found.
   */
  const file = (name: string, hint?: unknown): FoundEntry => {
    let entry: FoundEntry | undefined;
    try {
      if (!walked && hint === (hint as number) >>> 0 && hint % 4 === 0) entry = entryAt(disk, 0, length, hint);
    } catch {
      // No header there: the walk finds it.
    }
    if (entry?.name !== name) entry = lastEntry(disk, 0, length, (walked ??= walk(disk, 0, length)).offsets, name);
    return entry ?? fail(walked!.damage?.message ?? `ramdisk: ${name} is not in the archive`);
  };
  const bytesOf = (entry: FoundEntry) => disk.subarray(entry.dataOffset, entry.dataOffset + entry.size);

  /** The index's first line: its hints, and the kernel's records (undefined if it does not read). */
  const header = (index: FoundEntry): Partial<IndexLinesHeader> | undefined => {
    try {
      return JSON.parse(asUtf8(latin1(bytesOf(index), 0, bytesOf(index).indexOf(0x0a))));
    } catch {
      // Said below, or not needed: the walk finds the files.
    }
  };
  let index = file(INDEX_LINES_PATH, 0);
  if (!walked) {
    // Hints hold only for the archive the build wrote: it ends at the trailer the index's first line names, with only zeros after.
    let trailer: FoundEntry | undefined;
    try {
      trailer = file(CPIO_TRAILER, header(index)?.offsets?.[CPIO_TRAILER]);
    } catch {
      // An archive without a trailer: its files are where the walk finds them.
    }
    if (!trailer || walked || disk.subarray(trailer.next, length).some(Boolean)) index = file(INDEX_LINES_PATH);
  }

  const versions = header(index)?.kernel ?? [];
  const record =
    versions.find((candidate) => candidate.default === true) ??
    (versions.length === 1 ? versions[0]! : fail(`bootstrap: ${INDEX_LINES_PATH} ${versions.length > 0 ? `lists ${KERNEL} ${versions.map((candidate) => candidate.version).join(', ')} and marks none default` : `has no ${KERNEL} module`}`));
  const { version, size } = record;
  const path = `lib/modules/${KERNEL}/${version}.js`;
  const bundle = file(path, record.offset);
  if (bundle.size !== size) fail(`${path} is ${bundle.size} bytes, the index says ${size}`);

  let verified = false;
  try {
    verified = crypto.verify(SIGNING_KEY, Uint8Array.from(unescape(encodeURIComponent(signedText(record))), (character) => character.charCodeAt(0)), record.signature ?? '');
  } catch {
    // A record that cannot even be written out to be checked is one whose signature fails.
  }
  // The last module.sig_enforce= on the command line counts, as the kernel reads it.
  if (!verified && /.*(^|\s)module\.sig_enforce=(\S*)/.exec(cmdline)?.[2] === '1') fail(`${KERNEL}: module verification failed: signature and/or required key missing`);

  const free = memoryMap.at(-1)!;
  if (free.length < size) fail(`bootstrap: not enough memory for ${KERNEL} ${version}: ${size} bytes, ${free.length} free`);
  memory.set(bytesOf(bundle), free.start);
  const text = memory.subarray(free.start, free.start + size);
  if (crypto.sha256(text) !== record.sha256) fail(`${path}: sha256 does not match the index`);

  const handoff: Handoff = {
    record, text: free.start, signingKey: SIGNING_KEY, unsigned: !verified, started, code: [boot],
  };
  let result: unknown;
  try {
    const commonjs = { exports: {} as { start: KernelStart } };
    // The one text compiled with the kernel's code that its bundle does not hold is where stack traces say it is:
    // the version is escaped there, so that no text of the index can end the comment and become code.
    new Function('require', 'module', 'exports', `${asUtf8(latin1(text, 0, size))}\n//# sourceURL=keel:lib/modules/${KERNEL}/${encodeURIComponent(version)}.js`)(undefined, commonjs, commonjs.exports);
    result = commonjs.exports.start(machine, bootInfo, handoff);
  } catch (error) {
    fail((error as Error)?.name === 'KernelPanic' ? (error as Error).message : `${KERNEL} ${version}: start failed: ${error}`);
  }
  if (typeof result !== 'string') fail(`${KERNEL} ${version} returned without starting init`);
}

try {
  boot();
} catch (error) {
  machine.power.panic((error as Error).message);
}
