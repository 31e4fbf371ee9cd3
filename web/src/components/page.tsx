// What every page has: a document title, one h1 that takes focus when the route changes (so a
// screen reader hears where it landed), and the states of loading and failing.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { errorMessage, ApiError } from '../api/client';

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – Coalition`;
  }, [title]);
}

/** The page's h1; the shell focuses it after each navigation. */
export function PageHeading(props: { children: ComponentChildren }) {
  return (
    <h1 id="page-heading" tabIndex={-1}>
      {props.children}
    </h1>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {props.what}…
    </p>
  );
}

/** An error from the API in the engine's own words (the problem's detail). */
export function ErrorAlert(props: { error: unknown; onRetry?: () => void; id?: string }) {
  const { error } = props;
  const code = error instanceof ApiError ? error.problem.code : undefined;
  return (
    <div class="alert alert-error" role="alert" id={props.id}>
      <p>{errorMessage(error)}</p>
      {code && code !== 'network' ? <p class="alert-code">Code: {code}</p> : null}
      {props.onRetry ? (
        <button type="button" class="button-secondary" onClick={props.onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A scrollable region for a wide table, reachable with the keyboard. */
export function TableRegion(props: { labelledBy: string; children: ComponentChildren }) {
  return (
    <div class="table-region" role="region" aria-labelledby={props.labelledBy} tabIndex={0}>
      {props.children}
    </div>
  );
}
