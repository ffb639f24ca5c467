// Why two runs differ (GET runs/{a}/diff/{b}), in the order mlops.diff reports it: params,
// cells added, removed or edited with their source diffs, the first differing data,
// environment and packages, git.
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, Loaded, useShell } from './context';
import { formatValue, shortId } from './format';
import { useResource } from './poll';
import { RunDiff } from './types';

function SourceDiff(props: { text: string }): JSX.Element {
  return (
    <pre className="jp-mlops-source-diff">
      {props.text.split('\n').map((line, i) => {
        const kind =
          line.startsWith('+') && !line.startsWith('+++')
            ? 'added'
            : line.startsWith('-') && !line.startsWith('---')
              ? 'removed'
              : line.startsWith('@@')
                ? 'hunk'
                : undefined;
        return (
          <span key={i} className={kind && `jp-mlops-diff-${kind}`}>
            {line}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}

function Sides(props: { head: string; rows: [string, unknown, unknown][]; a: string; b: string }) {
  return (
    <>
      <h4>{props.head}</h4>
      <table className="jp-mlops-table jp-mlops-sides">
        <thead>
          <tr>
            <th />
            <th>{props.a}</th>
            <th>{props.b}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map(([k, a, b]) => (
            <tr key={k} data-key={k}>
              <th scope="row">{k}</th>
              <td>{formatValue(a)}</td>
              <td>{formatValue(b)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Found(props: { d: RunDiff }): JSX.Element {
  const { d } = props;
  const [a, b] = [shortId(d.run_a), shortId(d.run_b)];
  const setting: [string, unknown, unknown][] = [
    ...Object.entries(d.environment).map(([k, v]): [string, unknown, unknown] => [k, v.a, v.b]),
    ...d.packages.map((p): [string, unknown, unknown] => [p.name, p.a, p.b]),
    ...Object.entries(d.git).map(([k, v]): [string, unknown, unknown] => [`git ${k}`, v.a, v.b])
  ];
  const empty = !d.params.length && !d.cells.length && !d.data && !setting.length;
  return (
    <>
      {d.metric && d.values && (
        <p>
          {d.metric}: {formatValue(d.values[0])} → {formatValue(d.values[1])} (only its slice)
        </p>
      )}
      {empty && <Empty>No differences.</Empty>}
      {d.params.length > 0 && (
        <Sides head="Params" a={a} b={b} rows={d.params.map(p => [p.key, p.a, p.b])} />
      )}
      {d.cells.length > 0 && <h4>Cells</h4>}
      {d.cells.map((c, i) => (
        <details key={i} className="jp-mlops-cell-change" data-change={c.change} open={i < 3}>
          <summary>
            <b>{c.change}</b> cell {c.seq_a ?? '–'} → {c.seq_b ?? '–'}
            {c.cell_id && <span className="jp-mlops-muted"> {c.cell_id}</span>}
            {c.change === 'status' && ` (${c.status_a ?? '–'} → ${c.status_b ?? '–'})`}
          </summary>
          {c.diff && <SourceDiff text={c.diff} />}
        </details>
      ))}
      {d.data && (
        <div className="jp-mlops-first-data">
          <h4>First differing data</h4>
          <p>
            <code>{d.data.name}</code> ({d.data.relation} in cell {d.data.seq_a} → {d.data.seq_b}
            ), written by cell {d.data.producer_a ?? '–'} → {d.data.producer_b ?? '–'}
            {d.data.same_source ? ', whose source did not change' : ''}
          </p>
          <Sides
            head=""
            a={a}
            b={b}
            rows={[
              ['fingerprint', d.data.fingerprint_a.slice(0, 12), d.data.fingerprint_b.slice(0, 12)],
              ['shape', d.data.shape_a?.join(' × '), d.data.shape_b?.join(' × ')]
            ]}
          />
        </div>
      )}
      {setting.length > 0 && <Sides head="Environment and git" a={a} b={b} rows={setting} />}
    </>
  );
}

/** The diff of two of ``runIds`` (oldest first), picked with two selects: at first the
 * two oldest, so the diff reads forward in time. */
export function RunDiffView(props: { runIds: string[] }): JSX.Element {
  const shell = useShell();
  const [pair, setPair] = React.useState<[string, string]>([props.runIds[0], props.runIds[1]]);
  const found = useResource(() => api.diff(pair[0], pair[1]), [pair.join(',')], shell.refresher);
  const pick = (side: 0 | 1, id: string) => setPair(side === 0 ? [id, pair[1]] : [pair[0], id]);
  return (
    <section className="jp-mlops-rundiff" aria-label="why they differ">
      <h3>Why they differ</h3>
      {props.runIds.length > 2 && (
        <div className="jp-mlops-toolbar">
          {([0, 1] as const).map(side => (
            <HTMLSelect
              key={side}
              aria-label={side ? 'diff to run' : 'diff from run'}
              value={pair[side]}
              onChange={e => pick(side, e.target.value)}
              options={props.runIds.map(id => ({ label: shortId(id), value: id }))}
            />
          ))}
        </div>
      )}
      <Loaded resource={found}>{d => <Found d={d} />}</Loaded>
    </section>
  );
}
