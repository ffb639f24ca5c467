import { commandView, runLabel, viewId, viewKey, viewTitle } from '../views/keys';

const RUN = '01a229defd3800002f12fe3cbdac95b2';

describe('main-area views', () => {
  it('keys one tab per item', () => {
    expect(viewKey({ tab: 'run', runId: RUN })).toBe(`run:${RUN}`);
    expect(viewKey({ tab: 'compare', runIds: ['b', 'a'] })).toBe(
      viewKey({ tab: 'compare', runIds: ['a', 'b'] })
    );
    expect(viewKey({ tab: 'lineage', node: 'churn:1' })).not.toBe(
      viewKey({ tab: 'lineage', node: 'churn:2' })
    );
    expect(viewId({ tab: 'models', model: 'churn model' })).toMatch(/^[\w-]+$/);
  });
  it('titles a tab without a raw id', () => {
    expect(viewTitle({ tab: 'run', runId: RUN })).toBe('Run 01a229defd38');
    expect(viewTitle({ tab: 'run', runId: RUN, name: 'brave-quail' })).toBe('Run brave-quail');
    expect(viewTitle({ tab: 'runs' })).toBe('MLOps runs');
  });
  it("reads a command's arguments; no id opens the list", () => {
    expect(commandView('run', { runId: RUN })).toEqual({ tab: 'run', runId: RUN });
    expect(commandView('run', {})).toEqual({ tab: 'runs' });
    expect(commandView('lineage', { node: 'x', kind: 'dataset' })).toEqual({
      tab: 'lineage',
      node: 'x',
      kind: 'dataset'
    });
    expect(commandView('lineage', { node: 'x', kind: 'nonsense' }).tab).toBe('lineage');
    expect(commandView('drift', { reportId: 7 })).toEqual({ tab: 'drift', reportId: undefined });
    expect(commandView('models', { model: 'churn', version: '2' })).toEqual({
      tab: 'models',
      model: 'churn',
      version: 2
    });
    expect(commandView('models', { model: 'churn', version: 'x' })).toEqual({
      tab: 'models',
      model: 'churn'
    });
    expect(viewKey({ tab: 'models', model: 'churn', version: 2 })).not.toBe(
      viewKey({ tab: 'models', model: 'churn' })
    );
    expect(viewTitle({ tab: 'models', model: 'churn', version: 2 })).toBe('Model churn:2');
  });
  it('names a run by its name once it has one', () => {
    expect(runLabel({ run_id: RUN })).toBe('01a229defd38');
    expect(runLabel({ run_id: RUN, name: 'churn-3' })).toBe('churn-3');
  });
});
