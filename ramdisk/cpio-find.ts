/*
 * The bootstrap's cpio reader: finds the last entry of a name in a ramdisk, by the rules of
 * cpio.ts — newc and crc, several archives one after another with zero padding and optional
 * trailers between, names read as paths, the last entry of a name winning, damage ending the
 * walk with the entries before it kept.
 *
 *   const entry = entryAt(memory, base, length, offset);    // the header at offset, framed
 *   const { offsets, damage } = walk(memory, base, length);  // every header, once
 *   const last = lastEntry(memory, base, length, offsets, 'etc/modules');
 *
 * It is cpio.ts without what the bootstrap does not need, so that the base image stays within
 * its 4 KiB: no hash of every name (the bootstrap looks up two names, from the last header
 * back, comparing the ends of names byte by byte before it decodes one), no UTF-8 decoder of
 * its own (escape and decodeURIComponent are one), and no checks of what it does not read — the header fields other than the two sizes, and a crc
 * entry's sum (the bootstrap checks the kernel's bundle by its sha256; the kernel reads the
 * index again with cpio.ts, and checks it). Damage is said in fewer words: bytes that are no
 * header at all as cpio.ts says it (a compressed ramdisk, another cpio format: cpio-header.ts),
 * a header cut short as "truncated header", any other bad header as "bad header"; the kernel,
 * which reads the archive again, says more where the damage lies after its own bundle.
 *
 * Names are read as Latin-1, which compares the same as UTF-8 with the ASCII names the
 * bootstrap looks for (a name in a message is decoded as UTF-8). A name counts as the one
 * looked for when its bytes end with it and it reads as it, as a path ("./x", "/x", "a/../x":
 * what cpio and bsdtar write); one that reads so only through a "//" or "/./" inside it, or a
 * trailing "/", is passed over (cpio.ts resolves those too: no tool writes them, and a check of
 * every name for them would cost each walk).
 * `ramdisk/__tests__/cpio-find.test.ts` checks it against cpio.ts.
 */
import { align4, FILE_SIZE_FIELD, HEADER_SIZE, NAME_SIZE_FIELD, resolvedPath, unknownFormat } from './cpio-header.ts';

export interface FoundEntry {
  /** The name as a path (asPath). */
  name: string;
  /** Where its header starts, where its data starts, and how long that is, counted from the start of the archive. */
  offset: number;
  dataOffset: number;
  size: number;
  /** Where the next header (or zero padding) starts. */
  next: number;
}

/** Damage, as cpio.ts's RamdiskError says it ("ramdisk: truncated header at offset 4096"), as a plain Error: the class would cost the bootstrap bytes. */
function damaged(what: string, offset: number): never {
  throw new Error(`ramdisk: ${what} at offset ${offset}`);
}

/** bytes[start, end) as Latin-1: one character per byte. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let at = start; at < end; at += 8192) text += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + 8192)) as unknown as number[]);
  return text;
}

/**
 * Latin-1 text read back as UTF-8 (escape gives each byte as %XX, which decodeURIComponent
 * reads as UTF-8); where it is no valid UTF-8, every byte past ASCII becomes U+FFFD, as a
 * decoder shows what it cannot read. ASCII, which is what esbuild writes, reads the same either
 * way and is passed as it is: decoding a kernel's bundle again would cost half a millisecond.
 */
export function asUtf8(text: string): string {
  try {
    return /[\x80-\xff]/.test(text) ? decodeURIComponent(escape(text)) : text;
  } catch {
    return text.replace(/[\x80-\xff]/g, '\ufffd');
  }
}

/** The value of the 8 hex digits at `at` (either case), or NaN if they are not 8 hex digits. Byte by byte: a walk reads 40,000 of them, in code not yet optimized. */
function hexField(memory: Uint8Array, at: number): number {
  let value = 0;
  for (let position = at; position < at + 8; position++) {
    const byte = memory[position]!;
    value = value * 16 + (byte > 47 && byte < 58 ? byte - 48 : byte > 96 && byte < 103 ? byte - 87 : byte > 64 && byte < 71 ? byte - 55 : NaN);
  }
  return value;
}

/** The header at `offset`, framed as cpio.ts frames it (magic, the two sizes, name and data inside the archive): where its name ends and the next header starts. Damage throws. */
function frameAt(memory: Uint8Array, base: number, length: number, offset: number): { nameEnd: number; size: number; next: number } {
  const at = base + offset;
  if (offset + HEADER_SIZE > length) damaged('truncated header', offset);
  // 070701 or 070702 (each term is 0 only for its digit), compared byte by byte: a string a header would cost the walk a third of its time.
  if (memory[at]! ^ 48 | memory[at + 1]! ^ 55 | memory[at + 2]! ^ 48 | memory[at + 3]! ^ 55 | memory[at + 4]! ^ 48 | (memory[at + 5]! - 49) & ~1) {
    damaged(unknownFormat(memory[at]!, memory[at + 1]!, asUtf8(latin1(memory, at, at + 6))), offset);
  }
  const nameEnd = offset + HEADER_SIZE + hexField(memory, at + NAME_SIZE_FIELD) - 1;
  const size = hexField(memory, at + FILE_SIZE_FIELD);
  const next = align4(nameEnd + 1) + size;
  // Every comparison with NaN is false: a size that is no hex lands here too.
  if (!(nameEnd >= offset + HEADER_SIZE && next <= length && memory[base + nameEnd] === 0)) damaged('bad header', offset);
  return { nameEnd, size, next: align4(next) };
}

/** The entry whose header is at `offset`, its name read as a path. Damage throws. */
export function entryAt(memory: Uint8Array, base: number, length: number, offset: number): FoundEntry {
  const { nameEnd, size, next } = frameAt(memory, base, length, offset);
  return { name: resolvedPath(latin1(memory, base + offset + HEADER_SIZE, base + nameEnd)), offset, dataOffset: align4(nameEnd + 1), size, next };
}

/** Where every header is, in archive order, and the damage that ended the walk (null: none). */
export function walk(memory: Uint8Array, base: number, length: number): { offsets: number[]; damage: Error | null } {
  const offsets: number[] = [];
  try {
    for (let at = 0; ; ) {
      const start = at;
      while (at < length && memory[base + at] === 0) at++;
      if (at >= length) return { offsets, damage: null };
      // Zero padding keeps the next header on a 4-byte boundary.
      if (at % 4) damaged('bad header', start);
      const { next } = frameAt(memory, base, length, at);
      offsets.push(at);
      at = next;
    }
  } catch (error) {
    return { offsets, damage: error as Error };
  }
}

/** The last entry named `name` (a plain path, ASCII) among the walked headers at `offsets`, or undefined. */
export function lastEntry(memory: Uint8Array, base: number, length: number, offsets: number[], name: string): FoundEntry | undefined {
  for (let index = offsets.length - 1; index >= 0; index--) {
    const at = base + offsets[index]!;
    const nameEnd = at + HEADER_SIZE + hexField(memory, at + NAME_SIZE_FIELD) - 1;
    let matched = 0;
    while (matched < name.length && memory[nameEnd - 1 - matched] === name.charCodeAt(name.length - 1 - matched)) matched++;
    const entry = matched === name.length ? entryAt(memory, base, length, offsets[index]!) : undefined;
    if (entry?.name === name) return entry;
  }
  return undefined;
}
