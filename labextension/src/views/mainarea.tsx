// Full views in JupyterLab's main area: each item (the runs table, a run, a comparison, a
// model, a lineage graph, a drift report, the jobs) in a tab of its own, restored with the
// layout. The sidebar's views are reused: inside a tab, navigating opens another tab.
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { LabIcon, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { api } from '../api';
import { ApiError } from '../types';
import { Shell, ShellContext, View } from '../context';
import { LineageGraphView } from '../lineagegraph';
import { current } from '../panel';
import { ModelVersionView } from './modelversion';
import { Refresher } from '../poll';
import { commandView, viewId, viewKey, viewTitle } from './keys';
import { RunsTable } from './runstable';

/** The palette's commands, each opening one kind of view (with its item's id, if given). */
export const COMMANDS = {
  runs: 'jupyter-mlops:open-runs',
  run: 'jupyter-mlops:open-run',
  lineage: 'jupyter-mlops:open-lineage',
  drift: 'jupyter-mlops:open-drift',
  models: 'jupyter-mlops:open-models',
  jobs: 'jupyter-mlops:open-jobs'
} as const;
/** Opens any view from its JSON (what the layout restorer stores). */
const OPEN_VIEW = 'jupyter-mlops:open-view';

const LABELS: { [tab in keyof typeof COMMANDS]: string } = {
  runs: 'MLOps: open runs table',
  run: 'MLOps: open run',
  lineage: 'MLOps: open lineage graph',
  drift: 'MLOps: open drift report',
  models: 'MLOps: open models',
  jobs: 'MLOps: open jobs'
};

/** The main area's view: the table and the graph are its own, the rest as in the sidebar. */
function content(view: View): JSX.Element {
  switch (view.tab) {
    case 'runs':
      return <RunsTable />;
    case 'models':
      return view.model && view.version ? (
        <ModelVersionView model={view.model} version={view.version} />
      ) : (
        current(view)
      );
    case 'lineage':
      return <LineageGraphView node={view.node} kind={view.kind} />;
    default:
      return current(view);
  }
}

/** One view in a tab; a link inside it opens (or focuses) another tab. */
export class ViewWidget extends ReactWidget {
  readonly key: string;

  constructor(
    /** What the tab shows; a run's name is added once known, so a restored tab has it. */
    public view: View,
    private readonly shell: Shell
  ) {
    super();
    this.key = viewKey(view);
    this.addClass('jp-mlops-main');
    this.addClass(`jp-mlops-main-${view.tab}`);
  }

  render(): JSX.Element {
    return <ShellContext.Provider value={this.shell}>{content(this.view)}</ShellContext.Provider>;
  }
}

/** Registers the commands and the tracker; returns what opens a view in the main area. */
export function addMainViews(
  app: JupyterFrontEnd,
  shell: Omit<Shell, 'navigate' | 'open' | 'refresher' | 'metric' | 'chooseMetric'>,
  icon: LabIcon,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null
): { open: (view: View) => MainAreaWidget<ViewWidget>; refresher: Refresher } {
  const tracker = new WidgetTracker<MainAreaWidget<ViewWidget>>({
    namespace: 'jupyter-mlops-views'
  });
  // one poll for every tab, standing by while none is shown
  const refresher = new Refresher(() => !tracker.find(w => w.isVisible), 3);
  const open = (view: View): MainAreaWidget<ViewWidget> => {
    const key = viewKey(view);
    const found = tracker.find(w => w.content.key === key);
    if (found) {
      app.shell.activateById(found.id);
      return found;
    }
    // the table shows every metric: no one metric is picked here (the sidebar's setting)
    const inner = new ViewWidget(view, {
      ...shell,
      refresher,
      navigate: open,
      open,
      metric: '',
      chooseMetric: () => undefined
    });
    const widget = new MainAreaWidget({ content: inner });
    widget.id = viewId(view);
    widget.title.label = viewTitle(view);
    widget.title.caption = viewTitle(view);
    widget.title.icon = icon;
    widget.title.closable = true;
    if (view.tab === 'run') {
      // the tab shows the run's name once known (a link may carry only its id), and closes
      // once the run is deleted (rather than showing a 404 at every poll)
      const check = () =>
        api.run(view.runId).then(
          r => {
            const name = r.name ?? undefined;
            if (inner.view.tab === 'run' && inner.view.name === name) {
              return; // unchanged since the last poll: nothing to save with the layout
            }
            inner.view = { ...view, name };
            widget.title.label = widget.title.caption = viewTitle(inner.view);
            void tracker.save(widget);
          },
          error => {
            if (error instanceof ApiError && error.status === 404) {
              Notification.info(`${widget.title.label} no longer exists: its tab was closed.`, {
                autoClose: 5000
              });
              widget.dispose();
            }
            throw error;
          }
        );
      check().catch(() => undefined);
      const stop = refresher.add(check);
      widget.disposed.connect(stop);
    }
    app.shell.add(widget, 'main');
    void tracker.add(widget);
    app.shell.activateById(widget.id);
    void refresher.poll.refresh();
    return widget;
  };
  app.commands.addCommand(OPEN_VIEW, {
    label: 'MLOps: open view',
    execute: args => open((args as { view: View }).view)
  });
  for (const [tab, id] of Object.entries(COMMANDS) as [keyof typeof COMMANDS, string][]) {
    app.commands.addCommand(id, {
      label: LABELS[tab],
      caption: `${LABELS[tab]} in the main area`,
      icon,
      execute: args => open(commandView(tab, args))
    });
    palette?.addItem({ command: id, category: 'MLOps' });
  }
  restorer?.restore(tracker, {
    command: OPEN_VIEW,
    args: widget => ({ view: widget.content.view as never }),
    name: widget => widget.content.key
  });
  app.restored.then(() => refresher.poll.start());
  return { open, refresher };
}
