// Drift reports: the verdict, a row per column with its histogram, a larger one on click.
import * as React from 'react';
import { api } from './api';
import { HistogramChart } from './charts';
import { Loaded, useShell } from './context';
import { FIRST_RUN, FirstSteps } from './empty';
import { driftedFirst } from './labels';
import { asHistogram, formatTime, formatValue, histogramBins } from './format';
import { useResource } from './poll';
import { DriftColumn, DriftReport } from './types';

const DRIFT = `${FIRST_RUN}
report = mlops.drift(train_df, new_df)`;

function verdict(r: DriftReport): string {
  const drifted = `${r.columns_drifted ?? '?'} of ${r.columns_compared ?? '?'} columns drifted`;
  return r.dataset_drift ? `Dataset drift: ${drifted}` : `No dataset drift: ${drifted}`;
}

function SmallHistogram(props: { column: DriftColumn }): JSX.Element {
  const histogram = asHistogram(props.column.histogram);
  return histogram ? (
    <HistogramChart small title={props.column.column_name} bins={histogramBins(histogram)} />
  ) : (
    <>–</>
  );
}

function Report(props: { id: string }): JSX.Element {
  const shell = useShell();
  const detail = useResource(() => api.driftReport(props.id), [props.id], shell.refresher);
  const [column, setColumn] = React.useState<string>();
  return (
    <Loaded resource={detail}>
      {d => {
        const chosen = d.columns.find(c => c.column_name === column);
        const histogram = asHistogram(chosen?.histogram);
        return (
          <>
            <p className={`jp-mlops-verdict${d.report.dataset_drift ? ' jp-mlops-drifted' : ''}`}>
              {verdict(d.report)} ({d.report.method ?? 'auto'}, {formatTime(d.report.created)})
            </p>
            {chosen && histogram && (
              <HistogramChart title={chosen.column_name} bins={histogramBins(histogram)} />
            )}
            <table className="jp-mlops-table jp-mlops-columns jp-mlops-rows">
              <thead>
                <tr>
                  <th className="jp-mlops-name">Column</th>
                  <th title="effect size: how far the distribution moved">Effect</th>
                  <th>p (adj.)</th>
                  <th>Reference vs current</th>
                </tr>
              </thead>
              <tbody>
                {driftedFirst(d.columns).map(c => (
                  <tr
                    key={c.column_name}
                    data-column={c.column_name}
                    className={`${c.drifted ? 'jp-mlops-drifted' : ''}${c.column_name === column ? ' jp-mod-selected' : ''}`}
                  >
                    <th scope="row" className="jp-mlops-name">
                      <span
                        className="jp-mlops-marker"
                        role="img"
                        aria-label={c.drifted ? 'drifted' : 'no drift'}
                      >
                        {c.drifted ? '▲' : '·'}
                      </span>
                      <button
                        className="jp-mlops-link"
                        title={`${c.column_name}: ${c.method ?? 'auto'}, statistic ${formatValue(c.statistic)}`}
                        onClick={() => setColumn(c.column_name)}
                      >
                        {c.column_name}
                      </button>
                    </th>
                    <td data-column="effect">{formatValue(c.effect)}</td>
                    <td>{formatValue(c.p_adjusted)}</td>
                    <td>
                      <SmallHistogram column={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        );
      }}
    </Loaded>
  );
}

export function DriftView(props: { reportId?: string }): JSX.Element {
  const shell = useShell();
  const reports = useResource(() => api.driftReports(), [], shell.refresher);
  return (
    <div className="jp-mlops-drift">
      <Loaded resource={reports}>
        {r => {
          if (!r.reports.length) {
            return (
              <FirstSteps
                what="No drift reports yet. Compare new data with the data a model was trained on:"
                code={DRIFT}
              />
            );
          }
          const chosen = props.reportId ?? r.reports[0].id;
          return (
            <>
              <ul className="jp-mlops-list" aria-label="drift reports">
                {r.reports.map(report => (
                  <li key={report.id}>
                    <button
                      aria-current={chosen.startsWith(report.id) || report.id.startsWith(chosen)}
                      className={`jp-mlops-item${report.id.startsWith(chosen) ? ' jp-mod-selected' : ''}`}
                      onClick={() => shell.navigate({ tab: 'drift', reportId: report.id })}
                    >
                      {formatTime(report.created)} · {verdict(report)}
                    </button>
                  </li>
                ))}
              </ul>
              <Report id={chosen} />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
