// The plugin: the MLOps panel in the left area, its command, and its settings.
import {
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import mlopsSvg from '../style/icons/mlops.svg';
import { notifyAlerts } from './notify';
import { openCell, openOutput } from './open';
import { MLOpsPanel } from './panel';
import { linked } from './links';
import { Refresher } from './poll';
import { addMainViews } from './views/mainarea';

const PLUGIN_ID = 'jupyter-mlops:plugin';
const OPEN = 'jupyter-mlops:open';
const SHOW = 'jupyter-mlops:show-linked';

export const mlopsIcon = new LabIcon({ name: 'jupyter-mlops:icon', svgstr: mlopsSvg });

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The MLOps sidebar: runs, cells, models, lineage, drift and jobs.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [ICommandPalette, ISettingRegistry, ILayoutRestorer, IRouter],
  activate: (
    app: JupyterFrontEnd,
    docs: IDocumentManager,
    palette: ICommandPalette | null,
    registry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null,
    router: IRouter | null
  ) => {
    const actions = {
      columns: [],
      openCell: (path: string, cellId: string | null) => openCell(docs, path, cellId),
      openOutput: (runId: string) => openOutput(docs, runId)
    };
    const main = addMainViews(app, actions, mlopsIcon, palette, restorer);
    const refresher: Refresher = new Refresher(() => !panel.isVisible, 3);
    const panel: MLOpsPanel = new MLOpsPanel({ ...actions, refresher, open: main.open }, []);
    panel.title.icon = mlopsIcon;
    panel.title.caption = 'MLOps';
    app.shell.add(panel, 'left', { rank: 600 });
    app.restored.then(() => {
      refresher.poll.start();
      notifyAlerts(10);
    });
    app.commands.addCommand(OPEN, {
      label: 'MLOps: open panel',
      caption: 'Show the MLOps sidebar (runs, models, lineage, drift, jobs)',
      icon: mlopsIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: OPEN, category: 'MLOps' });
    // a link to a run or a drift report (an alert's, see docs/alerts.md) opens its tab
    app.commands.addCommand(SHOW, {
      execute: args => {
        const view = linked(String((args as IRouter.ILocation).search ?? ''));
        if (view) {
          void app.restored.then(() => main.open(view));
        }
      }
    });
    router?.register({ command: SHOW, pattern: /[?&]mlops-(run|drift)=/ });
    restorer?.add(panel, 'jupyter-mlops');
    if (registry) {
      registry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            const seconds = settings.get('pollInterval').composite as number;
            refresher.seconds = seconds;
            main.refresher.seconds = seconds;
            panel.settings = settings.get('columns').composite as string[];
            panel.setMetric(settings.get('metric').composite as string, m =>
              settings.set('metric', m).catch(e => console.warn('jupyter-mlops: metric', e))
            );
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => console.warn('jupyter-mlops: settings not loaded', reason));
    }
  }
};

export default plugin;
