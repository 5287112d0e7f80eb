/*
 * Signed modules: the build signs every module's index record — which holds its bundle's
 * sha256 — with its Ed25519 key, and the kernel checks the signature at every load and swap.
 * By default a bad signature, a changed bundle or a changed record loads with Linux's warning
 * and taints the kernel; with module.sig_enforce=1 it is refused with Linux's message.
 */
import { afterEach, expect, it } from 'vitest';
import { writeCpio } from '../ramdisk/cpio-writer.ts';
import { readEntries } from '../ramdisk/cpio.ts';
import { INDEX_LINES_PATH } from '../ramdisk/index-lines.ts';
import { bootKernel, buildInMemory, frameCounts, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const FAILURE = 'module verification failed: signature and/or required key missing';

/** A tamper hook that spoils one module version's signature in the index, in place. */
async function spoilSignature(name: string, version: string) {
  const { result } = await buildInMemory();
  const signature = result.modules.find(({ record }) => record.name === name && record.version === version)!.record.signature!;
  const text = new TextEncoder().encode(signature);
  return ({ initrd }: { initrd: Uint8Array }) => {
    const at = Buffer.from(initrd).indexOf(Buffer.from(text));
    expect(at).toBeGreaterThan(0);
    initrd[at] = initrd[at] === 0x30 ? 0x31 : 0x30;
  };
}

it('the build signs every module, and a kernel that loads only signed modules is not tainted', async () => {
  const { result } = await buildInMemory();
  for (const { record } of result.modules) expect(record.signature, record.path).toMatch(/^[0-9a-f]{128}$/);
  kernel = await bootKernel();
  await kernel.run('modprobe hello; modprobe kv');
  expect(await kernel.run('lsmod')).not.toMatch(/tainted/);
  expect(await kernel.run('dmesg')).not.toMatch(/verification failed/);
});

it('by default a badly signed module loads, with a warning, and taints the kernel', async () => {
  kernel = await bootKernel({ tamper: await spoilSignature('hello', '1.0.0') });
  expect(await kernel.run('modprobe hello')).toMatch(new RegExp(`^\\[\\s*[\\d.]+\\] hello: ${FAILURE} - tainting kernel\\n$`));
  expect(await kernel.run('lsmod')).toMatch(/^Kernel tainted \(E\): module signature not verified: hello$/m);
  expect(await kernel.run('cat /proc/modules')).toMatch(/^hello 4096 0 - Live 0xffffffffc[0-9a-f]{7} \(E\)$/m);
  expect(await kernel.run('call hello greet signed')).toBe('"Hello, signed!"\n');
});

it('with module.sig_enforce=1 a badly signed module is refused and nothing stays allocated', async () => {
  kernel = await bootKernel({ cmdline: 'init=shell quiet module.sig_enforce=1', tamper: await spoilSignature('hello', '1.0.0') });
  const before = await frameCounts(kernel);
  expect(await kernel.run('modprobe hello')).toBe(`modprobe: ERROR: could not insert 'hello': ${FAILURE}\n`);
  expect(await frameCounts(kernel)).toEqual(before);
  expect(await kernel.run('lsmod')).not.toMatch(/hello|tainted/);
});

it('a version swapped in at run time is checked the same way', async () => {
  kernel = await bootKernel({ cmdline: 'init=shell quiet module.sig_enforce=1', tamper: await spoilSignature('kv', '2.0.0') });
  await kernel.run('modprobe kv; call kv set kept yes');
  expect(await kernel.run('swap kv')).toBe(`swap: kv 1.0.0 -> 2.0.0: rolled back, kv stays at 1.0.0: the new version failed to load: ${FAILURE}\n`);
  expect(await kernel.run('call kv get kept')).toBe('"yes"\n');
});

/** A tamper hook that edits one module's line of the index lines (the file the kernel reads) and repacks the archive. */
function editIndexLine(name: string, edit: (line: string) => string) {
  return (files: { initrd: Uint8Array }) => {
    const entries = readEntries(files.initrd);
    files.initrd = writeCpio(
      entries.map((entry) => {
        let data = files.initrd.slice(entry.dataOffset, entry.dataOffset + entry.size);
        if (entry.name === INDEX_LINES_PATH) {
          const lines = Buffer.from(data).toString('utf8').split('\n');
          const at = lines.findIndex((line) => line.startsWith(`{"name":"${name}"`));
          const edited = edit(lines[at]!);
          expect(edited).not.toBe(lines[at]);
          lines[at] = edited;
          data = new Uint8Array(Buffer.from(lines.join('\n')));
        }
        return { name: entry.name, mode: entry.mode, data };
      }),
    );
  };
}

const CHANGES: Array<[string, string, (line: string) => string]> = [
  ['its description', 'hello', (line) => line.replace('"description":"The', '"description":"A')],
  ['its exports', 'hello', (line) => line.replace('"exports":["exit","greet","init"]', '"exports":["exit","greet","init","wave"]')],
  ['which version is the default', 'kv', (line) => line.replace('"default":true', '"default":false')],
];

it.each(CHANGES)('a change to a record of the index (%s) loads with the warning and taints the kernel, as a changed module does', async (_case, name, edit) => {
  kernel = await bootKernel({ tamper: editIndexLine(name, edit) });
  expect(await kernel.run(`modprobe ${name}`)).toMatch(new RegExp(`^\\[\\s*[\\d.]+\\] ${name}: ${FAILURE} - tainting kernel\\n$`));
  expect(await kernel.run('lsmod')).toMatch(new RegExp(`^Kernel tainted \\(E\\): module signature not verified: ${name}$`, 'm'));
});

it.each(CHANGES)('with module.sig_enforce=1 a change to a record of the index (%s) is refused, and nothing stays allocated', async (_case, name, edit) => {
  kernel = await bootKernel({ cmdline: 'init=shell quiet module.sig_enforce=1', tamper: editIndexLine(name, edit) });
  const before = await frameCounts(kernel);
  expect(await kernel.run(`modprobe ${name}`)).toBe(`modprobe: ERROR: could not insert '${name}': ${FAILURE}\n`);
  expect(await frameCounts(kernel)).toEqual(before);
  expect(await kernel.run('lsmod')).not.toMatch(new RegExp(`^${name} |tainted`, 'm'));
});

it('the offsets in the index are not signed: a tool may rewrite them, and the signatures still hold', async () => {
  kernel = await bootKernel({ cmdline: 'init=shell quiet module.sig_enforce=1', tamper: editIndexLine('hello', (line) => line.replace(/"offset":\d+/, '"offset":4')) });
  expect(await kernel.run('modprobe hello; call hello greet hints')).toBe('"Hello, hints!"\n');
  expect(await kernel.run('lsmod')).not.toMatch(/tainted/);
});
