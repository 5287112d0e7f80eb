/*
 * The floors of figure 2 (bench/figures/boot-time.ts): the least the machine could do for two
 * steps of a boot, timed in the same rounds as the boots they stand beside.
 *
 *   const floors = bootFloors(initrd);   // finds the kernel module in the ramdisk, once
 *   floors.placing();                    // ms: a plain copy of the ramdisk's bytes into fresh memory, as much as a machine has
 *   floors.bootstrap();                  // ms: the kernel module's sha256, its record's signature checked, its text decoded and compiled
 *   memoryBacking();                     // how fresh memory is backed in this process, for the report
 *
 * Placing is what a firmware that puts the ramdisk into RAM must do at least: the bytes into
 * memory the process has not touched yet, as a new machine's is. keel's firmware maps the
 * ramdisk where the host holds it instead (emulator/firmware.ts), so its rows go below this
 * floor: by what a copy would have cost. The copy goes into an array as large as the machine's
 * memory (64 MiB), at the firmware's offset: glibc's malloc takes an allocation that large from
 * the kernel each time (mmap), while one of the ramdisk's size (21 MiB), under its 32 MiB
 * threshold, would reuse memory an earlier copy touched and freed — no page faults, no floor.
 * The bootstrap must at least check and compile the kernel's bundle (47 KB of code) with the
 * checks keel makes, through the same crypto device, compiled in a fresh context as the
 * bootstrap compiles it in a fresh realm; finding the files and copying 58 KB into frames are
 * left out.
 *
 * Fresh memory costs what the pages behind it cost to fault in: with 4 KiB pages a 21 MiB
 * ramdisk is 5,300 faults, 10-20 µs each on the virtual machines this was measured on. The npm
 * scripts ask glibc for transparent huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, read at
 * process start): 11 faults for the same bytes. `memoryBacking` says which the run had.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { publicKeyHex } from '../../build/module-signing.ts';
import { FIRMWARE_BYTES } from '../../emulator/firmware.ts';
import { host } from '../../emulator/host/current-host.ts';
import { DEFAULT_MEMORY_BYTES } from '../../emulator/machine.ts';
import { readEntries } from '../../ramdisk/cpio.ts';
import { INDEX_LINES_PATH, IndexLines, KERNEL_MODULE } from '../../ramdisk/index-lines.ts';
import { signedText, type ModuleRecord } from '../../ramdisk/module-index.ts';

export interface BootFloors {
  placing(): number;
  bootstrap(): number;
}

/** The kernel's default record and its bundle, read from a plain archive as the build wrote it. */
function kernelModule(initrd: Uint8Array): { record: ModuleRecord; bundle: Uint8Array } {
  const entries = readEntries(initrd);
  const bytesOf = (name: string) => {
    const entry = entries.filter((candidate) => candidate.name === name).at(-1);
    if (!entry) throw new Error(`boot floors: ${name} is not in the ramdisk`);
    return initrd.subarray(entry.dataOffset, entry.dataOffset + entry.size);
  };
  const versions = new IndexLines(bytesOf(INDEX_LINES_PATH)).header.kernel;
  const record = versions.find((candidate) => candidate.default === true) ?? versions[0];
  if (!record) throw new Error(`boot floors: the index has no ${KERNEL_MODULE} module`);
  return { record, bundle: bytesOf(record.path) };
}

export function bootFloors(initrd: Uint8Array): BootFloors {
  const { record, bundle } = kernelModule(initrd);
  const key = publicKeyHex();
  return {
    placing() {
      const start = performance.now();
      const memory = new Uint8Array(DEFAULT_MEMORY_BYTES);
      memory.set(initrd, FIRMWARE_BYTES);
      return performance.now() - start;
    },
    bootstrap() {
      const context = vm.createContext();
      const start = performance.now();
      const sha256 = host.crypto.sha256(bundle);
      const verified = host.crypto.verify(key, new TextEncoder().encode(signedText(record)), record.signature ?? '');
      const entry = vm.compileFunction(new TextDecoder().decode(bundle), ['require', 'module', 'exports'], { parsingContext: context });
      const time = performance.now() - start;
      // A floor that skipped work would be no floor: both checks must pass, as the bootstrap's did.
      if (sha256 !== record.sha256 || !verified || typeof entry !== 'function') throw new Error(`boot floors: ${record.path} does not check`);
      return time;
    },
  };
}

/** Whether malloc asks for transparent huge pages in this process, and what the kernel does with the asking. */
export function memoryBacking(): string {
  let mode = 'unknown';
  try {
    mode = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? mode;
  } catch {
    // Not Linux, or no THP: said as unknown.
  }
  const asked = /(^|:)glibc\.malloc\.hugetlb=1($|:)/.test(process.env.GLIBC_TUNABLES ?? '');
  return `${asked ? 'huge pages asked for (glibc.malloc.hugetlb=1)' : '4 KiB pages (glibc.malloc.hugetlb unset)'}, THP ${mode}`;
}
