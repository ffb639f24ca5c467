// What identifies a main-area tab: one tab per item (a run, a lineage node, a report), so
// opening an item twice focuses its tab. Pure: unit tested.
import { View } from '../context';
import { shortId } from '../format';
import { lineageKind } from '../types';

/** The item a view shows, as a key: "run:ID", "lineage:run:ID", "runs". */
export function viewKey(view: View): string {
  switch (view.tab) {
    case 'run':
      return `run:${view.runId}`;
    case 'compare':
      return `compare:${[...view.runIds].sort().join(',')}`;
    case 'models':
      return `models:${view.model ?? ''}${view.version ? `:${view.version}` : ''}`;
    case 'lineage':
      return `lineage:${view.kind ?? ''}:${view.node ?? ''}`;
    case 'drift':
      return `drift:${view.reportId ?? ''}`;
    default:
      return view.tab;
  }
}

/** A DOM id of the tab showing ``view`` (what JupyterLab activates). */
export function viewId(view: View): string {
  return `jupyter-mlops-${viewKey(view).replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The tab's title; an id shows as its short form, never raw. */
export function viewTitle(view: View): string {
  switch (view.tab) {
    case 'runs':
      return 'MLOps runs';
    case 'run':
      return `Run ${view.name ?? shortId(view.runId)}`;
    case 'compare':
      return `Compare ${view.runIds.length} runs`;
    case 'models':
      if (view.model && view.version) {
        return `Model ${view.model}:${view.version}`;
      }
      return view.model ? `Model ${view.model}` : 'MLOps models';
    case 'lineage':
      return view.node ? `Lineage ${shortId(view.node)}` : 'MLOps lineage';
    case 'drift':
      return view.reportId ? `Drift ${shortId(view.reportId)}` : 'MLOps drift';
    case 'jobs':
      return 'MLOps jobs';
    case 'alerts':
      return 'MLOps alerts';
  }
}

/** A command's arguments as the view it opens (an unknown or missing id: the list view). */
export function commandView(
  tab: 'runs' | 'run' | 'lineage' | 'drift' | 'models' | 'jobs',
  args: { [key: string]: unknown }
): View {
  const text = (key: string) =>
    typeof args[key] === 'string' && args[key] ? (args[key] as string) : undefined;
  switch (tab) {
    case 'run': {
      const runId = text('runId');
      return runId ? { tab: 'run', runId } : { tab: 'runs' };
    }
    case 'lineage':
      return { tab: 'lineage', node: text('node'), kind: lineageKind(text('kind') ?? '') };
    case 'drift':
      return { tab: 'drift', reportId: text('reportId') };
    case 'models': {
      // a version (a number, or its digits) opens that one version of ``model``
      const model = text('model');
      const version = Number(args.version);
      return model && Number.isInteger(version) && version > 0
        ? { tab: 'models', model, version }
        : { tab: 'models', model };
    }
    default:
      return { tab };
  }
}

/** A run as people read it: its name once the server gives one, else its short id. */
export function runLabel(run: { run_id: string; name?: string | null }): string {
  return run.name || shortId(run.run_id);
}
