/*
 * A heap snapshot of the calling thread's own isolate, read as it streams in.
 *
 *   const snapshot = takeHeapSnapshot();      // null when the inspector cannot be used
 *   snapshot.nodes, snapshot.edges            // flat arrays, as snapshot.meta describes them
 *
 * node's inspector works in any thread: a Session connected in a worker is that worker's
 * isolate, and the snapshot arrives synchronously, in chunks of JSON text
 * (HeapProfiler.addHeapSnapshotChunk). The text is never joined: each chunk is scanned as it
 * comes, the numbers of `nodes` and `edges` written into typed arrays sized from the header, and
 * only the `strings` section is kept as text until the end. So the peak is the arrays and the
 * strings, about half the text, rather than the text and a parse of it (several times it).
 *
 * The format is V8's (.heapsnapshot, what Chrome DevTools and memlab read): `snapshot.meta`
 * names the node fields (type, name, id, self_size, edge_count, ...) and edge fields (type,
 * name_or_index, to_node), each node's edges follow the previous node's in `edges`, and
 * `to_node` is an index into `nodes` (a multiple of the node field count).
 */
import inspector from 'node:inspector';

export interface HeapSnapshot {
  nodeFields: string[];
  nodeTypes: string[];
  edgeFields: string[];
  edgeTypes: string[];
  /** node_count × nodeFields.length numbers (ids can pass 2^32: doubles). */
  nodes: Float64Array;
  /** edge_count × edgeFields.length numbers. */
  edges: Uint32Array;
  strings: string[];
  /** Length of the snapshot's JSON text. */
  textLength: number;
}

interface SnapshotHeader {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
    node_count: number;
    edge_count: number;
  };
}

const ZERO = 48;
const NINE = 57;
const CLOSE = 93; // ]

/** Reads the snapshot's JSON text chunk by chunk (exported for its unit test). */
export class SnapshotReader {
  #phase: 'header' | 'nodes' | 'seek-edges' | 'edges' | 'seek-strings' | 'strings' = 'header';
  #pending = '';
  #stringsText: string[] = [];
  #header: SnapshotHeader | null = null;
  #nodes = new Float64Array(0);
  #edges = new Uint32Array(0);
  #count = 0;
  #number = -1;
  #textLength = 0;

  push(chunk: string): void {
    this.#textLength += chunk.length;
    if (this.#phase === 'strings') return void this.#stringsText.push(chunk);
    let text = this.#pending + chunk;
    this.#pending = '';
    while (text.length > 0) {
      if (this.#phase === 'nodes' || this.#phase === 'edges') {
        const used = this.#scanNumbers(text);
        text = text.slice(used);
        continue;
      }
      const marker = this.#phase === 'header' ? '"nodes":[' : this.#phase === 'seek-edges' ? '"edges":[' : '"strings":[';
      const at = text.indexOf(marker);
      if (at < 0) {
        // The header is kept whole; in the sections skipped, only what could begin the marker.
        this.#pending = this.#phase === 'header' ? text : text.slice(-marker.length);
        return;
      }
      if (this.#phase === 'header') this.#readHeader(text.slice(0, at));
      text = text.slice(at + marker.length);
      if (this.#phase === 'header') this.#phase = 'nodes';
      else if (this.#phase === 'seek-edges') this.#phase = 'edges';
      else {
        this.#phase = 'strings';
        this.#stringsText.push('[', text);
        return;
      }
      this.#count = 0;
    }
  }

  finish(): HeapSnapshot {
    if (this.#phase !== 'strings' || !this.#header) throw new Error('heap snapshot ended early');
    const text = this.#stringsText.join('');
    this.#stringsText = [];
    const strings = JSON.parse(text.slice(0, text.lastIndexOf(']') + 1)) as string[];
    const { meta } = this.#header.snapshot;
    return {
      nodeFields: meta.node_fields, nodeTypes: meta.node_types[0], edgeFields: meta.edge_fields, edgeTypes: meta.edge_types[0],
      nodes: this.#nodes, edges: this.#edges, strings, textLength: this.#textLength,
    };
  }

  #readHeader(text: string): void {
    const header = JSON.parse(`${text.trimEnd().replace(/,$/, '')}}`) as SnapshotHeader;
    const { meta, node_count: nodeCount, edge_count: edgeCount } = header.snapshot;
    this.#header = header;
    this.#nodes = new Float64Array(nodeCount * meta.node_fields.length);
    this.#edges = new Uint32Array(edgeCount * meta.edge_fields.length);
  }

  /** Numbers of the current array, up to its `]`; returns how much of `text` it took. */
  #scanNumbers(text: string): number {
    const into = this.#phase === 'nodes' ? this.#nodes : this.#edges;
    let number = this.#number;
    let count = this.#count;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code >= ZERO && code <= NINE) {
        number = (number < 0 ? 0 : number * 10) + code - ZERO;
        continue;
      }
      if (number >= 0) into[count++] = number;
      number = -1;
      if (code === CLOSE) {
        this.#number = -1;
        this.#count = count;
        this.#phase = this.#phase === 'nodes' ? 'seek-edges' : 'seek-strings';
        return index + 1;
      }
    }
    this.#number = number;
    this.#count = count;
    return text.length;
  }
}

/** A snapshot of this thread's isolate (it collects garbage first, as every snapshot does); null if no inspector session can be had. */
export function takeHeapSnapshot(): HeapSnapshot | null {
  const session = new inspector.Session();
  const reader = new SnapshotReader();
  let failed = false;
  try {
    session.connect();
    session.on('HeapProfiler.addHeapSnapshotChunk', (message) => reader.push(message.params.chunk));
    // A session in the thread it inspects answers synchronously: every chunk has come when post returns.
    session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, (error) => (failed = error !== null));
    return failed ? null : reader.finish();
  } catch {
    return null;
  } finally {
    session.disconnect();
  }
}
