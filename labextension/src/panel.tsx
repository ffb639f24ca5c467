// The sidebar panel: a tab bar and the current view, live while the panel is shown.
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { AlertsView } from './alerts';
import { CompareView } from './compare';
import { Shell, ShellContext, View } from './context';
import { RunDetailView } from './detail';
import { DriftView } from './drift';
import { JobsView } from './jobs';
import { LineageView } from './lineage';
import { ModelsView } from './models';
import { RunsView } from './runs';

const TABS: { tab: View['tab']; label: string }[] = [
  { tab: 'runs', label: 'Runs' },
  { tab: 'models', label: 'Models' },
  { tab: 'lineage', label: 'Lineage' },
  { tab: 'drift', label: 'Drift' },
  { tab: 'jobs', label: 'Jobs' },
  { tab: 'alerts', label: 'Alerts' }
];

/** The sidebar's view of ``view``; the main area reuses it for what it shows the same way. */
export function current(view: View): JSX.Element {
  switch (view.tab) {
    case 'runs':
      return <RunsView />;
    case 'run':
      return <RunDetailView key={view.runId} runId={view.runId} />;
    case 'compare':
      return <CompareView runIds={view.runIds} />;
    case 'models':
      return <ModelsView model={view.model} />;
    case 'lineage':
      return <LineageView node={view.node} kind={view.kind} />;
    case 'drift':
      return <DriftView reportId={view.reportId} />;
    case 'jobs':
      return <JobsView />;
    case 'alerts':
      return <AlertsView />;
  }
}

function Panel(props: { shell: Omit<Shell, 'navigate'> }): JSX.Element {
  const [view, navigate] = React.useState<View>({ tab: 'runs' });
  // a run opens in the main area; the sidebar stays the navigator
  const shell = React.useMemo(
    () => ({
      ...props.shell,
      navigate: (v: View) => (v.tab === 'run' ? props.shell.open(v) : navigate(v))
    }),
    [props.shell]
  );
  const active = view.tab === 'run' || view.tab === 'compare' ? 'runs' : view.tab;
  const move = (e: React.KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step) {
      const next = TABS[(i + step + TABS.length) % TABS.length];
      navigate({ tab: next.tab } as View);
      (
        e.currentTarget.parentElement?.children[
          (i + step + TABS.length) % TABS.length
        ] as HTMLElement
      )?.focus();
    }
  };
  return (
    <ShellContext.Provider value={shell}>
      <div className="jp-mlops-tabs" role="tablist" aria-label="MLOps views">
        {TABS.map((t, i) => (
          <button
            key={t.tab}
            role="tab"
            id={`jp-mlops-tab-${t.tab}`}
            aria-selected={active === t.tab}
            tabIndex={active === t.tab ? 0 : -1}
            className={`jp-mlops-tab${active === t.tab ? ' jp-mod-current' : ''}`}
            onClick={() => navigate({ tab: t.tab } as View)}
            onKeyDown={e => move(e, i)}
          >
            {t.label}
          </button>
        ))}
        <button
          className="jp-mlops-tab jp-mlops-open-main"
          title="Open this view in the main area"
          aria-label="open in the main area"
          onClick={() => props.shell.open(view)}
        >
          ⤢
        </button>
      </div>
      <div className="jp-mlops-view" role="tabpanel" aria-labelledby={`jp-mlops-tab-${active}`}>
        {current(view)}
      </div>
    </ShellContext.Provider>
  );
}

export class MLOpsPanel extends ReactWidget {
  constructor(
    private readonly shell: Omit<Shell, 'navigate' | 'columns' | 'metric' | 'chooseMetric'>,
    private columns: string[]
  ) {
    super();
    this.id = 'jupyter-mlops-panel';
    this.addClass('jp-mlops-panel');
  }

  // the poll stands by while the panel is hidden: catch up as soon as it is shown
  protected onAfterShow(): void {
    void this.shell.refresher.poll.refresh();
  }

  set settings(columns: string[]) {
    this.columns = columns;
    this.update();
  }

  /** The metric the runs list shows, and where a new choice is saved (the settings). */
  setMetric(metric: string, save?: (metric: string) => void): void {
    this.metric = metric;
    this.saveMetric = save ?? this.saveMetric;
    this.update();
  }

  private metric = '';
  private saveMetric?: (metric: string) => void;
  private chooseMetric = (metric: string): void => {
    this.setMetric(metric);
    this.saveMetric?.(metric);
  };

  render(): JSX.Element {
    const shell = {
      ...this.shell,
      columns: this.columns,
      metric: this.metric,
      chooseMetric: this.chooseMetric
    };
    return <Panel shell={shell} />;
  }
}
