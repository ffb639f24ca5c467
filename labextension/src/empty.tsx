// What a section shows before anything is recorded: how to record it, as a snippet to copy.
import * as React from 'react';

/** The cells that record a first run. */
export const FIRST_RUN = `%load_ext jupyter_mlops
mlops.log_param("C", 0.5)
mlops.log_metric("auc", 0.91)`;

/** Code to copy, with a Copy button (the clipboard may be refused: the code stays selectable). */
export function Snippet(props: { code: string; label: string }): JSX.Element {
  const [copied, setCopied] = React.useState(false);
  const copy = () =>
    navigator.clipboard?.writeText(props.code).then(
      () => setCopied(true),
      () => setCopied(false)
    );
  return (
    <div className="jp-mlops-snippet">
      <pre aria-label={props.label}>{props.code}</pre>
      <button className="jp-mlops-link" onClick={copy} title="copy to the clipboard">
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** An empty section: what it will show, and the code that records it. */
export function FirstSteps(props: { what: string; code?: string }): JSX.Element {
  return (
    <div className="jp-mlops-empty jp-mlops-first">
      <p>{props.what}</p>
      <Snippet code={props.code ?? FIRST_RUN} label="code to record it" />
    </div>
  );
}

/** The runs list before any run: how to record the first. */
export function FirstRun(): JSX.Element {
  return (
    <FirstSteps what="No runs recorded yet. Run this in a notebook to record your first run: every cell, param and metric after it is kept." />
  );
}
