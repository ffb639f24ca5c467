// What a run keeps: a gallery of its figures and cell outputs, a list of every artifact
// (each downloadable), and the images a cell displayed, shown beside it in the timeline.
import * as React from 'react';
import { api } from './api';
import { Empty, ErrorMessage, Loaded, useShell } from './context';
import { describeError } from './format';
import { Resource, useResource } from './poll';
import { Artifact, Artifacts } from './types';

/** Media types the browser shows in an ``<img>`` (which runs no script, SVG included). */
const IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml']);

/** A run's artifacts, polled with the rest of the run detail. */
export function useArtifacts(runId: string): Resource<Artifacts> {
  const shell = useShell();
  return useResource(() => api.artifacts(runId), [runId], shell.refresher);
}

/** The images worth showing: a figure kept as PNG and SVG is shown once (its PNG). */
export function pictures(artifacts: Artifact[]): Artifact[] {
  const names = new Set(artifacts.map(a => a.name));
  return artifacts.filter(
    a =>
      IMAGES.has(a.media_type) &&
      !(a.media_type === 'image/svg+xml' && names.has(a.name.replace(/\.svg$/, '.png')))
  );
}

/** The pictures each cell logged or displayed, by the cell's seq. */
export function bySeq(artifacts: Artifact[]): Map<number, Artifact[]> {
  const found = new Map<number, Artifact[]>();
  for (const a of pictures(artifacts)) {
    if (a.seq !== null && a.seq !== undefined) {
      found.set(a.seq, [...(found.get(a.seq) ?? []), a]);
    }
  }
  return found;
}

export function formatBytes(size: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit ? value.toFixed(value < 10 ? 1 : 0) : value} ${units[unit]}`;
}

/** An artifact's image, fetched with the server's credentials into an object URL. */
export function ArtifactImage(props: { artifact: Artifact; small?: boolean }): JSX.Element {
  const { run_id, name } = props.artifact;
  const [url, setUrl] = React.useState<string>();
  const [error, setError] = React.useState<string>();
  React.useEffect(() => {
    let made: string | undefined;
    let live = true;
    api
      .artifactBlob(run_id, name)
      .then(blob => {
        made = URL.createObjectURL(blob);
        if (live) {
          setUrl(made);
        }
      })
      .catch(e => live && setError(describeError(e)));
    return () => {
      live = false;
      if (made) {
        URL.revokeObjectURL(made);
      }
    };
  }, [run_id, name, props.artifact.sha256]);
  if (error) {
    return <span className="jp-mlops-error">{error}</span>;
  }
  return (
    <img
      className={props.small ? 'jp-mlops-thumb' : 'jp-mlops-figure'}
      src={url}
      alt={name}
      title={name}
      data-artifact={name}
    />
  );
}

async function save(artifact: Artifact): Promise<void> {
  const blob = await api.artifactBlob(artifact.run_id, artifact.name);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = artifact.name.split('/').pop() ?? artifact.name;
  link.click();
  URL.revokeObjectURL(link.href);
}

function FileList(props: { artifacts: Artifact[] }): JSX.Element {
  const [error, setError] = React.useState<string>();
  return (
    <>
      <ErrorMessage error={error} />
      <table className="jp-mlops-table jp-mlops-artifact-list">
        <thead>
          <tr>
            <th>name</th>
            <th>kind</th>
            <th>size</th>
            <th>cell</th>
          </tr>
        </thead>
        <tbody>
          {props.artifacts.map(a => (
            <tr key={a.name} data-artifact={a.name}>
              <td>
                {a.kind === 'dir' ? (
                  <span title={`a folder; jupyter mlops artifacts get ${a.run_id} ${a.name}`}>
                    {a.name}/
                  </span>
                ) : (
                  <button
                    className="jp-mlops-link"
                    title={`download (${a.media_type})`}
                    onClick={() => save(a).catch(e => setError(describeError(e)))}
                  >
                    {a.name}
                  </button>
                )}
              </td>
              <td>{a.kind}</td>
              <td className="jp-mlops-number">{formatBytes(a.size)}</td>
              <td>{a.seq ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The run detail's artifacts section: the gallery, then the file list. */
export function ArtifactsView(props: { resource: Resource<Artifacts> }): JSX.Element {
  return (
    <Loaded resource={props.resource}>
      {found => {
        if (!found.artifacts.length) {
          return <Empty>No artifacts kept (mlops.log_artifact, log_figure, …).</Empty>;
        }
        const shown = pictures(found.artifacts);
        return (
          <>
            {shown.length > 0 && (
              <div className="jp-mlops-gallery">
                {shown.map(a => (
                  <figure key={a.name}>
                    <ArtifactImage artifact={a} />
                    <figcaption>{a.name}</figcaption>
                  </figure>
                ))}
              </div>
            )}
            <FileList artifacts={found.artifacts} />
          </>
        );
      }}
    </Loaded>
  );
}

/** The pictures of one cell, beside it in the timeline. */
export function CellPictures(props: { artifacts?: Artifact[] }): JSX.Element | null {
  if (!props.artifacts?.length) {
    return null;
  }
  return (
    <span className="jp-mlops-cell-pictures">
      {props.artifacts.map(a => (
        <ArtifactImage key={a.name} artifact={a} small />
      ))}
    </span>
  );
}
