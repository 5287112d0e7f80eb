/*
 * The kernel's boot, once the bootstrap has started it (index.ts): it runs once.
 *
 * It reads the command line ("init=shell quiet autoclean=30"), opens the module index, loads
 * the modules named in etc/modules (a failure there is logged and boot goes on), then the init
 * module (a failure there is a panic: without it there is nothing to run).
 *
 * The build puts the index lines first, and their first line says where etc/modules and the
 * archive's trailer are. When the index is first and the archive ends where it says, boot
 * reads just those two files, however large the ramdisk; any other archive (repacked,
 * reordered, appended to) is walked once, and the last index and etc/modules in it count.
 */
import { CPIO_TRAILER } from '../../ramdisk/cpio.ts';
import { INDEX_LINES_PATH } from '../../ramdisk/index-lines.ts';
import type { KernelCore } from './kernel-core.ts';

/** The command line's words as parameters ("autoclean=30", "quiet"), and whether the log is quiet: before anything is logged. */
export function readCommandLine({ params, log, bootInfo }: KernelCore): void {
  for (const word of bootInfo.cmdline.split(/\s+/).filter(Boolean)) {
    const equals = word.indexOf('=');
    params.set(equals < 0 ? word : word.slice(0, equals), equals < 0 ? '' : word.slice(equals + 1));
  }
  log.quiet = params.has('quiet');
}

/** Reads the index, loads etc/modules and then init; returns init's name. Throws when there is no working init. */
export function bootSequence(kernel: KernelCore): string {
  const { log, params, records, loader, ramdisk, bootInfo } = kernel;
  log.printk(`keel: command line: ${bootInfo.cmdline}`);

  if (ramdisk.headerAt(0)?.name !== INDEX_LINES_PATH) ramdisk.walk(`${INDEX_LINES_PATH} is not the first file`);
  let index = records.open(ramdisk.data(ramdisk.file(INDEX_LINES_PATH, 0)));
  const trailer = ramdisk.headerAt(index.offsetOf(CPIO_TRAILER));
  const endsThere = trailer?.name === CPIO_TRAILER && ramdisk.bytes.subarray(trailer.next).every((byte) => byte === 0);
  if (!ramdisk.walked && !endsThere) {
    ramdisk.walk(`the archive does not end where ${INDEX_LINES_PATH} says`);
    index = records.open(ramdisk.data(ramdisk.file(INDEX_LINES_PATH)));
  }
  log.printk(`ramdisk: ${ramdisk.length} bytes mapped at 0x${ramdisk.address.toString(16)}, above RAM, an index of ${index.header.records} module versions`);
  // As Linux says "Initramfs unpacking failed": boot goes on with what came before the damage.
  if (ramdisk.damage) log.printk(`${ramdisk.damage.message}: the files after it are not read`, 'warn');

  // As Linux does: a parameter neither the kernel nor a module (name.parameter) takes is said once.
  const KERNEL_PARAMETERS = ['init', 'quiet', 'autoclean', 'module.sig_enforce', 'reclaim.explain'];
  const unknown = [...params.keys()].filter((name) => !KERNEL_PARAMETERS.includes(name) && records.versions(name.slice(0, Math.max(0, name.indexOf('.')))).length === 0);
  if (unknown.length > 0) log.printk(`Unknown kernel command line parameters "${unknown.map((name) => (params.get(name) ? `${name}=${params.get(name)}` : name)).join(' ')}", ignored`);

  const names: string[] = [];
  try {
    const etcModules = ramdisk.lookup('etc/modules', index.offsetOf('etc/modules'));
    if (etcModules) names.push(...ramdisk.text(etcModules).split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean));
  } catch (error) {
    log.printk(`keel: etc/modules: ${(error as Error).message}`, 'error');
  }
  if (params.has('autoclean')) names.push('kerneld');
  for (const name of names) {
    try {
      loader.load(name);
    } catch (error) {
      log.printk(`keel: etc/modules: cannot load ${name}: ${(error as Error).message}`, 'error');
    }
  }

  const init = params.get('init') || 'shell';
  try {
    loader.load(init);
  } catch (error) {
    throw new Error(`No working init found (init=${init}: ${(error as Error).message})`);
  }
  return init;
}
