/*
 * The module loader: from a name in the index to live code.
 *
 * load(name): resolve the dependencies from the index (depth first, refusing cycles and
 * missing modules), then for each module not yet loaded: allocate text frames owned by it,
 * copy its bundle from the ramdisk into them, check the sha256 of the copied bytes against its
 * index record and the record's signature, which covers that sha256 (unsigned: a warning and a
 * tainted kernel; with module.sig_enforce=1, refused), compile
 * *from those frames* as a function (never import(): docs/design.md), link its `keel:*` imports to
 * stubs made by its PLT, compiled at its first import (refusing a symbol the loaded version of
 * the dependency does not export: after a swap, that may not be the version the build checked
 * against), run its `init`. A failure at
 * any step undoes every step, for that module, for the dependencies loaded on its behalf and
 * for the modules its init requested.
 *
 * An init may be async: the module is then Loading — not to be linked, requested, swapped or
 * unloaded — until its promise settles, and a load that needs it waits for it (load returns a
 * promise then). A rejection is an init failure like a throw: an oops, "init failed", and
 * everything the load took given back. A module given back while its init runs (by a load
 * that could not wait for it) stays gone when that init finishes.
 *
 * The way back — unload, and the undoing of a failed load — is module-unloader.ts's, which
 * this class extends.
 */
import { FRAME_SIZE, type MachineInterface } from '../../emulator/machine-interface.ts';
import { isModuleName, isVersion, modulePath, signedText, type ModuleRecord } from '../../ramdisk/module-index.ts';
import { decodeUtf8, encodeUtf8 } from '../../ramdisk/utf8.ts';
import { framesFor } from './frame-allocator.ts';
import { ModuleError } from './error-classes.ts';
import { messageOf } from './kernel-log.ts';
import { loadedModule, type LoadedModule } from './loaded-module.ts';
import { publishModuleEvent } from './module-events.ts';
import { ModuleUnloader, type UnloaderHost } from './module-unloader.ts';
import { requireFor, type PltSources } from './plt.ts';
import { createNamespace, KERNEL_HOOKS, NativePromise, oops, runAs } from './stubs.ts';

/**
 * Where stack traces say a module's code is. It is the one piece of text compiled with a
 * module's code that the bundle does not hold, so it is made only of a name and a version
 * checked here (letters, digits, dashes, dots, plus): no text of the index can end the comment.
 */
const sourceUrl = (record: ModuleRecord) => (isModuleName(record.name) && isVersion(record.version) ? `keel:${modulePath(record.name, record.version)}` : 'keel:module');

/**
 * What the loader asks of the kernel core that holds it (kernel.ts's Kernel is one): the
 * loader stands below the core, which it knows only as these parts.
 */
export interface LoaderHost extends UnloaderHost, PltSources {
  readonly machine: MachineInterface;
  readonly memory: Uint8Array;
  readonly params: Map<string, string>;
  readonly tainted: Set<string>;
  readonly signingKey: string;
  /** The kernel module itself, whose importers get `kernelApi`'s object and no namespace. */
  readonly self: LoadedModule;
}

export class ModuleLoader extends ModuleUnloader {
  readonly #kernel: LoaderHost;

  constructor(
    kernel: LoaderHost,
    modules: Map<string, LoadedModule>,
    /** A module's keel:kernel object (kernel-api.ts's kernelApiFor, which stands above the loader and is handed down). */
    readonly kernelApi: (module: LoadedModule) => object,
  ) {
    super(kernel, modules);
    this.#kernel = kernel;
  }

  /**
   * Loads a module and what it depends on; returns it (already loaded: returns it as is). Where
   * an init in the chain is async, returns a promise of it, which settles once every init has.
   */
  load(name: string, options: { version?: string; onDemand?: boolean } = {}): LoadedModule | Promise<LoadedModule> {
    const loaded = this.modules.get(name);
    if (loaded && (!options.version || loaded.record.version === options.version)) return loaded.ready ?? loaded;
    if (loaded) throw new ModuleError(`${name} ${loaded.record.version} is loaded; swap it to change version`);
    const order = this.#resolve(this.#kernel.records.find(name, options.version), []);
    const loadedNow: LoadedModule[] = [];
    const next = (position: number): LoadedModule | Promise<LoadedModule> => {
      for (; position < order.length; position++) {
        const record = order[position]!;
        const present = this.modules.get(record.name);
        if (present?.ready) return present.ready.then(() => next(position + 1));
        if (present) continue;
        const module = this.#loadOne(record);
        module.onDemand = options.onDemand === true || position < order.length - 1;
        loadedNow.push(module);
        if (module.ready) return module.ready.then(() => next(position + 1));
      }
      for (const module of loadedNow) module.broughtIn.length = 0;
      return this.modules.get(name)!;
    };
    const giveBack = (error: unknown) => {
      for (const module of loadedNow.reverse()) this.abandon(module);
      throw error;
    };
    try {
      const result = next(0);
      return result instanceof NativePromise ? result.then(undefined, giveBack) : result;
    } catch (error) {
      return giveBack(error);
    }
  }

  /** load(), with any failure of an async init reported to the caller: for loadModule. */
  loadWhenReady(name: string, options: { version?: string }): Promise<void> | void {
    const result = this.load(name, options);
    if (result instanceof NativePromise) return result.then(() => undefined);
  }

  /**
   * Loads `record` beside the loaded version of its module (for a swap): not in the table. What
   * staging loads for it is in its `broughtIn`, given back if the swap rolls back (abandon).
   */
  stage(record: ModuleRecord): LoadedModule {
    const dependencies = this.#resolve(record, []).slice(0, -1);
    // The common case, every dependency loaded and its init over: nothing to bring in, wait for or give back.
    if (dependencies.every((dependency) => this.modules.get(dependency.name)?.ready === null)) return this.#loadOne(record, false);
    const before = new Set(this.modules.values());
    const brought = () => [...this.modules.values()].filter((module) => !before.has(module));
    try {
      for (const dependency of dependencies) this.loadNow(dependency.name, { version: dependency.version, onDemand: true });
      const loadedForIt = brought();
      const fresh = this.#loadOne(record, false);
      fresh.broughtIn.unshift(...loadedForIt);
      return fresh;
    } catch (error) {
      for (const module of brought().reverse()) this.abandon(module);
      throw error;
    }
  }

  /**
   * load() for callers that cannot wait (requestModule, staging): a module whose init is still
   * running is refused. Modules it loaded are recorded as brought in by `requester` while that
   * one's init runs, so that they are given back if that init fails.
   */
  loadNow(name: string, options: { version?: string; onDemand?: boolean }, requester?: LoadedModule): LoadedModule {
    const before = new Set(this.modules.values());
    const loaded = this.load(name, options);
    if (requester?.state === 'Loading') requester.broughtIn.push(...[...this.modules.values()].filter((module) => !before.has(module)));
    if (loaded instanceof NativePromise) {
      loaded.then(undefined, () => {});
      throw new ModuleError(`${name} is not ready: its init has not finished`);
    }
    return loaded;
  }

  /** Dependency order for `record`: dependencies first, each once. */
  #resolve(record: ModuleRecord, chain: string[]): ModuleRecord[] {
    if (chain.includes(record.name)) throw new ModuleError(`dependency cycle: ${[...chain, record.name].join(' -> ')}`);
    const order: ModuleRecord[] = [];
    for (const dependency of record.depends) {
      const loaded = this.modules.get(dependency);
      const dependencyRecord = loaded?.record ?? this.#kernel.records.find(dependency, undefined, record.name);
      for (const item of this.#resolve(dependencyRecord, [...chain, record.name])) if (!order.includes(item)) order.push(item);
    }
    order.push(record);
    return order;
  }

  #loadOne(record: ModuleRecord, register = true): LoadedModule {
    const { frames, machine, memory } = this.#kernel;
    const module = loadedModule(record, frames.createOwner('text', record.name), frames.createOwner('data', record.name));
    if (register) this.modules.set(record.name, module);
    machine.watchdog.name(module.id, record.name);
    try {
      const bundle = this.#kernel.records.sourceOf(record).bundle(record);
      // Its frames are sized by the record: a bundle of another size must not be copied into them.
      if (bundle.length !== record.size) throw new ModuleError(`${record.path} is ${bundle.length} bytes, the index says ${record.size}`);
      const first = frames.allocate(framesFor(record.size), module.textOwner);
      const start = first * FRAME_SIZE;
      memory.set(bundle, start);
      const text = memory.subarray(start, start + record.size);
      const sha256 = machine.crypto.sha256(text);
      if (sha256 !== record.sha256) throw new ModuleError(`${record.path}: sha256 does not match the index`);
      if (!machine.crypto.verify(this.#kernel.signingKey, encodeUtf8(signedText(record)), record.signature ?? '')) {
        const failure = 'module verification failed: signature and/or required key missing';
        if (this.#kernel.params.get('module.sig_enforce') === '1') throw new ModuleError(failure);
        this.#kernel.tainted.add(record.name);
        this.#kernel.log.printk(`${record.name}: ${failure} - tainting kernel`, 'warn');
      }
      const initialized = this.#link(module, decodeUtf8(text));
      if (initialized instanceof NativePromise) {
        module.ready = initialized.then(
          () => {
            // Given back while its init ran (by a load that could not wait for it): it stays gone,
            // and its kernel API keeps refusing whatever of its code runs on.
            if (module.state !== 'Loading') throw new ModuleError(`${record.name}: given back before its init finished`);
            return this.#live(module);
          },
          (error) => {
            module.ready = null;
            oops(module, error, 'init');
            this.abandon(module);
            throw new ModuleError(`${record.name}: init failed: ${messageOf(error)}`);
          },
        );
        // Whoever waits for it hears of a failure; nobody waiting must not be an unhandled rejection.
        module.ready.then(undefined, (error) => this.#kernel.log.printk(`keel: ${messageOf(error)}`));
      } else this.#live(module);
      return module;
    } catch (error) {
      this.abandon(module);
      throw error instanceof ModuleError ? error : new ModuleError(`${record.name}: ${messageOf(error)}`);
    }
  }

  #live(module: LoadedModule): LoadedModule {
    module.ready = null;
    module.state = 'Live';
    this.#kernel.log.printk(`keel: loaded ${module.name} ${module.record.version}`);
    publishModuleEvent(this.#kernel, 'loaded', module);
    return module;
  }

  /** Compiles the module's code, runs it with its imports resolved to stubs, then its init (whose result it returns). */
  #link(module: LoadedModule, source: string): unknown {
    const { record } = module;
    const factory = new Function('require', 'module', 'exports', `${source}\n//# sourceURL=${sourceUrl(record)}`);
    module.codeObjects.push(factory);
    // The module's require is compiled text (a function of the loader would keep this core alive in any module that keeps its require): it asks requireFrom through the GOT, which compiles the module's PLT at its first import.
    const require = requireFor(module, this.#kernel.got);
    const commonjs = { exports: {} as Record<string, unknown> };
    runAs(module, () => factory(require, commonjs, commonjs.exports));
    const exports = commonjs.exports;
    module.exportsSlot.target = exports;
    for (const symbol of Object.keys(exports)) {
      const value = exports[symbol];
      if (typeof value === 'function' && !KERNEL_HOOKS.has(symbol)) module.exportSlots.set(symbol, { target: value, owner: module, symbol });
      if (Object(value) === value) module.codeObjects.push(value as object);
    }
    if (typeof exports.exit === 'function') module.exit = exports.exit as () => unknown;
    module.permanent = module.exit === null;
    if (typeof exports.init !== 'function') return undefined;
    try {
      return runAs(module, exports.init as () => unknown, 'init');
    } catch (error) {
      throw new ModuleError(`${record.name}: init failed: ${messageOf(error)}`);
    }
  }

  /**
   * What `require(specifier)` gives `module`'s code: a namespace of stubs for a `keel:*` module
   * it depends on, its own keel:kernel object for `keel:kernel` (a dependency like any other: its
   * users are its importers). A symbol the loaded version does not export is refused.
   */
  requireFrom(module: LoadedModule, specifier: unknown): unknown {
    const { record } = module;
    const name = typeof specifier === 'string' && specifier.startsWith('keel:') ? specifier.slice(5) : undefined;
    const dependency = name === undefined ? undefined : this.modules.get(name);
    if (!dependency || !record.depends.includes(name!)) throw new ModuleError(`${record.name}: cannot import ${String(specifier)}`);
    const missing = dependency !== this.#kernel.self && record.imports[name!]?.find((symbol) => symbol !== '*' && !dependency.record.exports.includes(symbol));
    if (missing) throw new ModuleError(`${record.name}: ${name} ${dependency.record.version} does not export ${missing}`);
    if (!module.dependencies.includes(dependency)) module.dependencies.push(dependency);
    dependency.users.add(module);
    return dependency === this.#kernel.self ? this.kernelApi(module) : createNamespace(module, dependency);
  }
}
