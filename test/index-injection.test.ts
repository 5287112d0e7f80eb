/*
 * No text of the index may become code. The index is not what the build's signature protects
 * byte for byte — a bundle's code is — so a record whose path holds a newline and code of the
 * index author's choosing must be refused before anything is compiled, even under
 * module.sig_enforce=1 with the bundle's own signature valid. (The loader once compiled
 * `source + "\n//# sourceURL=keel:" + record.path`, which ran that code with the module's
 * require.)
 *
 * The archive is rewritten here with nothing but the harness and a cpio writer of the test's
 * own: the bundle's entry renamed to the hostile path (of the same length, so no other entry
 * moves) and every index file pointing at it.
 */
import { afterEach, expect, it } from 'vitest';
import { readEntries } from '../ramdisk/cpio.ts';
import { bootKernel, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const HELLO_PATH = 'lib/modules/hello/1.0.0.js';

/** newc, as GNU cpio writes it: header, name and NUL padded to 4, data padded to 4, then the trailer. */
function newc(files: Array<{ name: string; mode: number; data: Uint8Array }>): Uint8Array {
  const parts: Buffer[] = [];
  const pad = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);
  for (const [index, file] of [...files, { name: 'TRAILER!!!', mode: 0, data: new Uint8Array(0) }].entries()) {
    const name = Buffer.from(`${file.name}\0`);
    const fields = [index + 1, file.mode, 0, 0, 1, 0, file.data.length, 0, 0, 0, 0, name.length, 0];
    const header = Buffer.from(`070701${fields.map((field) => field.toString(16).padStart(8, '0')).join('')}`);
    parts.push(header, name, pad(header.length + name.length), Buffer.from(file.data), pad(file.data.length));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** The built ramdisk with hello's bundle and every index record of it at `path` instead. */
function pathRenamed(initrd: Uint8Array, path: string): Uint8Array {
  const from = JSON.stringify(HELLO_PATH);
  const to = JSON.stringify(path);
  return newc(
    readEntries(initrd).map((entry) => {
      const data = Buffer.from(initrd.subarray(entry.dataOffset, entry.dataOffset + entry.size));
      const index = /\.jsonl?$/.test(entry.name) && data.includes(from);
      return {
        name: entry.name === HELLO_PATH ? path : entry.name,
        mode: entry.mode,
        data: index ? Buffer.from(data.toString('utf8').replaceAll(from, to)) : data,
      };
    }),
  );
}

it.each([
  ['a newline, then a throw', "\nthrow 'PWNED';;;;;;;;;;;;"],
  ['a line separator, then a throw', "\u2028throw 'PWNED';;;;;;;;;;"],
  ['a comment end and a newline, then a throw', "*/\nthrow 'PWNED';;;;;;;;;;"],
])('a path in the index holding %s is refused before anything is compiled, under module.sig_enforce=1', async (_case, hostile) => {
  expect(Buffer.byteLength(hostile)).toBe(HELLO_PATH.length);
  kernel = await bootKernel({ cmdline: 'init=shell quiet module.sig_enforce=1', tamper: (files) => (files.initrd = pathRenamed(files.initrd, hostile)) });
  const output = await kernel.run('modprobe hello');
  expect(output).not.toContain('PWNED');
  expect(output).toMatch(/^modprobe: ERROR: could not insert 'hello': lib\/modules\/index\.jsonl: the record at byte \d+ \(hello\): field path should be lib\/modules\/<name>\/<version>\.js\n$/);
  expect(await kernel.run('lsmod')).not.toMatch(/^hello /m);
  expect(await kernel.run('dmesg')).not.toContain('PWNED');
});
