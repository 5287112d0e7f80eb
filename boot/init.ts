/*
 * Boot-only code: the init section of the base image. It runs once, from boot/main.ts, and
 * its frames are freed afterwards, so nothing here may be needed once the shell is up.
 *
 * It reads the command line ("init=shell quiet autoclean=30"), parses the module index, loads
 * the modules named in etc/modules (a failure there is logged and boot goes on), then the init
 * module (a failure there is a panic: without it there is nothing to run). The build puts
 * etc/modules right after the index, so boot reads two files however large the ramdisk is.
 */
import { INDEX_PATH, IndexError, parseIndex } from '../ramdisk/module-index.ts';
import type { Kernel } from './kernel.ts';

/** The calling convention of the init section: its code is the body of a function (kernel). */
declare const kernel: Kernel;

const { log, params, index, loader, ramdisk, bootInfo } = kernel;
for (const word of bootInfo.cmdline.split(/\s+/).filter(Boolean)) {
  const equals = word.indexOf('=');
  params.set(equals < 0 ? word : word.slice(0, equals), equals < 0 ? '' : word.slice(equals + 1));
}
log.quiet = params.has('quiet');
log.printk(`keel: command line: ${bootInfo.cmdline}`);

for (const record of parseIndex(ramdisk.indexText)) {
  const versions = index.get(record.name) ?? [];
  if (versions.some((other) => other.version === record.version)) throw new IndexError(`${INDEX_PATH}: ${record.name} ${record.version} is listed twice`);
  index.set(record.name, [...versions, record]);
}
log.printk(`ramdisk: ${ramdisk.length} bytes at 0x${ramdisk.start.toString(16)}, ${index.size} modules in the index`);

// As Linux does: a parameter neither the kernel nor a module (name.parameter) takes is said once.
const KERNEL_PARAMETERS = ['init', 'quiet', 'autoclean', 'module.sig_enforce'];
const unknown = [...params.keys()].filter((name) => !KERNEL_PARAMETERS.includes(name) && !index.has(name.slice(0, Math.max(0, name.indexOf('.')))));
if (unknown.length > 0) log.printk(`Unknown kernel command line parameters "${unknown.map((name) => (params.get(name) ? `${name}=${params.get(name)}` : name)).join(' ')}", ignored`);

const second = ramdisk.entryAt(ramdisk.filesBase);
const etcModules = second?.name === 'etc/modules' ? second : undefined;
const names = etcModules ? ramdisk.text(etcModules).split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean) : [];
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
