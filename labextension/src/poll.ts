// Live data: one Poll per panel refreshes whatever the panel shows. It backs off while the
// server fails and stands by while the panel (or the browser tab) is hidden.
import { Debouncer, Poll } from '@lumino/polling';
import * as React from 'react';
import { describeError } from './format';

type Refresh = () => Promise<void>;

export class Refresher {
  private readonly listeners = new Set<Refresh>();
  readonly poll: Poll;

  constructor(isHidden: () => boolean, seconds: number) {
    this.poll = new Poll({
      auto: false,
      factory: () => Promise.all([...this.listeners].map(f => f())).then(() => undefined),
      frequency: { interval: seconds * 1000, backoff: true, max: 60_000 },
      name: 'jupyter-mlops:refresh',
      standby: () => isHidden() || 'when-hidden'
    });
  }

  add(refresh: Refresh): () => void {
    this.listeners.add(refresh);
    return () => this.listeners.delete(refresh);
  }

  set seconds(value: number) {
    this.poll.frequency = { ...this.poll.frequency, interval: value * 1000 };
  }
}

export interface Resource<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/** ``load()``'s answer, loaded again when ``deps`` change and, if ``refresher``, on each poll.
 * With ``keep``, the previous answer stays shown while the next loads (a list growing a
 * page, a filter being typed) instead of "Loading…". */
export function useResource<T>(
  load: () => Promise<T>,
  deps: React.DependencyList,
  refresher?: Refresher,
  keep = false
): Resource<T> {
  const [state, setState] = React.useState<{ data?: T; error?: string; loading: boolean }>({
    loading: true
  });
  const latest = React.useRef(load);
  latest.current = load;
  const generation = React.useRef(0);
  const fetch = React.useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await latest.current();
      if (mine === generation.current) {
        setState({ data, loading: false });
      }
    } catch (error) {
      if (mine === generation.current) {
        setState(s => ({ ...s, error: describeError(error), loading: false }));
      }
      throw error; // the poll backs off
    }
  }, []);
  React.useEffect(() => {
    setState(s => (keep ? { ...s, loading: true } : { loading: true }));
    fetch().catch(() => undefined);
  }, deps);
  React.useEffect(() => (refresher ? refresher.add(fetch) : undefined), [refresher]);
  const reload = React.useCallback(() => void fetch().catch(() => undefined), [fetch]);
  return { ...state, reload };
}

/** ``value`` once it has stopped changing for ``ms`` (what a typed filter sends). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = React.useState(value);
  const debouncer = React.useMemo(
    () => new Debouncer<void, unknown, [T]>(next => setSettled(() => next), ms),
    [ms]
  );
  React.useEffect(() => () => debouncer.dispose(), [debouncer]);
  React.useEffect(() => void debouncer.invoke(value).catch(() => undefined), [value, debouncer]);
  return settled;
}
