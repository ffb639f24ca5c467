// Schedules (pause, resume, run now) and recent job executions with their output notebooks.
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { Empty, ErrorMessage, Loaded, useShell } from './context';
import { describeError, formatDuration, formatTime, shortId } from './format';
import { useResource } from './poll';
import { Schedule } from './types';

function ScheduleRow(props: { schedule: Schedule; onChange: () => void }): JSX.Element {
  const s = props.schedule;
  const [note, setNote] = React.useState<string>();
  const [error, setError] = React.useState<string>();
  const act = async (what: () => Promise<string>) => {
    setError(undefined);
    setNote(undefined);
    try {
      setNote(await what());
      props.onChange();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <tr data-schedule={s.name}>
      <th scope="row">{s.name}</th>
      <td>
        <code>{s.cron}</code>
      </td>
      <td>{s.paused ? 'paused' : formatTime(s.next_run)}</td>
      <td className={`jp-mlops-status-${s.last_status}`}>{s.last_status ?? 'never ran'}</td>
      <td className="jp-mlops-actions">
        <Button
          small
          onClick={() =>
            act(() =>
              api.pauseSchedule(s.name, !s.paused).then(() => (s.paused ? 'resumed' : 'paused'))
            )
          }
        >
          {s.paused ? 'Resume' : 'Pause'}
        </Button>
        <Button
          small
          onClick={() =>
            act(() =>
              api
                .runSchedule(s.name)
                .then(r =>
                  r.run_id ? `started run ${shortId(r.run_id)}` : 'queued for the scheduler'
                )
            )
          }
        >
          Run now
        </Button>
        {note && (
          <span className="jp-mlops-ok" role="status">
            {note}
          </span>
        )}
        <ErrorMessage error={error} />
      </td>
    </tr>
  );
}

function OpenOutput(props: { runId: string }): JSX.Element {
  const shell = useShell();
  const [error, setError] = React.useState<string>();
  const open = () => {
    setError(undefined);
    shell.openOutput(props.runId).catch(e => setError(describeError(e)));
  };
  return (
    <>
      <button className="jp-mlops-link jp-mlops-output" onClick={open}>
        output notebook
      </button>
      <ErrorMessage error={error} />
    </>
  );
}

export function JobsView(): JSX.Element {
  const shell = useShell();
  const schedules = useResource(() => api.schedules(), [], shell.refresher);
  const jobs = useResource(() => api.jobs(), [], shell.refresher);
  const changed = () => {
    schedules.reload();
    jobs.reload();
  };
  return (
    <div className="jp-mlops-jobs">
      <h4>Schedules</h4>
      <Loaded resource={schedules}>
        {s =>
          s.schedules.length ? (
            <table className="jp-mlops-table jp-mlops-schedules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Cron</th>
                  <th>Next run</th>
                  <th>Last status</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {s.schedules.map(x => (
                  <ScheduleRow key={x.name} schedule={x} onChange={changed} />
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>
              No schedules. From a terminal:{' '}
              <code>jupyter mlops schedule add train.ipynb "0 3 * * *"</code>.
            </Empty>
          )
        }
      </Loaded>
      <h4>Recent jobs</h4>
      <Loaded resource={jobs}>
        {j =>
          j.jobs.length ? (
            <table className="jp-mlops-table jp-mlops-job-runs">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Notebook</th>
                  <th>Status</th>
                  <th>Duration</th>
                  <th>Output</th>
                </tr>
              </thead>
              <tbody>
                {j.jobs.map(job => (
                  <tr key={job.run_id} data-run={job.run_id}>
                    <td>
                      <button
                        className="jp-mlops-link"
                        onClick={() => shell.navigate({ tab: 'run', runId: job.run_id })}
                      >
                        {formatTime(job.started)}
                      </button>
                    </td>
                    <td title={job.notebook ?? ''}>
                      {(job.notebook ?? '–').split('/').pop()}
                      {job.schedule ? ` (${job.schedule})` : ''}
                    </td>
                    <td className={`jp-mlops-status-${job.status}`} title={job.reason ?? ''}>
                      {job.status}
                      {job.error_type ? ` · ${job.error_type}` : ''}
                    </td>
                    <td>{formatDuration(job.duration_s)}</td>
                    <td>{job.output ? <OpenOutput runId={job.run_id} /> : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>
              No jobs yet. Run a notebook as a job:{' '}
              <code>jupyter mlops run train.ipynb -p C=0.5</code>.
            </Empty>
          )
        }
      </Loaded>
    </div>
  );
}
