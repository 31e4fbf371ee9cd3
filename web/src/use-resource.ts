// Loading one thing from the API for a page: loading, loaded or failed, reloadable; a change of
// the key (or leaving the page) aborts the request in flight.
import { useCallback, useEffect, useState } from 'preact/hooks';

export type Resource<T> =
  | { status: 'loading'; reload: () => void }
  | { status: 'ok'; data: T; reload: () => void; refreshing: boolean }
  | { status: 'error'; error: unknown; reload: () => void };

type Inner<T> =
  | { key: string; status: 'loading' }
  | { key: string; status: 'ok'; data: T; refreshing: boolean }
  | { key: string; status: 'error'; error: unknown };

/** `key` says what is asked for: when it changes, `load` runs again and the old answer goes. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Resource<T> {
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<Inner<T>>({ key, status: 'loading' });
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    // A reload of the same thing keeps what is shown; another key starts afresh.
    setState((prev) =>
      prev.key === key && prev.status === 'ok' ? { ...prev, refreshing: true } : { key, status: 'loading' },
    );
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ key, status: 'ok', data, refreshing: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ key, status: 'error', error });
      },
    );
    return () => controller.abort();
    // `load` is a new function on every render; `key` and `generation` say when to run it.
  }, [key, generation]);

  if (state.key !== key) return { status: 'loading', reload };
  if (state.status === 'ok') {
    return { status: 'ok', data: state.data, refreshing: state.refreshing, reload };
  }
  if (state.status === 'error') return { status: 'error', error: state.error, reload };
  return { status: 'loading', reload };
}
