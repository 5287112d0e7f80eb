/*
 * devload — the kernel side of `npm run dev`. The host sends each rebuilt module through the
 * host channel: a JSON header (its index record) and the bundle's bytes. devload copies the
 * bytes into memory of its own (kalloc), adds the record to the kernel's module records with
 * that memory as its source (the kernel checks it as it checks the ramdisk's), and then:
 *   - the module is loaded: swaps it to the new version (state kept) and prints the report;
 *   - it is not: leaves the version in the index for modprobe, and says so.
 * The loader checks the bytes against the record's sha256 like any module's. A failed swap
 * leaves the running version serving and takes the new version back out of the index.
 */
import { consoleWrite, kalloc, kernelInternals, kfree, param, printk, type ModuleRecord } from 'keel:kernel';
import { swap } from 'keel:swap';

/** The dev versions delivered, by module name: their records and the memory holding them. */
const delivered = new Map<string, { record: ModuleRecord; buffer: Uint8Array }>();

/**
 * Says what happened, once in the kernel log (the swap module has already logged a swap's
 * report) and once on the console: printk shows it there, unless `quiet` keeps printk's lines
 * in the log; then it is written here.
 */
function say(line: string, { logged = false } = {}): void {
  if (!logged) printk(line);
  if (param('quiet') !== undefined) consoleWrite(`${line}\n`);
}

function forget(name: string): void {
  const previous = delivered.get(name);
  if (!previous) return;
  kernelInternals().records.remove(previous.record);
  kfree(previous.buffer);
  delivered.delete(name);
}

/** Puts a delivered version beside the ramdisk's (checked as they are), its bytes in memory this module owns. */
function install(sent: ModuleRecord, bytes: Uint8Array): { record: ModuleRecord; buffer: Uint8Array } {
  const kernel = kernelInternals();
  const buffer = kalloc(bytes.length);
  buffer.set(bytes);
  try {
    // Its record is as the dev loop signed it: not the default version (a module no other version of which is in the index has none, and modprobe takes the one there is).
    const record = kernel.records.add(sent, { bundle: () => buffer });
    return { record, buffer };
  } catch (error) {
    kfree(buffer);
    throw error;
  }
}

async function receive(header: string, bytes: Uint8Array): Promise<void> {
  const kernel = kernelInternals();
  const { record, buffer } = install(JSON.parse(header) as ModuleRecord, bytes);
  if (!kernel.loader.modules.has(record.name)) {
    forget(record.name);
    delivered.set(record.name, { record, buffer });
    say(`dev: ${record.name} ${record.version} is in the ramdisk index; nobody has loaded it (modprobe ${record.name} ${record.version})`);
    return;
  }
  const report = await swap(record.name, record.version);
  say(`dev: ${report.summary}`, { logged: true });
  if (report.ok) {
    forget(record.name);
    delivered.set(record.name, { record, buffer });
  } else {
    kernel.records.remove(record);
    kfree(buffer);
  }
}

async function serve(): Promise<void> {
  const { channel } = kernelInternals().machine;
  for (let message = await channel.receive(); message; message = await channel.receive()) {
    try {
      await receive(message.header, message.bytes);
    } catch (error) {
      say(`dev: could not take the new module: ${(error as Error).message}`);
    }
  }
}

export function init(): void {
  void serve();
}

export function exit(): void {
  for (const name of [...delivered.keys()]) forget(name);
}
