/*
 * The module loader: from a name in the index to live code, and back.
 *
 * load(name): resolve the dependencies from the index (depth first, refusing cycles and
 * missing modules), then for each module not yet loaded: allocate text frames owned by it,
 * copy its bundle from the ramdisk into them, check the sha256 of the copied bytes against its
 * index record and the record's signature, which covers that sha256 (unsigned: a warning and a
 * tainted kernel; with module.sig_enforce=1, refused), compile
 * *from those frames* as a function (never import(): FACTS.md), link its `keel:*` imports to
 * stubs (refusing a symbol the loaded version of the dependency does not export: after a
 * swap, that may not be the version the build checked against), run its `init`. A failure at
 * any step undoes every step, for that module and for the dependencies loaded on its behalf.
 *
 * unload(name): refuse while it has users (naming them, as rmmod does), a call on its stack or
 * in flight (its code would run on after its frames are freed), or a swap holding its calls,
 * or when it is permanent; run `exit`; revoke its stubs; free its text and data frames; drop
 * every reference to its code and ask the reclaim monitor to check that the host engine
 * collected it.
 */
import { FRAME_SIZE } from '../emulator/machine-interface.ts';
import { isModuleName, isVersion, modulePath, signedText, type ModuleRecord } from '../ramdisk/module-index.ts';
import { decodeUtf8, encodeUtf8 } from '../ramdisk/utf8.ts';
import { framesFor } from './frame-allocator.ts';
import { createKernelApi } from './kernel-api.ts';
import { messageOf } from './kernel-log.ts';
import type { Kernel } from './kernel.ts';
import { LoadedModule } from './loaded-module.ts';
import { createNamespace, revokeOwner, runAs } from './stubs.ts';

/** A module that cannot be loaded or unloaded; the message is the one line users see. */
export class ModuleError extends Error {
  override name = 'ModuleError';
}

/** The build's public key (raw Ed25519, hex), put into the base image by the build. */
declare const MODULE_SIGNING_KEY: string;

const SPECIAL_EXPORTS = new Set(['init', 'exit']);

/**
 * Where stack traces say a module's code is. It is the one piece of text compiled with a
 * module's code that the bundle does not hold, so it is made only of a name and a version
 * checked here (letters, digits, dashes, dots, plus): no text of the index can end the comment.
 */
const sourceUrl = (record: ModuleRecord) => (isModuleName(record.name) && isVersion(record.version) ? `keel:${modulePath(record.name, record.version)}` : 'keel:module');

export class ModuleLoader {
  readonly modules = new Map<string, LoadedModule>();

  readonly #kernel: Kernel;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  /** Loads a module and what it depends on; returns it (already loaded: returns it as is). */
  load(name: string, options: { version?: string; onDemand?: boolean } = {}): LoadedModule {
    const loaded = this.modules.get(name);
    if (loaded && (!options.version || loaded.record.version === options.version)) return loaded;
    if (loaded) throw new ModuleError(`${name} ${loaded.record.version} is loaded; swap it to change version`);
    const order = this.#resolve(this.#kernel.findRecord(name, options.version), []);
    const loadedNow: LoadedModule[] = [];
    try {
      for (const record of order) {
        if (this.modules.has(record.name)) continue;
        const module = this.#loadOne(record);
        module.onDemand = options.onDemand === true || record !== order.at(-1);
        loadedNow.push(module);
      }
    } catch (error) {
      for (const module of loadedNow.reverse()) this.discard(module);
      throw error;
    }
    return this.modules.get(name)!;
  }

  /** Loads `record` beside the loaded version of its module (for a swap): not in the table. */
  stage(record: ModuleRecord): LoadedModule {
    for (const dependency of this.#resolve(record, []).slice(0, -1)) this.load(dependency.name, { version: dependency.version, onDemand: true });
    return this.#loadOne(record, false);
  }

  /** Dependency order for `record`: dependencies first, each once. */
  #resolve(record: ModuleRecord, chain: string[]): ModuleRecord[] {
    if (chain.includes(record.name)) throw new ModuleError(`dependency cycle: ${[...chain, record.name].join(' -> ')}`);
    const order: ModuleRecord[] = [];
    for (const dependency of record.depends) {
      const loaded = this.modules.get(dependency);
      const dependencyRecord = loaded?.record ?? this.#kernel.findRecord(dependency, undefined, record.name);
      for (const item of this.#resolve(dependencyRecord, [...chain, record.name])) if (!order.includes(item)) order.push(item);
    }
    order.push(record);
    return order;
  }

  #loadOne(record: ModuleRecord, register = true): LoadedModule {
    const { frames, machine, memory } = this.#kernel;
    const module = new LoadedModule(record, frames.createOwner('text', record.name), frames.createOwner('data', record.name));
    if (register) this.modules.set(record.name, module);
    machine.watchdog.name(module.id, record.name);
    try {
      const bundle = this.#kernel.records.sourceOf(record).bundle(record);
      if (bundle.length !== record.size) throw new ModuleError(`${record.path} is ${bundle.length} bytes, the index says ${record.size}`);
      const first = frames.allocate(framesFor(record.size), module.textOwner);
      const start = first * FRAME_SIZE;
      memory.set(bundle, start);
      const text = memory.subarray(start, start + record.size);
      const sha256 = machine.crypto.sha256(text);
      if (sha256 !== record.sha256) throw new ModuleError(`${record.path}: sha256 does not match the index`);
      if (!machine.crypto.verify(MODULE_SIGNING_KEY, encodeUtf8(signedText(record)), record.signature ?? '')) {
        const failure = 'module verification failed: signature and/or required key missing';
        if (this.#kernel.params.get('module.sig_enforce') === '1') throw new ModuleError(failure);
        this.#kernel.tainted.add(record.name);
        this.#kernel.log.printk(`${record.name}: ${failure} - tainting kernel`, 'warn');
      }
      this.#link(module, decodeUtf8(text));
      module.state = 'Live';
      this.#kernel.log.printk(`keel: loaded ${record.name} ${record.version}`);
      return module;
    } catch (error) {
      this.discard(module);
      throw error instanceof ModuleError ? error : new ModuleError(`${record.name}: ${messageOf(error)}`);
    }
  }

  /** Compiles the module's code, runs it with its imports resolved to stubs, then its init. */
  #link(module: LoadedModule, source: string): void {
    const { record } = module;
    const factory = new Function('require', 'module', 'exports', `${source}\n//# sourceURL=${sourceUrl(record)}`);
    module.codeObjects.push(factory);
    const require = (specifier: string) => {
      const name = specifier.startsWith('keel:') ? specifier.slice(5) : undefined;
      if (name === 'kernel') return createKernelApi(this.#kernel, module);
      const dependency = name === undefined ? undefined : this.modules.get(name);
      if (!dependency || !record.depends.includes(name!)) throw new ModuleError(`${record.name}: cannot import ${specifier}`);
      const missing = record.imports[name!]?.find((symbol) => symbol !== '*' && !dependency.record.exports.includes(symbol));
      if (missing) throw new ModuleError(`${record.name}: ${name} ${dependency.record.version} does not export ${missing}`);
      if (!module.dependencies.includes(dependency)) module.dependencies.push(dependency);
      dependency.users.add(module);
      return createNamespace(module, dependency);
    };
    const commonjs = { exports: {} as Record<string, unknown> };
    factory(require, commonjs, commonjs.exports);
    const exports = commonjs.exports;
    module.exportsSlot.target = exports;
    for (const symbol of Object.keys(exports)) {
      const value = exports[symbol];
      if (typeof value === 'function' && !SPECIAL_EXPORTS.has(symbol)) module.exportSlots.set(symbol, { target: value, owner: module, symbol });
      if (Object(value) === value) module.codeObjects.push(value as object);
    }
    if (typeof exports.exit === 'function') module.exit = exports.exit as () => void;
    if (typeof exports.init === 'function') {
      try {
        runAs(module, exports.init as () => void);
      } catch (error) {
        throw new ModuleError(`${record.name}: init failed: ${messageOf(error)}`);
      }
    }
  }

  /** Unloads a module the way rmmod does. */
  unload(name: string): void {
    const module = this.modules.get(name);
    if (!module) throw new ModuleError(`Module ${name} ${this.#kernel.findRecords(name).length > 0 ? 'is not currently loaded' : 'does not exist in the ramdisk'}`);
    const users = [...module.users].map((user) => user.name).join(' ');
    if (users || module.active + module.pending || module.holding) throw new ModuleError(`Module ${name} is in use${users && ` by: ${users}`}`);
    if (module.permanent) throw new ModuleError(`Module ${name} is permanent (it has no exit)`);
    module.state = 'Unloading';
    try {
      if (module.exit) runAs(module, module.exit);
    } catch (error) {
      this.#kernel.log.printk(`keel: ${name}: exit failed (${messageOf(error)}), unloading anyway`, 'warn');
    }
    const freed = this.discard(module);
    this.#kernel.log.printk(`keel: unloaded ${name} ${module.record.version} (${freed} frames freed)`);
  }

  /** Takes a module out of every table, revokes its stubs, frees its frames. Returns frames freed. */
  discard(module: LoadedModule): number {
    const { frames } = this.#kernel;
    if (this.modules.get(module.name) === module) this.modules.delete(module.name);
    module.state = 'Unloaded';
    revokeOwner(module);
    // Its dependencies are in the table too: this takes it out of their users as well.
    for (const other of this.modules.values()) {
      other.users.delete(module);
      other.links.delete(module);
    }
    for (const id of module.timers) this.#kernel.machine.timer.clearTimer(id);
    this.#kernel.machine.watchdog.name(module.id, null);
    const freed = frames.freeOwner(module.textOwner) + frames.freeOwner(module.dataOwner);
    module.allocations.clear();
    module.exit = null;
    this.#kernel.reclaim.watch(module.name, module.record.version, module.codeObjects);
    module.codeObjects = [];
    return freed;
  }
}
