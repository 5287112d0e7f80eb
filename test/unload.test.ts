/*
 * Unload through the shell: stale references fail cleanly, rmmod refuses what is in use,
 * modprobe -r and autoclean unload exactly the unused modules, frames and host code come back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bootKernel, frameCounts, runUntil, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel | undefined;
afterEach(async () => {
  if (kernel) await kernel.halt();
  kernel = undefined;
});

const boot = (cmdline?: string) => bootKernel({ build: WITH_FIXTURES, cmdline });
const loadedNames = async (machine: TestKernel) => (await machine.run('lsmod')).split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);

describe('stale references after unload', () => {
  it('a stale stub and a stale object method throw ModuleUnloadedError, and the code is still reclaimed', async () => {
    kernel = await boot();
    expect(await kernel.run('call prober grab')).toBe('2\n');
    expect(await kernel.run('rmmod provider')).toBe('');
    expect(await kernel.run('call prober useStub')).toBe('call: ModuleUnloadedError: provider.greet: module provider was unloaded\n');
    expect(await kernel.run('call prober useObject')).toBe('call: ModuleUnloadedError: provider.Counter.increment: module provider was unloaded\n');
    await runUntil(kernel, 'dmesg', /provider 1\.0\.0: code reclaimed by the host/);
    expect(await kernel.run('lsmod')).not.toMatch(/Zombie/);
  });

  it('a stale callback throws ModuleUnloadedError in the module that calls it', async () => {
    kernel = await boot();
    await kernel.run('modprobe consumer');
    await kernel.run('call consumer subscribe');
    expect(await kernel.run('call provider invokeRegistered')).toBe('"consumer answered"\n');
    expect(await kernel.run('rmmod consumer')).toBe('');
    expect(await kernel.run('call provider invokeRegistered')).toBe('call: ModuleUnloadedError: consumer.consumerCallback: module consumer was unloaded\n');
  });

  it('code that outlives its unload (a continuation no stub counted) reaches no module and takes nothing from the kernel', async () => {
    kernel = await boot();
    await kernel.run('modprobe lingerer');
    expect(await kernel.run('call lingerer linger')).toBe('"lingering"\n');
    expect(await kernel.run('rmmod lingerer')).toBe('');
    const before = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await kernel.run('call deferred finish')).toBe('1\n');
    expect(JSON.parse(await kernel.run('call deferred seen'))).toEqual([
      'ModuleUnloadedError: lingerer.deferred.finish: module lingerer was unloaded',
      'ModuleUnloadedError: lingerer.kernel.kalloc: module lingerer was unloaded',
      'ModuleUnloadedError: lingerer.kernel.requestModule: module lingerer was unloaded',
    ]);
    expect([await kernel.run('lsmod'), await frameCounts(kernel)]).toEqual(before);
    expect(await kernel.unloadGivesMemoryBack('deferred')).toBe(true);
  });

  it('a function inside a plain object crosses unwrapped: kept after its module is unloaded, the module is a zombie until it is dropped', async () => {
    kernel = await boot();
    await kernel.run('call plain-keeper keep');
    expect(await kernel.run('rmmod plain-giver')).toBe('');
    expect(await runUntil(kernel, 'lsmod', /plain-giver/)).toMatch(/^plain-giver\s+0  - \[Zombie\]$/m);
    expect(await kernel.run('dmesg')).toMatch(/plain-giver 1\.0\.0 is a zombie: held by plain-keeper 1\.0\.0: kept\.hello \(a function of plain-giver 1\.0\.0\)\n/);
    // The monitor stops collecting for a zombie; the next unload's collections find it gone.
    await kernel.run('call plain-keeper drop; modprobe hello; rmmod hello');
    await runUntil(kernel, 'dmesg', /plain-giver 1\.0\.0: zombie code reclaimed by the host/);
    expect(await kernel.run('lsmod')).not.toMatch(/plain-giver/);
  });

  it('a module whose code is still referenced after unload is shown as a zombie, with its holder', async () => {
    kernel = await boot();
    await kernel.run('modprobe leaky');
    await kernel.run('rmmod leaky');
    expect(await runUntil(kernel, 'lsmod', /leaky/)).toMatch(/^leaky\s+0  - \[Zombie\]$/m);
    expect(await kernel.run('dmesg')).toMatch(/leaky 1\.0\.0 is a zombie: held by global leakyHandler \(a function of leaky 1\.0\.0\)\n/);
    expect(await kernel.run('free')).toMatch(/zombie modules: leaky/);
  });
});

describe('rmmod', () => {
  it('refuses a module in use, naming its users, and changes nothing', async () => {
    kernel = await boot();
    await kernel.run('modprobe consumer');
    const before = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await kernel.run('rmmod provider')).toBe('rmmod: ERROR: Module provider is in use by: consumer\n');
    expect([await kernel.run('lsmod'), await frameCounts(kernel)]).toEqual(before);
    expect(await kernel.run('lsmod')).toMatch(/^provider\s+\d+  1 consumer$/m);
  });

  it('refuses the callee and the caller of a call in flight, though nothing imports or holds them, and unloads them once it settles', async () => {
    kernel = await boot();
    expect(await kernel.run('call deferred-caller start')).toBe('"started"\n');
    expect(await kernel.run('lsmod')).toMatch(/^deferred\s+\d+  0$/m);
    const before = [await kernel.run('lsmod'), await frameCounts(kernel)];
    expect(await kernel.run('rmmod deferred')).toBe('rmmod: ERROR: Module deferred is in use\n');
    expect(await kernel.run('rmmod deferred-caller')).toBe('rmmod: ERROR: Module deferred-caller is in use\n');
    expect([await kernel.run('lsmod'), await frameCounts(kernel)]).toEqual(before);
    expect(await kernel.run('call deferred finish')).toBe('1\n');
    expect(await kernel.unloadGivesMemoryBack('deferred')).toBe(true);
    expect(await kernel.unloadGivesMemoryBack('deferred-caller')).toBe(true);
  });

  it('gives clear errors for a module not loaded, an unknown name, the kernel (in use by every module that imports it) and a permanent module', async () => {
    kernel = await boot();
    expect(await kernel.run('rmmod hello')).toBe('rmmod: ERROR: Module hello is not currently loaded\n');
    expect(await kernel.run('rmmod nosuch')).toBe('rmmod: ERROR: Module nosuch does not exist in the ramdisk\n');
    expect(await kernel.run('rmmod kernel')).toBe('rmmod: ERROR: Module kernel is in use by: sysinfo shell\n');
    expect(await kernel.run('rmmod shell')).toBe('rmmod: ERROR: Module shell is permanent (it has no exit)\n');
  });

  it('frees the text frames and every data frame the module allocated', async () => {
    kernel = await boot();
    const baseline = await frameCounts(kernel);
    expect(await kernel.run('modprobe hoarder; call hoarder hoard 10000')).toBe('10000\n');
    const loaded = await frameCounts(kernel);
    expect(loaded.moduleData).toBe(baseline.moduleData + 3);
    expect(loaded.used).toBeGreaterThan(baseline.used + 3);
    await kernel.run('rmmod hoarder');
    expect(await frameCounts(kernel)).toEqual(baseline);
  });
});

describe('load on demand and unload of the unused', () => {
  it('modprobe loads dependencies first; modprobe -r unloads them and nothing else', async () => {
    kernel = await boot();
    await kernel.run('modprobe consumer');
    await kernel.run('modprobe chain-top');
    expect(await kernel.run('call chain-top top')).toBe('"base+middle+top"\n');
    expect(await kernel.run('lsmod')).toMatch(/^chain-middle\s+\d+  1 chain-top$/m);
    expect(await kernel.run('modprobe -r chain-middle')).toBe('modprobe: FATAL: Module chain-middle is in use by: chain-top\n');
    await kernel.run('modprobe -r chain-top');
    expect((await loadedNames(kernel)).sort()).toEqual(['consumer', 'kernel', 'provider', 'shell', 'sysinfo']);
  });

  it('a shell command that needs a module gets it loaded from the ramdisk', async () => {
    kernel = await boot();
    expect(await loadedNames(kernel)).toEqual(['kernel', 'sysinfo', 'shell']);
    expect(await kernel.run('cat /etc/modules')).toMatch(/^# \/etc\/modules/);
    expect(await loadedNames(kernel)).toEqual(['kernel', 'sysinfo', 'shell', 'rootfs']);
  });

  it('autoclean unloads on-demand modules idle for the configured time, and only those', async () => {
    kernel = await boot('init=shell quiet autoclean=0.3');
    await kernel.run('modprobe chain-base; modprobe consumer; call hello greet autoclean');
    expect(await loadedNames(kernel)).toEqual(expect.arrayContaining(['hello', 'chain-base', 'consumer', 'provider']));
    await runUntil(kernel, 'dmesg', /kerneld: autoclean unloaded hello/);
    const names = await loadedNames(kernel);
    expect(names).not.toContain('hello');
    expect(names).toEqual(expect.arrayContaining(['chain-base', 'consumer', 'provider', 'kerneld', 'shell']));
  });

  it('autoclean passes over a module with a call in flight and goes on; it unloads it once the call settles', async () => {
    kernel = await boot('init=shell quiet autoclean=0.3');
    await kernel.run('call deferred-caller start');
    await runUntil(kernel, 'dmesg', /kerneld: autoclean passes over deferred: Module deferred is in use$/m);
    expect(await kernel.run('dmesg')).toMatch(/kerneld: autoclean passes over deferred-caller: Module deferred-caller is in use$/m);
    expect(await loadedNames(kernel)).toEqual(expect.arrayContaining(['deferred', 'deferred-caller']));
    expect(await kernel.run('call deferred finish')).toBe('1\n');
    await runUntil(kernel, 'dmesg', /kerneld: autoclean unloaded (.+, )?deferred[, ]/);
    await runUntil(kernel, 'dmesg', /kerneld: autoclean unloaded (.+, )?deferred-caller[, ]/);
    const names = await loadedNames(kernel);
    expect(names).not.toContain('deferred');
    expect(names).not.toContain('deferred-caller');
  });

  it('without autoclean on the command line nothing is unloaded behind the user', async () => {
    kernel = await boot();
    await kernel.run('call hello greet nobody');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await loadedNames(kernel)).toContain('hello');
    expect(await loadedNames(kernel)).not.toContain('kerneld');
  });
});

describe('the root file system', () => {
  it('shows the ramdisk, a writable /tmp and /proc in Linux formats', async () => {
    kernel = await boot();
    expect(await kernel.run('ls /')).toBe('etc/\nlib/\nproc/\ntmp/\n');
    expect(await kernel.run('ls /lib/modules')).toMatch(/^hello\/$/m);
    expect(await kernel.run('cat /proc/modules')).toMatch(
      /^kernel \d+ 3 sysinfo,shell,rootfs, Live 0xffffffffc0000000\nsysinfo \d+ 2 shell,rootfs, Live 0xffffffffc0010000\nshell \d+ 0 - Live 0xffffffffc0020000\nrootfs \d+ 1 shell, Live 0xffffffffc0030000$/m,
    );
    expect(await kernel.run('cat /proc/meminfo')).toMatch(/^MemTotal:\s+65536 kB\nMemFree:\s+\d+ kB/);
    expect(await kernel.run('echo hello file > /tmp/note; cat /tmp/note')).toBe('hello file\n');
    expect(await kernel.run('echo nope > /etc/modules')).toBe('echo: /etc/modules: read-only file system (only /tmp is writable)\n');
  });
});
