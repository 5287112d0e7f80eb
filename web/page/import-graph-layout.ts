/*
 * Where the import graph puts its nodes: a module that imports nothing loaded sits in the left
 * column, and each other module one column right of the deepest module it imports, so every
 * import edge points left; within a column, modules keep the table's order. Holds (a user that
 * does not import the module: the shell during a `call`) are edges too, marked as such. No DOM.
 */
import type { ModuleRow } from '../protocol/messages.ts';

export const NODE_WIDTH = 116;
export const NODE_HEIGHT = 26;
export const COLUMN_GAP = 32;
export const ROW_GAP = 10;

export interface GraphNode {
  row: ModuleRow;
  column: number;
  x: number;
  y: number;
}

export interface GraphEdge {
  from: GraphNode;
  to: GraphNode;
  /** A user that holds the module rather than importing it. */
  hold: boolean;
}

export function importGraphLayout(rows: readonly ModuleRow[]): { nodes: GraphNode[]; edges: GraphEdge[]; width: number; height: number } {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const columns = new Map<number, number>();
  const columnOf = (row: ModuleRow, path: Set<number>): number => {
    const known = columns.get(row.id);
    if (known !== undefined) return known;
    if (path.has(row.id)) return 0;
    path.add(row.id);
    const imported = row.imports.map((id) => byId.get(id)).filter((other) => other !== undefined);
    const column = imported.length === 0 ? 0 : 1 + Math.max(...imported.map((other) => columnOf(other, path)));
    path.delete(row.id);
    columns.set(row.id, column);
    return column;
  };
  const filled = new Map<number, number>();
  const nodes = rows.map((row) => {
    const column = columnOf(row, new Set());
    const index = filled.get(column) ?? 0;
    filled.set(column, index + 1);
    return { row, column, x: column * (NODE_WIDTH + COLUMN_GAP), y: index * (NODE_HEIGHT + ROW_GAP) };
  });
  const nodeOf = new Map(nodes.map((node) => [node.row.id, node]));
  const edges: GraphEdge[] = [];
  for (const node of nodes) {
    for (const id of node.row.imports) {
      const to = nodeOf.get(id);
      if (to) edges.push({ from: node, to, hold: false });
    }
    for (const id of node.row.users) {
      const from = nodeOf.get(id);
      if (from && !from.row.imports.includes(node.row.id)) edges.push({ from, to: node, hold: true });
    }
  }
  const width = Math.max(0, ...nodes.map((node) => node.x + NODE_WIDTH));
  const height = Math.max(0, ...nodes.map((node) => node.y + NODE_HEIGHT));
  return { nodes, edges, width, height };
}
