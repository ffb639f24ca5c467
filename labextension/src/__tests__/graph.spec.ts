import { foldCells, graphLabel, layoutGraph, NODE } from '../graph';
import { LineageEdge, LineageNode } from '../types';

const RUN = '01a229defd3800002f12fe3cbdac95b2';
const CELL1 = '01a229df0b2400002f12fe3cbdac95b2';
const CELL2 = '01a229df1fce00002f12fe3cbdac95b2';
const DATA = 'b7a47d3c8caf2af48f9dbdfe853c326c';
const nodes: LineageNode[] = [
  { kind: 'model_version', id: 'churn:1', depth: 0, label: '' },
  { kind: 'run', id: RUN, depth: -1, label: '' },
  { kind: 'cell', id: CELL1, depth: -3, label: '' },
  { kind: 'cell', id: CELL2, depth: -2, label: '' },
  { kind: 'dataset', id: DATA, depth: -2, label: '' }
];
const edges: LineageEdge[] = [
  { source: ['cell', CELL1], target: ['dataset', DATA], relation: 'writes' },
  { source: ['dataset', DATA], target: ['cell', CELL2], relation: 'reads' },
  { source: ['cell', CELL2], target: ['model_version', 'churn:1'], relation: 'produced' },
  { source: ['run', RUN], target: ['model_version', 'churn:1'], relation: 'produced' }
];
const members = new Map([
  [CELL1, RUN],
  [CELL2, RUN]
]);

describe('graphLabel', () => {
  it('never shows a raw id', () => {
    expect(graphLabel({ kind: 'dataset', id: DATA })).toBe('dataset b7a47d3c');
    expect(graphLabel({ kind: 'run', id: RUN })).toBe('run 01a229defd38');
    expect(graphLabel({ kind: 'cell', id: CELL1, label: CELL1 })).toBe('cell 01a229df');
    expect(graphLabel({ kind: 'model_version', id: 'churn:1' })).toBe('churn:1');
  });
  it('prefers the server label, cut to fit the box', () => {
    expect(graphLabel({ kind: 'cell', id: CELL1, label: '#3 X = load()' })).toBe('#3 X = load()');
    expect(graphLabel({ kind: 'cell', id: CELL1, label: 'x'.repeat(40) })).toHaveLength(32);
  });
});

describe('foldCells', () => {
  it("folds a run's cells into its node and moves their edges", () => {
    const folded = foldCells(nodes, edges, members, new Set());
    expect(folded.nodes.map(n => n.kind).sort()).toEqual(['dataset', 'model_version', 'run']);
    expect(folded.nodes.find(n => n.kind === 'run')?.folded).toBe(2);
    const pairs = folded.edges.map(e => `${e.from}>${e.to}`);
    expect(pairs).toContain(`run/${RUN}>dataset/${DATA}`);
    expect(pairs).toContain(`dataset/${DATA}>run/${RUN}`);
    expect(pairs.filter(p => p === `run/${RUN}>model_version/churn:1`)).toHaveLength(1);
  });
  it('keeps the cells of an expanded run', () => {
    const open = foldCells(nodes, edges, members, new Set([RUN]));
    expect(open.nodes).toHaveLength(5);
    expect(open.nodes.find(n => n.kind === 'run')).toMatchObject({ folded: 0, cells: 2 });
  });
  it('leaves cells whose run is not in the graph', () => {
    const alone = foldCells(nodes.slice(2), edges, members, new Set());
    expect(alone.nodes.filter(n => n.kind === 'cell')).toHaveLength(2);
  });
});

describe('layoutGraph', () => {
  it('ranks ancestors left of descendants, without overlaps', () => {
    const placed = layoutGraph(foldCells(nodes, edges, members, new Set([RUN])));
    const x = (kind: string, id: string) => placed.nodes.find(n => n.key === `${kind}/${id}`)!.x;
    expect(x('cell', CELL1)).toBeLessThan(x('dataset', DATA));
    expect(x('dataset', DATA)).toBeLessThan(x('cell', CELL2));
    expect(x('cell', CELL2)).toBeLessThan(x('model_version', 'churn:1'));
    for (const a of placed.nodes) {
      for (const b of placed.nodes) {
        const apart =
          a === b || Math.abs(a.x - b.x) >= NODE.width || Math.abs(a.y - b.y) >= NODE.height;
        expect(apart).toBe(true);
      }
    }
    expect(placed.edges.every(e => e.points.length >= 2)).toBe(true);
    expect(placed.width).toBeGreaterThan(3 * NODE.width);
  });
});
