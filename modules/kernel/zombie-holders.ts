/*
 * Who holds a zombie: the kernel's reading, in module terms, of the chains of references the
 * host's heap snapshot finds from a root to a zombie's code (HostDevice.heapRetainers).
 *
 *   const reports = await explainZombies(kernel, [code]);   // the core hands this to the reclaim monitor as findHolders
 *   reports[0].holder   // "held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)"
 *   reports[0].path     // every step from the root, one line each
 *
 * The host knows nothing of modules; it answers in V8's words: edges (a property, an element, a
 * closure's variable, an internal field) and nodes (an object's class, a function and its
 * script's URL). The kernel knows which script is which module's — module code is compiled as
 * `keel:lib/modules/<name>/<version>.js`, each module's PLT as `keel:plt/<name>/<version>.js` —
 * and hands the host landmarks, objects it can name: every loaded module's record in its table
 * and its exports, the kernel's tables, core and GOT, the realm's global object. The holder is
 * what stands nearest the zombie's code on the shortest path: a function of another module (its
 * closure variables are that module's state), a landmark, the kernel's own code, or, failing
 * all of them, the host. The rest of the path is said from there, as code would reach it.
 *
 * The zombie's code objects are taken from its WeakRefs one machine timer before the snapshot:
 * V8 keeps what a WeakRef gave out alive until the current task ends, a root that would stand
 * between the zombie and its real holder.
 */
import type { HeapNodeInfo, HeapPathStep, MachineInterface } from '../../emulator/machine-interface.ts';
import type { LoadedModule } from './loaded-module.ts';
import { labelOf, type HolderReport, type UnloadedCode } from './reclaim-monitor.ts';

/** What the kernel reads to name holders: the core (which is this) and what it holds. */
export interface HolderSource {
  readonly machine: MachineInterface;
  readonly tables: { readonly modules: ReadonlyMap<string, LoadedModule> };
  readonly self: LoadedModule;
  readonly got: object;
}

type Landmark = { kind: 'global' } | { kind: 'record' | 'exports'; module: LoadedModule } | { kind: 'kernel'; what: string };

const MODULE_SCRIPT = /^keel:lib\/modules\/([a-z0-9-]+)\/([^/]+)\.js$/;
const PLT_SCRIPT = /^keel:plt\/([a-z0-9-]+)\/([^/]+)\.js$/;
/** The name the firmware compiles the base image under: the bootstrap's code, watched as `bootstrap` once it is freed. */
const BOOTSTRAP_SCRIPT = 'keel:boot.img';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** A dmesg line, and what the debug device carries, stays readable: a path longer than this is cut (zombies -v shows it whole). */
const LONGEST_HOLDER = 1000;

/** Finds the holder of each zombie: one snapshot for all of them, a machine timer after their code is taken from its WeakRefs. */
export function explainZombies(kernel: HolderSource, codes: UnloadedCode[]): Promise<HolderReport[]> {
  const targets: object[] = [];
  const ranges = codes.map((code) => {
    const start = targets.length;
    for (const reference of code.code) {
      const object = reference.deref();
      if (object !== undefined) targets.push(object);
    }
    return [start, targets.length] as const;
  });
  return new Promise((resolve) => {
    kernel.machine.timer.setTimer(() => {
      const landmarks = landmarksOf(kernel);
      const answer = targets.length === 0 ? undefined : kernel.machine.host.heapRetainers(targets, landmarks.map(([object]) => object));
      targets.length = 0;
      const names = new Namer(kernel, landmarks.map(([, landmark]) => landmark));
      resolve(codes.map((code, index) => {
        if (answer === null) return unknown(code, 'the host cannot take a heap snapshot (no inspector)');
        const [start, end] = ranges[index]!;
        if (!answer || start === end) return unknown(code, 'its code was collected while the kernel looked');
        const paths = answer.paths.slice(start, end).filter((path): path is HeapPathStep[] => path !== null);
        if (paths.length === 0) return { ...unknown(code, 'nothing holds its code any more: the host collects it next'), unreachable: true };
        return names.report(code, paths.reduce((shortest, path) => (path.length < shortest.length ? path : shortest)));
      }));
    }, 0);
  });
}

const unknown = (code: UnloadedCode, why: string): HolderReport => ({ code, holder: `holder unknown: ${why}`, path: [] });

function landmarksOf(kernel: HolderSource): Array<[object, Landmark]> {
  const landmarks: Array<[object, Landmark]> = [[globalThis, { kind: 'global' }], [kernel, { kind: 'kernel', what: 'core' }], [kernel.tables, { kind: 'kernel', what: 'tables' }], [kernel.got, { kind: 'kernel', what: 'GOT' }]];
  for (const module of kernel.tables.modules.values()) {
    landmarks.push([module, { kind: 'record', module }]);
    const exports = module.exportsSlot.target;
    if (exports !== null && typeof exports === 'object') landmarks.push([exports, { kind: 'exports', module }]);
  }
  return landmarks;
}

/** What the kernel can say of a node: whose code a function is. */
interface Owner {
  /** "zholder 1.0.0", "the kernel 1.1.0", "zgiver 1.0.0's PLT", "the host" */
  who: string;
  /** Its code is the zombie's own. */
  own: boolean;
  /** Its module is loaded at that version (or it is the host's). */
  live: boolean;
}

class Namer {
  constructor(
    readonly kernel: HolderSource,
    readonly landmarks: Landmark[],
  ) {}

  report(code: UnloadedCode, path: HeapPathStep[]): HolderReport {
    // A function of other unloaded code (a chain through a module unloaded too) is passed over for the live module that keeps it, if there is one.
    let at = path.length - 2;
    while (at >= 0 && !this.#names(path[at]!.node, code, false)) at--;
    if (at < 0) for (at = path.length - 2; at >= 0 && !this.#names(path[at]!.node, code, true); ) at--;
    const landmark = at < 0 ? undefined : this.landmarks[path[at]!.node.landmark ?? -1];
    const holder = at < 0 ? `the host: ${this.#nodeWords(path[0]!.node)}` : landmark?.kind === 'exports' ? this.#moduleWords(landmark.module.name, landmark.module.record.version) : this.#holderOf(path[at]!.node);
    // The path ends at the zombie's own code: the first of its functions reached from the holder.
    let end = at + 1;
    while (end < path.length - 1 && !this.#isOwn(path[end]!.node, code)) end++;
    const rest = this.#render(path.slice(at + 1, end + 1), landmark?.kind === 'exports' ? 'exports' : '', code);
    const separator = landmark?.kind === 'global' ? ' ' : ': ';
    const line = `held by ${holder}${rest ? `${separator}${rest}` : ''}`;
    return { code, holder: line.length > LONGEST_HOLDER ? `${line.slice(0, LONGEST_HOLDER - 1)}…` : line, path: path.map((step) => `${this.#edgeWords(step)} -> ${this.#nodeWords(step.node)}`) };
  }

  /** Whether the kernel can name this node as a holder (not the zombie's own code). */
  #names(node: HeapNodeInfo, code: UnloadedCode, unloaded: boolean): boolean {
    if (node.landmark !== undefined) return true;
    if (node.type !== 'closure' || node.script === undefined || this.#isOwn(node, code)) return false;
    return unloaded || this.#owner(node.script).live;
  }

  #isOwn(node: HeapNodeInfo, code: UnloadedCode): boolean {
    return node.type === 'closure' && node.script !== undefined && this.#owner(node.script, code).own;
  }

  #owner(script: string, code?: UnloadedCode): Owner {
    const module = MODULE_SCRIPT.exec(script);
    if (module) {
      const [, name, version] = module as unknown as [string, string, string];
      return { who: this.#moduleWords(name, version), own: code !== undefined && name === code.name && version === code.version, live: this.#isLoaded(name, version) };
    }
    const plt = PLT_SCRIPT.exec(script);
    if (plt) return { who: `${this.#moduleWords(plt[1]!, plt[2]!)}'s PLT`, own: false, live: this.#isLoaded(plt[1]!, plt[2]!) };
    if (script === BOOTSTRAP_SCRIPT) return { who: 'the bootstrap', own: code?.name === 'bootstrap', live: false };
    // The machine's other code compiled in the realm: the error classes, made once and handed from core to core.
    if (script.startsWith('keel:')) return { who: `the kernel (${script})`, own: false, live: true };
    return { who: `the host (${script.slice(script.lastIndexOf('/') + 1)})`, own: false, live: true };
  }

  #isLoaded(name: string, version: string): boolean {
    return this.kernel.tables.modules.get(name)?.record.version === version;
  }

  /** "zholder 1.0.0", "the kernel 1.1.0", or "kv 1.0.0 (unloaded)" when that version is not the loaded one. */
  #moduleWords(name: string, version: string): string {
    const live = this.#isLoaded(name, version);
    if (name === this.kernel.self.name) return live ? `the kernel ${version}` : `kernel ${version} (replaced)`;
    return live ? `${name} ${version}` : `${name} ${version} (unloaded)`;
  }

  #holderOf(node: HeapNodeInfo): string {
    const landmark = node.landmark === undefined ? undefined : this.landmarks[node.landmark];
    if (!landmark) return node.type === 'closure' && node.script ? this.#owner(node.script).who : this.#nodeWords(node);
    if (landmark.kind === 'global') return 'global';
    if (landmark.kind === 'kernel') return `the kernel ${this.kernel.self.record.version} (its ${landmark.what})`;
    const module = `${landmark.module.name} ${landmark.module.record.version}`;
    return landmark.kind === 'exports' ? `${module}: exports` : `the kernel, in its table of ${module}`;
  }

  /** The steps from the holder on, as code would reach them: kept[0].callback, state → handler, .get('key'). */
  #render(steps: HeapPathStep[], prefix: string, code: UnloadedCode): string {
    let text = prefix;
    let first = prefix === '';
    const add = (part: string) => {
      text += first ? part.replace(/^\.| → /, '') : part;
      first = false;
    };
    let collection = '';
    const ownerWords = (node: HeapNodeInfo) => (this.#isOwn(node, code) ? labelOf(code) : this.#owner(node.script ?? '').who);
    for (const [index, step] of steps.entries()) {
      const { edgeType, edgeName } = step;
      // An object whose class is the code: said as such, not as its prototype's constructor.
      const next = steps[index + 1];
      if (edgeName === '__proto__' && next?.edgeName === 'constructor' && index + 2 === steps.length && next.node.type === 'closure') {
        add(` (an object of class ${next.node.name || '(anonymous)'} of ${ownerWords(next.node)})`);
        break;
      }
      // A closure's context, and the scopes around it: the variables are named on the next step.
      if (edgeType === 'internal' && (edgeName === 'context' || edgeName === 'previous')) continue;
      if (edgeType === 'internal' && (edgeName === 'table' || edgeName === 'map')) {
        // A Map's or Set's entries are in its table: the next step is one of them.
        collection = edgeName === 'table' ? (steps[index - 1]?.node.name ?? '') : '';
        continue;
      }
      if (edgeType === 'context') add(` → ${edgeName}`);
      else if (edgeType === 'property') add(IDENTIFIER.test(edgeName) ? `.${edgeName}` : `[${JSON.stringify(edgeName)}]`);
      else if (edgeType === 'element') add(`[${edgeName}]`);
      else if (step.mapKey) add(`.get(${step.mapKey.type === 'string' ? JSON.stringify(step.mapKey.name) : `a ${step.mapKey.name}`})`);
      else if (edgeType === 'internal' && /^\d+$/.test(edgeName) && (collection === 'Map' || collection === 'Set')) add(` (a ${collection} entry)`);
      else if (edgeName.includes('part of key')) add(' → (its value in a WeakMap)');
      else if (edgeName === 'constructor' || edgeName === 'constructor_or_back_pointer') add('.constructor');
      else if (edgeName === 'bound_target_function' || edgeName === 'bound_this') add(` → (${edgeName.replaceAll('_', ' ')})`);
      else add(` → (${edgeType} ${edgeName})`);
      const last = index === steps.length - 1;
      if (step.node.type === 'closure' && step.node.script) add(` (a function of ${ownerWords(step.node)})`);
      else if (last) add(` (${this.#nodeWords(step.node)})`);
    }
    return text;
  }

  #edgeWords({ edgeType, edgeName, mapKey }: HeapPathStep): string {
    return `${edgeType} ${edgeName}${mapKey ? ` (key ${mapKey.type === 'string' ? JSON.stringify(mapKey.name) : mapKey.name})` : ''}`;
  }

  #nodeWords(node: HeapNodeInfo): string {
    const landmark = node.landmark === undefined ? '' : ` [${this.#holderOf(node)}]`;
    if (node.type === 'closure') return `function ${node.name || '(anonymous)'}${node.script ? ` of ${this.#owner(node.script).who}` : ''}${landmark}`;
    if (node.type === 'string') return `string ${JSON.stringify(node.name)}`;
    return `${node.type} ${node.name || '(unnamed)'}${landmark}`;
  }
}
