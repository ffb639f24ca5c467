// Many runs at once: the newest runs of an experiment (up to 1,000, one request) as parallel
// coordinates of their params against a chosen metric, and a scatter of two chosen columns.
import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import { Brush, keptBy, Key, keyName, makeAxis, metricKeys, varyingParams } from './axes';
import { api } from './api';
import { Empty, Loaded, useShell } from './context';
import { ParallelCoordinates } from './parcoords';
import { useResource } from './poll';
import { Scatter } from './scatter';
import { Run } from './types';

/** The most runs drawn: the API's largest page, so one request. */
export const MOST_RUNS = 1000;
/** The most param axes: past a dozen the axes are too close to read in a sidebar. */
const MOST_AXES = 12;

function parseKey(name: string): Key {
  const dot = name.indexOf('.');
  return {
    part: name.slice(0, dot) === 'metrics' ? 'metrics' : 'params',
    key: name.slice(dot + 1)
  };
}

function Plots(props: { runs: Run[]; marked: string[] }): JSX.Element {
  const { runs } = props;
  const metrics = React.useMemo(() => metricKeys(runs), [runs]);
  const params = React.useMemo(() => varyingParams(runs, MOST_AXES), [runs]);
  const [metric, setMetric] = React.useState<string>();
  const chosen = metric && metrics.includes(metric) ? metric : metrics[0];
  const columns = [...params.map(keyName), ...metrics.map(m => `metrics.${m}`)];
  const [xy, setXY] = React.useState<[string?, string?]>([]);
  const x = xy[0] && columns.includes(xy[0]) ? xy[0] : columns[0];
  const y = xy[1] && columns.includes(xy[1]) ? xy[1] : chosen ? `metrics.${chosen}` : columns[1];
  const [brushes, setBrushes] = React.useState<Brush[]>([]);
  const drawn = React.useMemo(() => {
    const axes = params.map(k => makeAxis(runs, k));
    const colour = chosen ? makeAxis(runs, { part: 'metrics', key: chosen }) : undefined;
    if (colour) {
      axes.push(colour);
    }
    const shade = runs.map((_, i) =>
      colour && colour.positions[i] >= 0 ? colour.positions[i] : null
    );
    const wanted = new Set(props.marked);
    const marked = runs.flatMap((r, i) => (wanted.has(r.run_id) ? [i] : []));
    return { axes, shade, marked };
  }, [runs, params, chosen, props.marked.join(',')]);
  const plotted = React.useMemo(
    () => ({ ...drawn, brushes, kept: keptBy(drawn.axes, brushes, runs.length) }),
    [drawn, brushes]
  );
  const kept = plotted.kept?.filter(k => k).length;
  const xAxis = React.useMemo(() => x && makeAxis(runs, parseKey(x)), [runs, x]);
  const yAxis = React.useMemo(() => y && makeAxis(runs, parseKey(y)), [runs, y]);
  if (!params.length && !metrics.length) {
    return <Empty>These runs logged no params that differ and no metrics.</Empty>;
  }
  return (
    <>
      <div className="jp-mlops-toolbar">
        <label>
          colour by{' '}
          <HTMLSelect
            aria-label="metric to colour by"
            value={chosen ?? ''}
            onChange={e => setMetric(e.target.value)}
            options={metrics.length ? metrics : ['(no metrics)']}
          />
        </label>
        {kept === undefined && (
          <span className="jp-mlops-muted">drag along an axis to keep a range</span>
        )}
      </div>
      {kept !== undefined && (
        <div className="jp-mlops-toolbar jp-mlops-brushed">
          <span>
            {kept} of {runs.length} runs kept
          </span>
          <Button minimal small onClick={() => setBrushes([])}>
            Clear
          </Button>
        </div>
      )}
      {plotted.axes.length > 1 ? (
        <ParallelCoordinates plotted={plotted} runs={runs.length} onBrush={setBrushes} />
      ) : (
        <Empty>One axis only: these runs share every param.</Empty>
      )}
      {xAxis && yAxis && (
        <>
          <div className="jp-mlops-toolbar">
            <HTMLSelect
              aria-label="scatter x"
              value={x}
              onChange={e => setXY([e.target.value, y])}
              options={columns}
            />
            <span>against</span>
            <HTMLSelect
              aria-label="scatter y"
              value={y}
              onChange={e => setXY([x, e.target.value])}
              options={columns}
            />
          </div>
          <Scatter x={xAxis} y={yAxis} dots={plotted} />
        </>
      )}
    </>
  );
}

export function ManyRuns(props: { experiment?: string; marked: string[] }): JSX.Element {
  const shell = useShell();
  const [experiment, setExperiment] = React.useState(props.experiment ?? '');
  const experiments = useResource(() => api.experiments(), [], shell.refresher);
  const runs = useResource(
    () => api.runs({ experiment: experiment || undefined }, MOST_RUNS),
    [experiment],
    shell.refresher
  );
  return (
    <section className="jp-mlops-many" aria-label="many runs">
      <h3>Many runs</h3>
      <div className="jp-mlops-toolbar">
        <HTMLSelect
          aria-label="runs of experiment"
          value={experiment}
          onChange={e => setExperiment(e.target.value)}
          options={[
            { label: 'All experiments', value: '' },
            ...(experiments.data?.experiments ?? []).map(x => ({
              label: `${x.name} (${x.runs})`,
              value: x.name
            }))
          ]}
        />
        {runs.data && (
          <span className="jp-mlops-count">
            {runs.data.next_cursor ? `the newest ${runs.data.runs.length}` : runs.data.runs.length}{' '}
            runs
          </span>
        )}
      </div>
      <Loaded resource={runs}>
        {page =>
          page.runs.length ? (
            <Plots runs={page.runs} marked={props.marked} />
          ) : (
            <Empty>No runs recorded in this experiment.</Empty>
          )
        }
      </Loaded>
    </section>
  );
}
