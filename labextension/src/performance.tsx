// Label-free performance in the drift section: per batch, the estimate made before labels
// with its interval as a band, and the realized value once labels arrived.
import * as React from 'react';
import { requestAPI } from './api';
import { paths } from './api.gen';
import { ChartFrame, seriesColor } from './charts';
import { useShell } from './context';
import { formatTime, formatValue, scalePoints } from './format';
import { useResource } from './poll';

type History = paths['/performance']['get']['responses'][200]['content']['application/json'];
type Point = History['history'][number];
const METRICS: Point['metric'][] = ['accuracy', 'f1', 'roc_auc'];

/** Estimated (line), its interval (band) and realized (dots) for one model and metric. */
export function PerformanceChart(props: { points: Point[]; title: string }): JSX.Element {
  const [w, h, m] = [240, 130, 32]; // the sidebar's width: its text at full size there
  const at = (i: number, y: number | null | undefined) => ({ x: i, y: y ?? null });
  const [high, low, estimated, realized] = scalePoints(
    [
      props.points.map((p, i) => at(i, p.ci_high)),
      props.points.map((p, i) => at(i, p.ci_low)),
      props.points.map((p, i) => at(i, p.estimated)),
      props.points.map((p, i) => at(i, p.realized))
    ],
    w - 2 * m,
    h - 2 * m
  ).points;
  const { yMin, yMax } = scalePoints(
    [props.points.flatMap((p, i) => [at(i, p.ci_low), at(i, p.ci_high), at(i, p.realized)])],
    w - 2 * m,
    h - 2 * m
  );
  const band = [...high, ...[...low].reverse()].map(p => p.join(',')).join(' ');
  return (
    <figure className="jp-mlops-chart jp-mlops-performance-chart">
      <ChartFrame size={[w, h, m]} title={props.title} yMin={yMin} yMax={yMax}>
        <polygon points={band} style={{ fill: seriesColor(0), opacity: 0.2 }} />
        <polyline
          points={estimated.map(p => p.join(',')).join(' ')}
          fill="none"
          stroke={seriesColor(0)}
          strokeWidth={2}
        />
        {realized.map((p, i) => (
          <circle
            key={i}
            className="jp-mlops-realized"
            cx={p[0]}
            cy={p[1]}
            r={3}
            style={{ fill: seriesColor(1) }}
          />
        ))}
      </ChartFrame>
      <figcaption>
        <span className="jp-mlops-legend" style={{ color: seriesColor(0) }}>
          ● <span>estimated (band: interval)</span>
        </span>
        <span className="jp-mlops-legend" style={{ color: seriesColor(1) }}>
          ● <span>realized</span>
        </span>
      </figcaption>
    </figure>
  );
}

/** The section: nothing until mlops.performance recorded something. */
export function PerformanceSection(): JSX.Element | null {
  const shell = useShell();
  const found = useResource(
    () => requestAPI<History>('performance', {}, { limit: 50 }),
    [],
    shell.refresher
  );
  const [metric, setMetric] = React.useState<Point['metric']>('accuracy');
  const history = found.data?.history ?? [];
  if (!history.length) {
    return null;
  }
  const model = history[history.length - 1].model;
  const points = history.filter(p => p.model === model && p.metric === metric);
  const last = points[points.length - 1];
  return (
    <section className="jp-mlops-performance" aria-label="performance">
      <p className="jp-mlops-verdict">
        Performance of {model}: {metric} {formatValue(last?.estimated)} estimated
        {last?.realized !== null && last?.realized !== undefined
          ? `, ${formatValue(last.realized)} realized`
          : ' (no labels yet)'}{' '}
        ({formatTime(last?.created)})
      </p>
      <div role="group" aria-label="performance metric">
        {METRICS.map(name => (
          <button
            key={name}
            className={`jp-mlops-link${name === metric ? ' jp-mod-selected' : ''}`}
            aria-pressed={name === metric}
            onClick={() => setMetric(name)}
          >
            {name}
          </button>
        ))}
      </div>
      <PerformanceChart points={points} title={`${model} ${metric}: estimated vs realized`} />
    </section>
  );
}
