// The lineage graph as the main area draws it: a run's cells folded into the run's node,
// then a layered layout by dagre (ranks left to right, crossings reduced). Pure: unit tested.
import dagre from '@dagrejs/dagre';
import { nodeKey, shortId } from './format';
import { LineageEdge, LineageNode } from './types';

/** A node as drawn: its label, and for a run how many of its cells are folded into it. */
export interface GraphNode {
  kind: string;
  id: string;
  depth: number;
  label: string;
  folded: number;
  /** the cells a run holds in this graph (folded or not): what its badge toggles */
  cells: number;
}

export interface PlacedGraphNode extends GraphNode {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedGraphEdge {
  from: string;
  to: string;
  relation: string | null;
  points: { x: number; y: number }[];
}

export interface Layout {
  nodes: PlacedGraphNode[];
  edges: PlacedGraphEdge[];
  width: number;
  height: number;
}

export const NODE = { width: 212, height: 40 };
const LABEL = 32;
/** 16 or more hex digits in a row: a raw id, never shown as a label. */
const RAW_ID = /[0-9a-f]{16,}/i;

/** What a node shows: the server's ``label`` when it has one, else a short form of its id
 * (a run's 12-character prefix, a dataset's or cell's first 8 digits); never a raw id. */
export function graphLabel(node: { kind: string; id: string; label?: string | null }): string {
  const given = node.label?.trim();
  let text = given && !RAW_ID.test(given) ? given : '';
  if (!text) {
    if (node.kind === 'run' || node.kind === 'drift_report') {
      text = `${node.kind === 'run' ? 'run' : 'report'} ${shortId(node.id)}`;
    } else if (RAW_ID.test(node.id)) {
      text = `${node.kind} ${node.id.slice(0, 8)}`;
    } else {
      text = node.id;
    }
  }
  return text.length > LABEL ? `${text.slice(0, LABEL - 1)}…` : text;
}

/** The graph with each run's cells (``members``: cell event id → run id) folded into the
 * run's node, except the runs in ``expanded``; edges of folded cells move to their run
 * (without loops or repeats). Cells whose run is not in the graph stay as they are. */
export function foldCells(
  nodes: (LineageNode & { label?: string | null })[],
  edges: LineageEdge[],
  members: Map<string, string>,
  expanded: Set<string>
): { nodes: GraphNode[]; edges: { from: string; to: string; relation: string | null }[] } {
  const runs = new Set(nodes.filter(n => n.kind === 'run').map(n => n.id));
  const owner = (node: { kind: string; id: string }): string | undefined => {
    const run = node.kind === 'cell' ? members.get(node.id) : undefined;
    return run !== undefined && runs.has(run) ? run : undefined;
  };
  const into = new Map<string, string>(); // folded cell key → its run's key
  const count = new Map<string, number>();
  for (const node of nodes) {
    const run = owner(node);
    if (run !== undefined) {
      count.set(run, (count.get(run) ?? 0) + 1);
      if (!expanded.has(run)) {
        into.set(nodeKey(node), nodeKey({ kind: 'run', id: run }));
      }
    }
  }
  const shown: GraphNode[] = nodes
    .filter(n => !into.has(nodeKey(n)))
    .map(n => {
      const cells = n.kind === 'run' ? (count.get(n.id) ?? 0) : 0;
      return {
        kind: n.kind,
        id: n.id,
        depth: n.depth,
        label: graphLabel(n),
        cells,
        folded: expanded.has(n.id) ? 0 : cells
      };
    });
  const seen = new Set<string>();
  const moved = edges.flatMap(e => {
    const from = into.get(e.source.join('/')) ?? e.source.join('/');
    const to = into.get(e.target.join('/')) ?? e.target.join('/');
    const id = `${from}>${to}>${e.relation}`;
    if (from === to || seen.has(id)) {
      return [];
    }
    seen.add(id);
    return [{ from, to, relation: e.relation }];
  });
  return { nodes: shown, edges: moved };
}

/** Positions by dagre: ranks left to right (ancestors left), boxes of :data:`NODE`. */
export function layoutGraph(graph: ReturnType<typeof foldCells>): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  // tight-tree ranks: half the time of network-simplex on 200 nodes, layers as readable
  g.setGraph({
    rankdir: 'LR',
    ranker: 'tight-tree',
    nodesep: 14,
    ranksep: 56,
    marginx: 16,
    marginy: 16
  });
  g.setDefaultEdgeLabel(() => ({}));
  const byKey = new Map(graph.nodes.map(n => [nodeKey(n), n]));
  for (const key of byKey.keys()) {
    g.setNode(key, { width: NODE.width, height: NODE.height });
  }
  const edges = graph.edges.filter(e => byKey.has(e.from) && byKey.has(e.to));
  edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, String(i)));
  dagre.layout(g);
  const nodes = [...byKey.entries()].map(([key, n]) => {
    const box = g.node(key);
    return {
      ...n,
      key,
      x: box.x - NODE.width / 2,
      y: box.y - NODE.height / 2,
      width: NODE.width,
      height: NODE.height
    };
  });
  const label = g.graph();
  return {
    nodes,
    edges: edges.map((e, i) => ({
      ...e,
      points: (g.edge({ v: e.from, w: e.to, name: String(i) }).points ?? []).map(
        (p: { x: number; y: number }) => ({ x: p.x, y: p.y })
      )
    })),
    width: Math.max(NODE.width, label.width ?? 0),
    height: Math.max(NODE.height, label.height ?? 0)
  };
}
