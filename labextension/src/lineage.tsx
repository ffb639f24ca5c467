// The provenance graph around a node; clicking a node shows it and can re-centre on it.
import { Button, HTMLSelect, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { LineageGraph } from './charts';
import { Empty, Loaded, useShell } from './context';
import { layoutLineage, nodeKey, PlacedNode } from './format';
import { useResource } from './poll';
import { lineageKind, LineageQuery } from './types';

export function LineageView(props: { node?: string; kind?: LineageQuery['kind'] }): JSX.Element {
  const shell = useShell();
  const models = useResource(() => api.models(), [], undefined);
  const fallback = models.data?.models[0];
  const node =
    props.node ??
    (fallback
      ? Object.keys(fallback.aliases).length
        ? `${fallback.name}@${Object.keys(fallback.aliases)[0]}`
        : `${fallback.name}:${fallback.latest}`
      : undefined);
  const [typed, setTyped] = React.useState(node ?? '');
  const [direction, setDirection] = React.useState<LineageQuery['direction']>('both');
  const [depth, setDepth] = React.useState(5);
  const [picked, setPicked] = React.useState<PlacedNode>();
  React.useEffect(() => setTyped(node ?? ''), [node]);
  const graph = useResource(
    () =>
      node ? api.lineage({ node, kind: props.kind, direction, depth }) : Promise.resolve(null),
    [node, props.kind, direction, depth],
    shell.refresher
  );
  return (
    <div className="jp-mlops-lineage">
      <form
        className="jp-mlops-toolbar"
        onSubmit={e => {
          e.preventDefault();
          shell.navigate({ tab: 'lineage', node: typed.trim() });
        }}
      >
        <InputGroup
          aria-label="lineage of"
          placeholder="name@alias, name:version or run id"
          value={typed}
          onChange={e => setTyped((e.target as HTMLInputElement).value)}
        />
        <HTMLSelect
          aria-label="direction"
          value={direction}
          onChange={e => setDirection(e.target.value as LineageQuery['direction'])}
          options={[
            { label: 'ancestors and descendants', value: 'both' },
            { label: 'ancestors', value: 'up' },
            { label: 'descendants', value: 'down' }
          ]}
        />
        <HTMLSelect
          aria-label="depth"
          value={String(depth)}
          onChange={e => setDepth(Number(e.target.value))}
          options={['1', '2', '3', '5', '10']}
        />
        <Button type="submit">Show</Button>
      </form>
      {!node && !models.loading && (
        <Empty>
          Register a model (or type a run id) to see where it came from and what used it.
        </Empty>
      )}
      <Loaded resource={graph}>
        {g =>
          g && (
            <>
              <div className="jp-mlops-scroll">
                <LineageGraph
                  graph={layoutLineage(g.nodes, g.edges)}
                  selected={picked && nodeKey(picked)}
                  onSelect={setPicked}
                />
              </div>
              {picked && (
                <div className="jp-mlops-picked" role="status">
                  <strong>{picked.kind}</strong> <code>{picked.id}</code>{' '}
                  {picked.depth < 0
                    ? `(${-picked.depth} up)`
                    : picked.depth > 0
                      ? `(${picked.depth} down)`
                      : ''}
                  <Button
                    small
                    onClick={() =>
                      shell.navigate({
                        tab: 'lineage',
                        node: picked.id,
                        kind: lineageKind(picked.kind)
                      })
                    }
                  >
                    Centre here
                  </Button>
                  {picked.kind === 'run' && (
                    <Button small onClick={() => shell.navigate({ tab: 'run', runId: picked.id })}>
                      Open run
                    </Button>
                  )}
                  {picked.kind === 'drift_report' && (
                    <Button
                      small
                      onClick={() => shell.navigate({ tab: 'drift', reportId: picked.id })}
                    >
                      Open report
                    </Button>
                  )}
                </div>
              )}
            </>
          )
        }
      </Loaded>
    </div>
  );
}
