// The run detail's "Cell history": the run's cells that became ≥ 3× slower than their
// median or started failing, each with its durations across runs and jobs as a sparkline.
import * as React from 'react';
import { api } from './api';
import { Empty, ErrorMessage, Loaded, useShell } from './context';
import { describeError, formatDuration, formatTime, shortId } from './format';
import { useResource } from './poll';
import { CellHistory as Answer } from './types';

type FlaggedCell = Answer['cells'][number];
type Execution = FlaggedCell['history'][number];

const ms = (value: number | null) => formatDuration(value === null ? null : value / 1000);

const COLORS: { [flag: string]: string } = {
  slower: 'var(--jp-warn-color1)',
  failing: 'var(--jp-error-color1)'
};

/** Durations over time, oldest left; the median as a dashed line; flagged points coloured. */
function Sparkline(props: { history: Execution[]; median: number | null }): JSX.Element {
  const [w, h, pad] = [180, 32, 4];
  const values = props.history.map(e => e.duration_ms ?? 0);
  const top = Math.max(...values, props.median ?? 0, 1);
  const x = (i: number) =>
    pad + (values.length > 1 ? (i * (w - 2 * pad)) / (values.length - 1) : (w - 2 * pad) / 2);
  const y = (v: number) => h - pad - (v / top) * (h - 2 * pad);
  return (
    <svg
      width={w}
      height={h}
      role="img"
      className="jp-mlops-sparkline"
      aria-label={`durations of ${values.length} executions`}
    >
      {props.median !== null && (
        <line
          x1={pad}
          x2={w - pad}
          y1={y(props.median)}
          y2={y(props.median)}
          stroke="var(--jp-border-color1)"
          strokeDasharray="3 3"
        />
      )}
      <polyline
        points={values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}
        fill="none"
        stroke="var(--jp-brand-color1)"
        strokeWidth={1.5}
      />
      {props.history.map((e, i) => (
        <circle
          key={i}
          cx={x(i)}
          cy={y(values[i])}
          r={e.flag ? 3.5 : 2}
          fill={e.flag ? COLORS[e.flag] : 'var(--jp-brand-color1)'}
          data-flag={e.flag ?? ''}
        >
          <title>
            {`${shortId(e.run_id)} (${e.kind ?? 'run'}) · ${formatTime(e.started)} · ` +
              `${ms(e.duration_ms)} · ${e.status ?? '?'}`}
          </title>
        </circle>
      ))}
    </svg>
  );
}

/** The flag as a coloured headline, then the figures behind it. */
function describe(cell: FlaggedCell): [string, string] {
  if (cell.flag === 'failing') {
    return ['failing', 'it raised here, and ran without error before'];
  }
  const ratio = cell.median_ms ? (cell.duration_ms ?? 0) / cell.median_ms : 0;
  return [`${ratio.toFixed(1)}× slower`, `${ms(cell.duration_ms)}, median ${ms(cell.median_ms)}`];
}

export function CellHistory(props: { runId: string; notebook?: string | null }): JSX.Element {
  const shell = useShell();
  const [error, setError] = React.useState<string>();
  const open = (cell: FlaggedCell) => {
    setError(undefined);
    if (!props.notebook) {
      setError('This run has no notebook path (it was not started from a notebook).');
      return;
    }
    shell.openCell(props.notebook, cell.cell_id).catch(e => setError(describeError(e)));
  };
  const found = useResource(() => api.cellHistory(props.runId), [props.runId], shell.refresher);
  return (
    <section className="jp-mlops-cell-history" aria-label="cell history">
      <h4>Cell history</h4>
      <ErrorMessage error={error} />
      <Loaded resource={found}>
        {answer =>
          answer.cells.length ? (
            <ul className="jp-mlops-flagged" style={{ listStyle: 'none', padding: 0 }}>
              {answer.cells.map(cell => (
                <li
                  key={cell.seq}
                  data-seq={cell.seq}
                  data-flag={cell.flag ?? ''}
                  style={{ marginBottom: 8 }}
                >
                  <button
                    className="jp-mlops-link"
                    title="open the cell in its notebook"
                    onClick={() => open(cell)}
                  >
                    <span className="jp-mlops-count">#{cell.seq}</span>{' '}
                    <code className="jp-mlops-source">{cell.source}</code>
                  </button>
                  <div className="jp-mlops-meta">
                    <strong style={{ color: COLORS[cell.flag ?? ''] }}>{describe(cell)[0]}</strong>:{' '}
                    {describe(cell)[1]} · {cell.executions} executions so far
                  </div>
                  <Sparkline history={cell.history} median={cell.median_ms} />
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No cell of this run became slower or started failing.</Empty>
          )
        }
      </Loaded>
    </section>
  );
}
