import { linked } from '../links';

describe('linked', () => {
  it('opens the run a link names', () => {
    expect(linked('?mlops-run=01abc&token=x')).toEqual({ tab: 'run', runId: '01abc' });
  });
  it('opens the drift report a link names', () => {
    expect(linked('?reset&mlops-drift=r%2F1')).toEqual({ tab: 'drift', reportId: 'r/1' });
  });
  it('ignores other queries', () => {
    expect(linked('?token=x')).toBeNull();
    expect(linked('')).toBeNull();
    expect(linked('?mlops-run=')).toBeNull();
  });
});
