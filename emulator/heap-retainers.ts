/*
 * What keeps objects alive: for each object asked about, the shortest chain of references from
 * a garbage-collection root to it, read from a heap snapshot of this thread (heap-snapshot.ts).
 *
 *   const answer = heapRetainers(targets, landmarks);   // null when no snapshot can be taken
 *   answer.paths[i]   // steps from a root to targets[i], or null when no root reaches it
 *
 * The caller names objects two ways, and the host knows nothing else of them: `targets`, the
 * objects to explain, and `landmarks`, objects whose steps it wants marked (`landmark: index`),
 * so that it can say in its own terms what a step is. Both arrays are held, during the snapshot,
 * by a probe object of a class of this file, which the snapshot shows by name: its edges say
 * which snapshot node each object is. The probe and the two arrays are left out of the search
 * (they hold the targets only because they were asked about), and so are the roots that hold
 * what the current call holds — the stack and the handle scopes — since the caller's own frames
 * hold the targets too.
 *
 * The search is Chrome DevTools' and memlab's: a breadth-first walk from the snapshot's root
 * over every edge but weak ones, each node remembering the edge it was first reached by, so
 * that following those edges back from a target gives a shortest path (memlab's retainer
 * trace). Each step says the edge (type: property, element, context — a closure variable —,
 * internal, hidden, shortcut; and its name or index) and the node reached (type, name: a
 * constructor's or function's name, a string's text; for a function, its script's URL; for a
 * value of a Map, the key it is stored under).
 */
import { takeHeapSnapshot, type HeapSnapshot } from './heap-snapshot.ts';
import type { HeapNodeInfo, HeapPathStep, HeapRetainers } from './machine-interface.ts';

/** What holds the targets and landmarks while the snapshot is taken: found by its class's name. */
class HeapRetainersProbe {
  constructor(
    readonly targets: object[],
    readonly landmarks: object[],
  ) {}
}

let probe: HeapRetainersProbe | null = null;

/** Roots that hold what the running call holds. */
const TRANSIENT_ROOTS = new Set(['(Stack roots)', '(Handle scope)']);
const LONGEST_NAME = 80;

export function heapRetainers(targets: object[], landmarks: object[]): HeapRetainers | null {
  probe = new HeapRetainersProbe(targets, landmarks);
  const snapshot = takeHeapSnapshot();
  probe = null;
  return snapshot && new RetainerSearch(snapshot).answer(targets.length);
}

class RetainerSearch {
  readonly #snapshot: HeapSnapshot;
  readonly #nodeFieldCount: number;
  readonly #edgeFieldCount: number;
  readonly #firstEdge: Uint32Array;
  /** For each node, the edge it was first reached by (an index into edges), or NONE. */
  readonly #reachedBy: Uint32Array;
  readonly #from: Uint32Array;
  readonly #landmarks = new Map<number, number>();
  readonly #targets: number[] = [];

  constructor(snapshot: HeapSnapshot) {
    this.#snapshot = snapshot;
    this.#nodeFieldCount = snapshot.nodeFields.length;
    this.#edgeFieldCount = snapshot.edgeFields.length;
    const nodeCount = snapshot.nodes.length / this.#nodeFieldCount;
    const edgeCountField = snapshot.nodeFields.indexOf('edge_count');
    this.#firstEdge = new Uint32Array(nodeCount + 1);
    for (let node = 0, edge = 0; node < nodeCount; node++) {
      this.#firstEdge[node] = edge;
      edge += snapshot.nodes[node * this.#nodeFieldCount + edgeCountField]! * this.#edgeFieldCount;
      this.#firstEdge[node + 1] = edge;
    }
    this.#reachedBy = new Uint32Array(nodeCount).fill(NONE);
    this.#from = new Uint32Array(nodeCount);
  }

  answer(targetCount: number): HeapRetainers {
    const excluded = this.#findProbe();
    this.#walk(excluded);
    const paths = Array.from({ length: targetCount }, (_, index) => {
      const target = this.#targets[index];
      return target === undefined ? null : this.#pathTo(target);
    });
    return { paths, snapshotBytes: this.#snapshot.textLength, nodeCount: this.#firstEdge.length - 1 };
  }

  #type = (node: number) => this.#snapshot.nodeTypes[this.#snapshot.nodes[node * this.#nodeFieldCount]!]!;
  #name = (node: number) => this.#snapshot.strings[this.#snapshot.nodes[node * this.#nodeFieldCount + 1]!]!;
  #id = (node: number) => this.#snapshot.nodes[node * this.#nodeFieldCount + 2]!;
  #selfSize = (node: number) => this.#snapshot.nodes[node * this.#nodeFieldCount + 3]!;
  #edgeType = (edge: number) => this.#snapshot.edgeTypes[this.#snapshot.edges[edge]!]!;
  #edgeTarget = (edge: number) => this.#snapshot.edges[edge + 2]! / this.#nodeFieldCount;

  #edgeName(edge: number): string {
    const type = this.#edgeType(edge);
    const value = this.#snapshot.edges[edge + 1]!;
    return type === 'element' || type === 'hidden' ? String(value) : this.#snapshot.strings[value]!;
  }

  /** The node an edge of `node` named `name` leads to, or undefined. */
  #child(node: number, name: string): number | undefined {
    for (let edge = this.#firstEdge[node]!; edge < this.#firstEdge[node + 1]!; edge += this.#edgeFieldCount) {
      if (this.#edgeName(edge) === name) return this.#edgeTarget(edge);
    }
    return undefined;
  }

  /** Finds the probe (the newest, should an older one not be collected yet), reads targets and landmarks off it; returns the nodes the walk leaves out. */
  #findProbe(): Set<number> {
    let found = -1;
    const nodeCount = this.#firstEdge.length - 1;
    for (let node = 0; node < nodeCount; node++) {
      if (this.#name(node) === HeapRetainersProbe.name && this.#type(node) === 'object' && (found < 0 || this.#id(node) > this.#id(found))) found = node;
    }
    const excluded = new Set<number>();
    if (found < 0) return excluded;
    excluded.add(found);
    const elements = (array: number | undefined, each: (index: number, node: number) => void) => {
      if (array === undefined) return;
      excluded.add(array);
      for (let edge = this.#firstEdge[array]!; edge < this.#firstEdge[array + 1]!; edge += this.#edgeFieldCount) {
        if (this.#edgeType(edge) === 'element') each(Number(this.#edgeName(edge)), this.#edgeTarget(edge));
      }
    };
    elements(this.#child(found, 'targets'), (index, node) => (this.#targets[index] = node));
    elements(this.#child(found, 'landmarks'), (index, node) => this.#landmarks.set(node, index));
    return excluded;
  }

  #walk(excluded: Set<number>): void {
    const queue = new Uint32Array(this.#reachedBy.length);
    let head = 0;
    let tail = 0;
    queue[tail++] = 0;
    this.#reachedBy[0] = ROOT;
    while (head < tail) {
      const node = queue[head++]!;
      if (excluded.has(node) || (this.#type(node) === 'synthetic' && TRANSIENT_ROOTS.has(this.#name(node)))) continue;
      for (let edge = this.#firstEdge[node]!; edge < this.#firstEdge[node + 1]!; edge += this.#edgeFieldCount) {
        if (this.#edgeType(edge) === 'weak') continue;
        const next = this.#edgeTarget(edge);
        if (this.#reachedBy[next] !== NONE) continue;
        this.#reachedBy[next] = edge;
        this.#from[next] = node;
        queue[tail++] = next;
      }
    }
  }

  #pathTo(target: number): HeapPathStep[] | null {
    if (this.#reachedBy[target] === NONE) return null;
    const steps: HeapPathStep[] = [];
    for (let node = target; this.#reachedBy[node] !== ROOT; node = this.#from[node]!) {
      const edge = this.#reachedBy[node]!;
      const step: HeapPathStep = { edgeType: this.#edgeType(edge), edgeName: this.#edgeName(edge), node: this.#describe(node) };
      const key = this.#mapKey(this.#from[node]!, step);
      if (key !== undefined) step.mapKey = this.#describe(key);
      steps.push(step);
    }
    return steps.reverse();
  }

  #describe(node: number): HeapNodeInfo {
    const info: HeapNodeInfo = { type: this.#type(node), name: this.#name(node).slice(0, LONGEST_NAME) };
    // A realm's global object is named by its global proxy, which is what code of the realm sees as globalThis.
    const proxy = this.#child(node, 'global_proxy');
    const landmark = this.#landmarks.get(node) ?? (proxy === undefined ? undefined : this.#landmarks.get(proxy));
    if (landmark !== undefined) info.landmark = landmark;
    if (info.type === 'closure') {
      const shared = this.#child(node, 'shared');
      const script = shared === undefined ? undefined : this.#child(shared, 'script_or_debug_info') ?? this.#child(shared, 'script');
      const url = script === undefined ? undefined : this.#scriptUrl(script);
      if (url) info.script = url;
    }
    return info;
  }

  /** A script's name, or else its sourceURL: the one string it holds that is a single word (its source has spaces). */
  #scriptUrl(script: number): string | undefined {
    if (this.#name(script)) return this.#name(script);
    for (let edge = this.#firstEdge[script]!; edge < this.#firstEdge[script + 1]!; edge += this.#edgeFieldCount) {
      const child = this.#edgeTarget(edge);
      if (this.#type(child) === 'string' && /^\S+$/.test(this.#name(child))) return this.#name(child);
    }
    return undefined;
  }

  /**
   * The key node of a Map entry whose value the step reached, from V8's OrderedHashMap layout:
   * three counts, the buckets, then (key, value, chain) per entry; the table's length follows
   * from its size (a 16-byte header, 8 bytes a field), the bucket count from its length
   * (3 + buckets + 2 × buckets × 3). A key that is a small integer is no node: undefined.
   */
  #mapKey(table: number, step: HeapPathStep): number | undefined {
    if (step.edgeType !== 'internal' || !/^\d+$/.test(step.edgeName) || this.#reachedBy[table] === NONE || this.#reachedBy[table] === ROOT) return undefined;
    const owner = this.#from[table]!;
    if (this.#edgeName(this.#reachedBy[table]!) !== 'table' || this.#name(owner) !== 'Map') return undefined;
    const length = (this.#selfSize(table) - 16) / 8;
    const buckets = (length - 3) / 7;
    const index = Number(step.edgeName);
    if (!Number.isInteger(buckets) || (index - 3 - buckets) % 3 !== 1) return undefined;
    return this.#child(table, String(index - 1));
  }
}

const NONE = 0xffffffff;
const ROOT = 0xfffffffe;
