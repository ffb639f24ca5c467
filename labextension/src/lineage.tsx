// Lineage in the sidebar: what a node came from, as a compact list of its ancestors; the
// whole graph opens in the main area (lineagegraph.tsx). The form and the default node
// (the first model's champion) are shared with the graph.
import { Button, HTMLSelect, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, Loaded, useShell } from './context';
import { nodeKey } from './format';
import { graphLabel } from './graph';
import { useResource } from './poll';
import { lineageKind, LineageQuery } from './types';

/** The node asked for, else the first registered model (its first alias, or latest). */
export function useLineageNode(node?: string): { node?: string; loading: boolean } {
  const models = useResource(() => api.models(), [], undefined);
  const fallback = models.data?.models[0];
  return {
    node:
      node ??
      (fallback
        ? Object.keys(fallback.aliases).length
          ? `${fallback.name}@${Object.keys(fallback.aliases)[0]}`
          : `${fallback.name}:${fallback.latest}`
        : undefined),
    loading: models.loading
  };
}

/** The node to centre on, how far to look and which way; submitting calls ``onShow``. */
export function LineageForm(props: {
  node?: string;
  onShow: (node: string) => void;
  depth: number;
  onDepth: (depth: number) => void;
  direction?: LineageQuery['direction'];
  onDirection?: (direction: LineageQuery['direction']) => void;
  children?: React.ReactNode;
}): JSX.Element {
  const [typed, setTyped] = React.useState(props.node ?? '');
  React.useEffect(() => setTyped(props.node ?? ''), [props.node]);
  return (
    <form
      className="jp-mlops-toolbar"
      onSubmit={e => {
        e.preventDefault();
        props.onShow(typed.trim());
      }}
    >
      <InputGroup
        aria-label="lineage of"
        placeholder="name@alias, name:version or run id"
        value={typed}
        onChange={e => setTyped((e.target as HTMLInputElement).value)}
      />
      {props.onDirection && (
        <HTMLSelect
          aria-label="direction"
          value={props.direction}
          onChange={e => props.onDirection!(e.target.value as LineageQuery['direction'])}
          options={[
            { label: 'ancestors and descendants', value: 'both' },
            { label: 'ancestors', value: 'up' },
            { label: 'descendants', value: 'down' }
          ]}
        />
      )}
      <HTMLSelect
        aria-label="depth"
        value={String(props.depth)}
        onChange={e => props.onDepth(Number(e.target.value))}
        options={['1', '2', '3', '5', '10', '20']}
      />
      <Button type="submit">Show</Button>
      {props.children}
    </form>
  );
}

export const NO_NODE =
  'Register a model (or type a run id) to see where it came from and what used it.';

export function LineageView(props: { node?: string; kind?: LineageQuery['kind'] }): JSX.Element {
  const shell = useShell();
  const { node, loading } = useLineageNode(props.node);
  const [depth, setDepth] = React.useState(5);
  const graph = useResource(
    () =>
      node
        ? api.lineage({ node, kind: props.kind, direction: 'up', depth })
        : Promise.resolve(null),
    [node, props.kind, depth],
    shell.refresher
  );
  const whole = { tab: 'lineage' as const, node, kind: props.kind };
  return (
    <div className="jp-mlops-lineage jp-mlops-ancestors">
      <LineageForm
        node={node}
        onShow={typed => shell.navigate({ tab: 'lineage', node: typed })}
        depth={depth}
        onDepth={setDepth}
      />
      {!node && !loading && <Empty>{NO_NODE}</Empty>}
      <Loaded resource={graph}>
        {g => {
          if (!g) {
            return null;
          }
          const start = g.nodes.find(n => n.depth === 0);
          const up = g.nodes.filter(n => n.depth < 0).sort((a, b) => b.depth - a.depth);
          return (
            <>
              <p className="jp-mlops-meta">
                {start ? graphLabel(start) : node} came from {up.length} node
                {up.length === 1 ? '' : 's'}{' '}
                <Button small className="jp-mlops-open-graph" onClick={() => shell.open(whole)}>
                  Open graph
                </Button>
              </p>
              <ul className="jp-mlops-list" aria-label="ancestors">
                {up.map(n => (
                  <li key={nodeKey(n)} data-key={nodeKey(n)}>
                    <button
                      className="jp-mlops-item"
                      title={`${n.kind} ${n.id}: show what it came from`}
                      onClick={() =>
                        shell.navigate({ tab: 'lineage', node: n.id, kind: lineageKind(n.kind) })
                      }
                    >
                      <span className="jp-mlops-meta">↑{-n.depth}</span>{' '}
                      <span className={`jp-mlops-kind jp-mlops-kind-${n.kind}`}>{n.kind}</span>{' '}
                      <span className="jp-mlops-node-label">{graphLabel(n)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
