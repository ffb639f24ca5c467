// Landing on a recorded cell, and opening a job's executed notebook, in JupyterLab.
import { PageConfig } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Contents } from '@jupyterlab/services';
import { api } from './api';
import { shortId, underRoot } from './format';

/** Where copies of job outputs that lie outside the server's root are put to be opened. */
export const OUTPUT_COPIES = 'mlops-job-outputs';

async function exists(contents: Contents.IManager, path: string): Promise<boolean> {
  try {
    await contents.get(path, { content: false });
    return true;
  } catch {
    return false;
  }
}

/** Open the notebook at ``path`` and scroll to the cell whose nbformat id is ``cellId``. */
export async function openCell(
  docs: IDocumentManager,
  recorded: string,
  cellId: string | null
): Promise<void> {
  const path = underRoot(recorded, PageConfig.getOption('serverRoot'));
  if (path === null) {
    throw new Error(`The notebook ${recorded} is outside the folder this JupyterLab serves.`);
  }
  if (!(await exists(docs.services.contents, path))) {
    throw new Error(`The notebook ${path} is not there any more (moved or deleted).`);
  }
  const widget = docs.openOrReveal(path);
  if (!(widget instanceof NotebookPanel)) {
    throw new Error(`${path} did not open as a notebook.`);
  }
  await widget.context.ready;
  await widget.revealed;
  const notebook = widget.content;
  const index = notebook.widgets.findIndex(cell => cell.model.id === cellId);
  if (index < 0) {
    throw new Error(`The cell is no longer in ${path} (deleted since it ran).`);
  }
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  await notebook.scrollToCell(notebook.widgets[index], 'center');
}

/** Open job ``runId``'s executed notebook: in place when under the root, else a copy. */
export async function openOutput(docs: IDocumentManager, runId: string): Promise<void> {
  const found = await api.jobOutput(runId);
  let path = found.path;
  if (path === null) {
    const contents = docs.services.contents;
    if (!(await exists(contents, OUTPUT_COPIES))) {
      await contents.save(OUTPUT_COPIES, { type: 'directory' });
    }
    path = `${OUTPUT_COPIES}/${shortId(runId)}-${found.name}`;
    await contents.save(path, { type: 'notebook', format: 'json', content: found.notebook });
  }
  docs.openOrReveal(path);
}
