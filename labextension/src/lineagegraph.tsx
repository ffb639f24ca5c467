// The lineage graph of the main area: a layered layout (dagre), a run's cells folded into
// the run (its badge unfolds them), pan (drag) and zoom (wheel) on the SVG's viewBox, and a
// click on a node opens its detail: a run, a model, a drift report in their tabs; a dataset,
// cell or fit shows what it is here, with its raw id to copy.
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, Loaded, useShell, View } from './context';
import { foldCells, layoutGraph, Layout, PlacedGraphNode } from './graph';
import { LineageForm, NO_NODE, useLineageNode } from './lineage';
import { usePanZoom } from './panzoom';
import { useResource } from './poll';
import { Lineage, lineageKind, LineageQuery } from './types';
import { useRenderTime } from './views/timing';

/** The tab a node's click opens; null: the node is shown here (dataset, cell, fit). */
export function nodeView(node: { kind: string; id: string }): View | null {
  switch (node.kind) {
    case 'run':
      return { tab: 'run', runId: node.id };
    case 'model_version':
      return { tab: 'models', model: node.id.replace(/:[^:]*$/, '') };
    case 'alias':
      return { tab: 'models', model: node.id.replace(/@[^@]*$/, '') };
    case 'drift_report':
      return { tab: 'drift', reportId: node.id };
    default:
      return null;
  }
}

/** The drawn graph: boxes, edges with arrowheads, fold badges. */
export function GraphCanvas(props: {
  layout: Layout;
  selected?: string;
  onNode: (node: PlacedGraphNode) => void;
  onFold: (runId: string) => void;
  timed?: React.RefObject<HTMLDivElement>;
}): JSX.Element {
  const { layout } = props;
  const zoom = usePanZoom({ x: 0, y: 0, w: layout.width, h: layout.height });
  const click = (act: () => void) => () => !zoom.dragged() && act();
  const { x, y, w, h } = zoom.box;
  return (
    <div className="jp-mlops-graph-frame" ref={props.timed}>
      <button className="jp-mlops-fit" onClick={zoom.reset} title="fit the whole graph">
        Fit
      </button>
      <svg
        ref={zoom.ref}
        className="jp-mlops-graph jp-mlops-graph-main"
        viewBox={`${x} ${y} ${w} ${h}`}
        role="group"
        aria-label="lineage graph"
        onPointerDown={zoom.onPointerDown}
      >
        <defs>
          <marker
            id="jp-mlops-arrow-main"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0L10,5L0,10z" className="jp-mlops-arrowhead" />
          </marker>
        </defs>
        {layout.edges.map((e, i) => (
          <path
            key={i}
            className="jp-mlops-edge"
            markerEnd="url(#jp-mlops-arrow-main)"
            d={e.points.map((p, j) => `${j ? 'L' : 'M'}${p.x},${p.y}`).join(' ')}
          >
            <title>{e.relation ?? ''}</title>
          </path>
        ))}
        {layout.nodes.map(node => (
          <g
            key={node.key}
            className={`jp-mlops-node jp-mlops-node-${node.kind}${node.key === props.selected ? ' jp-mod-selected' : ''}${node.depth === 0 ? ' jp-mlops-node-root' : ''}`}
            data-key={node.key}
            transform={`translate(${node.x},${node.y})`}
          >
            <g
              tabIndex={0}
              role="button"
              aria-label={`${node.kind} ${node.label}`}
              onClick={click(() => props.onNode(node))}
              onKeyDown={e =>
                (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onNode(node))
              }
            >
              <title>{`${node.kind} ${node.label}\n${node.id}`}</title>
              <rect width={node.width} height={node.height} rx={4} />
              <text x={6} y={14} className="jp-mlops-node-kind">
                {node.kind.replace('_', ' ')}
              </text>
              <text x={6} y={31} className="jp-mlops-node-label">
                {node.label}
              </text>
            </g>
            {node.cells > 0 && (
              <g
                className="jp-mlops-fold"
                role="button"
                tabIndex={0}
                aria-label={`${node.folded ? 'show' : 'fold'} the run's ${node.cells} cells`}
                transform={`translate(${node.width - 58},3)`}
                onClick={click(() => props.onFold(node.id))}
                onKeyDown={e => e.key === 'Enter' && props.onFold(node.id)}
              >
                <rect width={54} height={15} rx={7} />
                <text x={27} y={11} textAnchor="middle">
                  {node.folded ? `+${node.cells} cells` : '− cells'}
                </text>
              </g>
            )}
          </g>
        ))}
      </svg>
    </div>
  );
}

/** The graph of ``g`` with its runs' cells folded (``members``: cell → run). */
export function FoldedGraph(props: {
  graph: Lineage;
  members: Map<string, string>;
  selected?: string;
  onNode: (node: PlacedGraphNode) => void;
}): JSX.Element {
  const [expanded, setExpanded] = React.useState(new Set<string>());
  // laid out again only when the graph or the folding changed, not on every poll
  const content = `${JSON.stringify(props.graph)} ${[...props.members.values()]} ${[...expanded]}`;
  const timed = useRenderTime<HTMLDivElement>(content); // the layout included
  const layout = React.useMemo(
    () => layoutGraph(foldCells(props.graph.nodes, props.graph.edges, props.members, expanded)),
    [content]
  );
  const toggle = (runId: string) =>
    setExpanded(s => {
      const next = new Set(s);
      if (!next.delete(runId)) {
        next.add(runId);
      }
      return next;
    });
  return (
    <GraphCanvas
      layout={layout}
      selected={props.selected}
      onNode={props.onNode}
      onFold={toggle}
      timed={timed}
    />
  );
}

export function LineageGraphView(props: {
  node?: string;
  kind?: LineageQuery['kind'];
}): JSX.Element {
  const shell = useShell();
  const { node, loading } = useLineageNode(props.node);
  const [direction, setDirection] = React.useState<LineageQuery['direction']>('both');
  const [depth, setDepth] = React.useState(5);
  const [picked, setPicked] = React.useState<PlacedGraphNode>();
  const graph = useResource(
    async () => {
      if (!node) {
        return null;
      }
      const g = await api.lineage({ node, kind: props.kind, direction, depth });
      // which run each cell belongs to (no edge says it): what folding needs
      const runs = g.nodes.filter(n => n.kind === 'run').map(n => n.id);
      const cells = await Promise.all(runs.map(id => api.cells(id).catch(() => null)));
      const members = new Map<string, string>();
      cells.forEach((c, i) => c?.cells.forEach(cell => members.set(cell.event_id, runs[i])));
      return { g, members };
    },
    [node, props.kind, direction, depth],
    shell.refresher
  );
  const onNode = (n: PlacedGraphNode) => {
    const view = nodeView(n);
    if (view) {
      shell.open(view);
    } else {
      setPicked(n);
    }
  };
  return (
    <div className="jp-mlops-lineage jp-mlops-lineage-main">
      <LineageForm
        node={node}
        onShow={typed => shell.open({ tab: 'lineage', node: typed })}
        depth={depth}
        onDepth={setDepth}
        direction={direction}
        onDirection={setDirection}
      />
      {!node && !loading && <Empty>{NO_NODE}</Empty>}
      {picked && (
        <div className="jp-mlops-picked" role="status">
          <strong>{picked.kind}</strong> {picked.label} <code>{picked.id}</code>
          <Button small onClick={() => void navigator.clipboard?.writeText(picked.id)}>
            Copy id
          </Button>
          <Button
            small
            onClick={() =>
              shell.open({ tab: 'lineage', node: picked.id, kind: lineageKind(picked.kind) })
            }
          >
            Centre here
          </Button>
        </div>
      )}
      <Loaded resource={graph}>
        {found =>
          found && (
            <FoldedGraph
              graph={found.g}
              members={found.members}
              selected={picked?.key}
              onNode={onNode}
            />
          )
        }
      </Loaded>
    </div>
  );
}
