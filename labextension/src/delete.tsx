// Delete a run from its detail view, after a confirmation. The server refuses a run that is
// running or that a model version references, and says why; the deletion is recorded.
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from './api';
import { ErrorMessage, useShell } from './context';
import { describeError, shortId } from './format';

export function DeleteRun(props: { runId: string; running: boolean }): JSX.Element {
  const shell = useShell();
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string>();
  const remove = async () => {
    const answer = await showDialog({
      title: `Delete run ${shortId(props.runId)}?`,
      body:
        'Its cells, params, metrics, fits, artifacts, drift reports, job output and the files ' +
        'only it references are removed. The deletion is recorded with your name.',
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (!answer.button.accept) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.deleteRun(props.runId);
      void shell.refresher.poll.refresh();
      shell.navigate({ tab: 'runs' });
    } catch (e) {
      setError(describeError(e)); // a 409 says which version keeps it, or that it runs
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        minimal
        className="jp-mlops-delete"
        disabled={busy || props.running}
        title={props.running ? 'A running run cannot be deleted' : 'Delete this run'}
        onClick={remove}
      >
        Delete
      </Button>
      <ErrorMessage error={error} />
    </>
  );
}
