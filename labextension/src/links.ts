// Links into the main area: `/lab?mlops-run=ID` and `/lab?mlops-drift=REPORT` (what alert
// messages carry when a base URL is configured: jupyter_mlops/alerts/rules.py).
import { View } from './context';

/** The view a URL's query asks for, or null when it names none. */
export function linked(search: string): View | null {
  const query = new URLSearchParams(search);
  const run = query.get('mlops-run');
  if (run) {
    return { tab: 'run', runId: run };
  }
  const report = query.get('mlops-drift');
  return report ? { tab: 'drift', reportId: report } : null;
}
