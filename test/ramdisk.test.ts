/*
 * The ramdisk end to end, for archives the build did not write as they are: archives appended
 * to it (the later entry of a name winning, zero padding, no trailer between), the crc format
 * and its checksum, formats keel does not read, a directory where a file is expected, a file
 * named twice, offset hints that point anywhere, and damage. Each bad input is one clear line,
 * and the kernel keeps running (or, with nothing to boot, panics in one line).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signRecord } from '../build/module-signing.ts';
import { Machine } from '../emulator/machine.ts';
import { writeCpio, type CpioFile } from '../ramdisk/cpio-writer.ts';
import { MODE_DIRECTORY, readEntries } from '../ramdisk/cpio.ts';
import { INDEX_LINES_PATH, writeIndexLines } from '../ramdisk/index-lines.ts';
import { modulePath, type ModuleRecord } from '../ramdisk/module-index.ts';
import { bootKernel, buildInMemory, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const HELLO_PATH = 'lib/modules/hello/1.0.0.js';
const WALKED = /ramdisk: the index's offsets do not fit this archive \((.*)\): walked its \d+ headers(.*)$/;
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text));

async function built(): Promise<{ initrd: Uint8Array; files: CpioFile[]; records: ModuleRecord[]; code: (name: string) => Uint8Array }> {
  const { initrd, result } = await buildInMemory();
  const archive = new Uint8Array(initrd);
  const files = readEntries(archive).map((entry) => ({ name: entry.name, mode: entry.mode, data: archive.slice(entry.dataOffset, entry.dataOffset + entry.size) }));
  return {
    initrd: archive, files, records: result.modules.map(({ record }) => ({ ...record })),
    code: (name) => result.modules.find(({ record }) => record.name === name)!.code,
  };
}

function concatenate(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const boot = async (initrd: Uint8Array, cmdline?: string) => (kernel = await bootKernel({ cmdline, tamper: (files) => (files.initrd = initrd) }));

/** Lines of dmesg that say the kernel walked the archive. */
const walks = async (booted: TestKernel) => (await booted.run('dmesg')).split('\n').filter((line) => WALKED.test(line));

/** Powers on a machine with `initrd` that must panic; returns its console. */
async function panicWith(initrd: Uint8Array): Promise<string> {
  const { image } = await buildInMemory();
  const machine = new Machine({ image: new Uint8Array(image), initrd, cmdline: 'init=shell quiet' });
  machine.powerOn();
  expect(await machine.halted).toBe(2);
  return machine.output;
}

describe('an archive appended to the ramdisk', () => {
  it.each([
    ['after zero padding of 512 bytes', (initrd: Uint8Array) => concatenate(initrd, new Uint8Array(512))],
    ['after zero padding of 10240 bytes, as bsdtar pads', (initrd: Uint8Array) => concatenate(initrd, new Uint8Array(10240))],
    ['right after the trailer', (initrd: Uint8Array) => initrd],
    ['with no trailer between', (initrd: Uint8Array) => initrd.subarray(0, initrd.length - 124)],
  ])('%s: its etc/modules replaces the first one (for boot and in the root file system), and dmesg says which entry counts', async (_case, layout) => {
    const { initrd } = await built();
    const booted = await boot(concatenate(layout(initrd), writeCpio([{ name: 'etc/modules', data: bytesOf('kv\n') }]), new Uint8Array(100)));
    expect(await booted.run('lsmod')).toMatch(/^kv /m);
    expect(await booted.run('cat /etc/modules')).toBe('kv\n');
    expect(await walks(booted)).toHaveLength(1);
    expect(await booted.run('dmesg')).toMatch(new RegExp(`^\\[\\s*[\\d.]+\\] ramdisk: etc/modules is given by 2 entries: the last one, at offset ${layout(initrd).length + 0}, counts$`, 'm'));
  });

  it('with a newer index and a new version of a module: modprobe loads that version, signed, untainted', async () => {
    const { initrd, records, code } = await built();
    const source = Buffer.from(code('hello')).toString().replace('`Hello, ${name}!`', '`Howdy, ${name}!`');
    expect(source).toContain('Howdy');
    const hello = records.find((record) => record.name === 'hello')!;
    const newer: ModuleRecord = { ...hello, version: '1.1.0', path: modulePath('hello', '1.1.0'), size: Buffer.byteLength(source), sha256: createHash('sha256').update(source).digest('hex') };
    hello.default = false;
    for (const record of [hello, newer]) record.signature = signRecord(record);
    const appended = writeCpio([
      { name: INDEX_LINES_PATH, data: bytesOf(writeIndexLines([...records, newer], {})) },
      { name: newer.path, data: bytesOf(source) },
    ]);
    const booted = await boot(concatenate(initrd, new Uint8Array(512), appended));
    expect(await booted.run('modprobe hello; call hello greet you')).toBe('"Howdy, you!"\n');
    expect(await booted.run('modinfo hello')).toMatch(/^version:\s+1\.1\.0$/m);
    expect(await booted.run('lsmod')).not.toMatch(/tainted/);
  });

  it.each([
    ['another size', (code: Uint8Array) => bytesOf('exports.greet = () => "imposter";'), (code: Uint8Array) => `${HELLO_PATH} is 33 bytes, the index says ${code.length}`],
    ['the same size', (code: Uint8Array) => bytesOf('x'.repeat(code.length)), () => `${HELLO_PATH}: sha256 does not match the index`],
  ])('with another bundle of a module (%s) but no new index: the later bundle is the one read, and refused', async (_case, imposter, refusal) => {
    const { initrd, code } = await built();
    const booted = await boot(concatenate(initrd, writeCpio([{ name: HELLO_PATH, data: imposter(code('hello')) }])));
    expect(await booted.run('modprobe hello')).toBe(`modprobe: ERROR: could not insert 'hello': ${refusal(code('hello'))}\n`);
  });

  it.each([1, 3, 6])('after zero padding of %i bytes (not a multiple of 4): one line at boot, and the first archive boots', async (padding) => {
    const { initrd } = await built();
    const booted = await boot(concatenate(initrd, new Uint8Array(padding), writeCpio([{ name: 'etc/modules', data: bytesOf('kv\n') }])));
    expect(booted.console.split('\n').filter((line) => line.includes('ramdisk'))).toEqual([
      expect.stringMatching(new RegExp(`^\\[\\s*[\\d.]+\\] ramdisk: zero padding of ${padding} bytes, not a multiple of 4, before the header at offset ${initrd.length}: the files after it are not read$`)),
    ]);
    expect(await booted.run('lsmod')).not.toMatch(/^kv /m);
    expect(await booted.run('echo ok')).toBe('ok\n');
  });
});

describe('the crc format (magic 070702)', () => {
  const asCrc = async () => writeCpio((await built()).files, 'crc');
  const flipByteOf = (archive: Uint8Array, name: string) => {
    const entry = readEntries(archive).find((each) => each.name === name)!;
    archive[entry.dataOffset + Math.floor(entry.size / 2)]! ^= 0x01;
    return entry.offset;
  };

  it('boots from the index\'s offsets (the layout is the same as newc) and loads every module, each checked', async () => {
    const booted = await boot(await asCrc());
    expect(await booted.run('modprobe workload; modprobe rootfs; cat /etc/modules')).toMatch(/^# \/etc\/modules/);
    expect(await walks(booted)).toEqual([]);
  });

  it('refuses a bundle whose sum does not match, in one line naming the file', async () => {
    const archive = await asCrc();
    const offset = flipByteOf(archive, HELLO_PATH);
    const booted = await boot(archive);
    expect(await booted.run('modprobe hello')).toMatch(
      new RegExp(`^modprobe: ERROR: could not insert 'hello': hello: ramdisk: crc of lib/modules/hello/1\\.0\\.0\\.js does not match its data \\(header 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\\) at offset ${offset}\\n$`),
    );
    expect(await booted.run('lsmod')).not.toMatch(/^hello /m);
  });

  it('an etc/modules whose sum does not match: one line at boot, and boot goes on', async () => {
    const archive = await asCrc();
    const offset = flipByteOf(archive, 'etc/modules');
    const booted = await boot(archive);
    expect(booted.console).toMatch(new RegExp(`^\\[\\s*[\\d.]+\\] keel: etc/modules: ramdisk: crc of etc/modules does not match its data \\(header 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\\) at offset ${offset}$`, 'm'));
    expect(await booted.run('echo ok')).toBe('ok\n');
  });

  it('an index whose sum does not match: nothing to boot from, one panic line', async () => {
    const archive = await asCrc();
    flipByteOf(archive, INDEX_LINES_PATH);
    expect(await panicWith(archive)).toMatch(/^Kernel panic - not syncing: ramdisk: crc of lib\/modules\/index\.jsonl does not match its data \(header 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\) at offset 0\n$/);
  });
});

describe('formats keel does not read', () => {
  it.each([
    ['xz-compressed', (_archive: Uint8Array) => concatenate(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), new Uint8Array(200)), 'xz data (keel inflates gzip only)'],
    ['in the odc format', () => concatenate(bytesOf('070707'), new Uint8Array(200)), 'cpio odc header (magic 070707), not newc or crc (repack with cpio -H newc)'],
    ['in the old binary format', () => concatenate(Uint8Array.from([0xc7, 0x71]), new Uint8Array(200)), 'old binary cpio header, not newc or crc (repack with cpio -H newc)'],
  ])('a ramdisk %s panics in one line that says so', async (_case, make, what) => {
    expect(await panicWith(new Uint8Array(make((await built()).initrd)))).toBe(`Kernel panic - not syncing: ramdisk: ${what} at offset 0\n`);
  });
});

describe('a directory where a file is expected', () => {
  const withEtcModulesDirectory = (files: CpioFile[], entry: boolean) => [
    ...files.filter((file) => file.name !== 'etc/modules'),
    ...(entry ? [{ name: 'etc/modules', data: new Uint8Array(0), mode: MODE_DIRECTORY }] : []),
    { name: 'etc/modules/x', data: bytesOf('hello\n') },
  ];

  it.each([
    ['with its own directory entry', true],
    ['only implied by etc/modules/x', false],
  ])('etc/modules as a directory (%s): one line at boot, and boot goes on; rootfs shows the directory', async (_case, entry) => {
    const booted = await boot(writeCpio(withEtcModulesDirectory((await built()).files, entry)));
    expect(booted.console).toMatch(/^\[\s*[\d.]+\] keel: etc\/modules: ramdisk: etc\/modules is a directory, not a file$/m);
    expect(await booted.run('ls /etc/modules')).toMatch(/^x\s+\d+$/m);
    expect(await booted.run('lsmod')).not.toMatch(/^hello /m);
  });

  it('a bundle that is a directory: modprobe says so in one line', async () => {
    const files = (await built()).files.filter((file) => file.name !== HELLO_PATH);
    const booted = await boot(writeCpio([...files, { name: `${HELLO_PATH}/x`, data: bytesOf('?') }]));
    expect(await booted.run('modprobe hello')).toBe(`modprobe: ERROR: could not insert 'hello': hello: ramdisk: ${HELLO_PATH} is a directory, not a file\n`);
    expect(await booted.run('modprobe kv; echo ok')).toBe('ok\n');
  });
});

describe('a file named twice in one archive', () => {
  it('the later entry counts, and dmesg says so in one line when the kernel reads that file', async () => {
    const booted = await boot(writeCpio([...(await built()).files, { name: 'etc/modules', data: bytesOf('hello\n') }]));
    expect(await booted.run('lsmod')).toMatch(/^hello /m);
    expect(await walks(booted)).toHaveLength(1);
    expect(await booted.run('dmesg')).toMatch(/^\[\s*[\d.]+\] ramdisk: etc\/modules is given by 2 entries: the last one, at offset \d+, counts$/m);
  });

  it('a bundle named twice: the later one is what modprobe reads', async () => {
    const { files, code } = await built();
    const booted = await boot(writeCpio([...files, { name: HELLO_PATH, data: bytesOf('x'.repeat(code('hello').length)) }]));
    expect(await booted.run('modprobe hello')).toBe(`modprobe: ERROR: could not insert 'hello': ${HELLO_PATH}: sha256 does not match the index\n`);
  });
});

describe('offset hints in the index that point anywhere', () => {
  /** The built ramdisk with hello's offset in the index lines replaced by `value`, padded with blanks so that no other byte moves. */
  async function withHelloOffset(value: string): Promise<{ initrd: Uint8Array; original: number }> {
    const { initrd } = await built();
    const text = Buffer.from(initrd).toString('latin1');
    const line = new RegExp(`("name":"hello"[^\\n]*"offset":)(\\d+)}`).exec(text)!;
    const replacement = `${value}${' '.repeat(line[2]!.length - value.length)}`;
    expect(replacement.length).toBe(line[2]!.length);
    const patched = new Uint8Array(initrd);
    patched.set(Buffer.from(replacement, 'latin1'), line.index + line[1]!.length);
    return { initrd: patched, original: Number(line[2]) };
  }

  it.each([
    ['negative', '-4'],
    ['past the end', '9e9'],
    ['not on a 4-byte boundary', 'ORIGINAL+2'],
    ['into the bundle\'s data', 'ORIGINAL+256'],
    ['at the header of another file', '0'],
  ])('%s: the kernel walks the archive once, says so in one dmesg line, and loads the module', async (_case, value) => {
    const { original } = await withHelloOffset('0');
    const hint = value.startsWith('ORIGINAL') ? String(original + Number(value.slice(9))) : value;
    const { initrd } = await withHelloOffset(hint);
    const booted = await boot(initrd);
    expect(await booted.run('modprobe hello; call hello greet hints')).toBe('"Hello, hints!"\n');
    const lines = await walks(booted);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(`(no header of ${HELLO_PATH} at ${Number(hint)})`);
  });

  it('an offset that is no number: modprobe names the record and the field, and nothing loads', async () => {
    const { initrd } = await withHelloOffset('"x"');
    const booted = await boot(initrd);
    expect(await booted.run('modprobe hello')).toMatch(/^modprobe: ERROR: could not insert 'hello': lib\/modules\/index\.jsonl: the record at byte \d+ \(hello\): field offset should be a whole number\n$/);
    expect(await booted.run('modprobe kv; echo ok')).toBe('ok\n');
  });
});

describe('damage in the middle of the archive', () => {
  const workloadHeader = async () => {
    const { initrd } = await built();
    return { initrd, offset: readEntries(initrd).find((entry) => entry.name === 'lib/modules/workload/1.0.0.js')!.offset };
  };

  it('a name without its NUL: modprobe of that module says where, in one line; the rest loads', async () => {
    const { initrd, offset } = await workloadHeader();
    const damaged = new Uint8Array(initrd);
    damaged.fill(0x41, offset + 110, offset + 110 + 40);
    const booted = await boot(damaged);
    expect(await booted.run('modprobe workload')).toBe(`modprobe: ERROR: could not insert 'workload': workload: ramdisk: name without its NUL at offset ${offset}\n`);
    expect(await booted.run('modprobe kv; echo ok')).toBe('ok\n');
    // The root file system lists what it could read, and says where it stopped.
    expect(await booted.run('modprobe rootfs')).toMatch(new RegExp(`^\\[\\s*[\\d.]+\\] rootfs: ramdisk: name without its NUL at offset ${offset}: the files after it are not read\\n$`));
  });

  it('a ramdisk cut short inside a header: one line at boot, and the files before it boot', async () => {
    const { initrd, offset } = await workloadHeader();
    const booted = await boot(initrd.subarray(0, offset + 60));
    expect(booted.console).toMatch(new RegExp(`^\\[\\s*[\\d.]+\\] ramdisk: truncated header at offset ${offset}: the files after it are not read$`, 'm'));
    expect(await booted.run('modprobe workload')).toBe(`modprobe: ERROR: could not insert 'workload': workload: ramdisk: truncated header at offset ${offset}\n`);
    expect(await booted.run('modprobe kv; echo ok')).toBe('ok\n');
  });
});
