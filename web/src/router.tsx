// History-API routing: paths like /tasks/<id> and /executions/<id>; the server answers
// index.html for every GET path that is neither a file nor an API route.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'tasks' }
  | { name: 'task'; id: string }
  | { name: 'executions' }
  | { name: 'execution'; id: string }
  | { name: 'overdue' }
  | { name: 'adoption' }
  | { name: 'adoption-matrix'; id: string }
  | { name: 'retention' }
  | { name: 'audit' }
  | { name: 'sign-in' }
  | { name: 'not-found' };

export interface Location {
  path: string;
  query: URLSearchParams;
  /** path + search, to come back to after signing in. */
  href: string;
}

export function matchRoute(path: string): Route {
  const parts = path.split('/').filter((p) => p !== '');
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { name: 'not-found' };
  const id = second === undefined ? undefined : safeDecode(second);
  if (first === undefined) return { name: 'tasks' };
  if (first === 'tasks' && id) return { name: 'task', id };
  if (first === 'tasks' && !id) return { name: 'tasks' };
  if (first === 'executions' && id) return { name: 'execution', id };
  if (first === 'executions') return { name: 'executions' };
  if (first === 'overdue' && !id) return { name: 'overdue' };
  if (first === 'policy-adoption' && id) return { name: 'adoption-matrix', id };
  if (first === 'policy-adoption' && second === undefined) return { name: 'adoption' };
  if (first === 'retention' && second === undefined) return { name: 'retention' };
  if (first === 'audit' && !id) return { name: 'audit' };
  if (first === 'sign-in' && !id) return { name: 'sign-in' };
  return { name: 'not-found' };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export const paths = {
  tasks: () => '/',
  task: (id: string) => `/tasks/${encodeURIComponent(id)}`,
  executions: () => '/executions',
  execution: (id: string) => `/executions/${encodeURIComponent(id)}`,
  overdue: () => '/overdue',
  adoption: (id?: string) => (id ? `/policy-adoption/${encodeURIComponent(id)}` : '/policy-adoption'),
  retention: () => '/retention',
  audit: () => '/audit',
  signIn: (next?: string) =>
    next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in',
};

/** A path of this site to go to after signing in; anything else becomes "/". */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/sign-in') || next.startsWith('/v1/')) return '/';
  return next;
}

export function currentLocation(): Location {
  const { pathname, search } = window.location;
  return { path: pathname, query: new URLSearchParams(search), href: pathname + search };
}

const NAVIGATED = 'coalition:navigated';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search && !options.replace) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The current location, following pushState (navigate) and the back and forward buttons. */
export function useLocation(): Location {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLocation(currentLocation());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return location;
}

type AnchorProps = Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href' | 'onClick'>;

/** An <a href> that navigates in the page on a plain click, and as a link otherwise. */
export function Link(props: AnchorProps & { href: string; children?: ComponentChildren }) {
  const { href, children, ...rest } = props;
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

/** A query string from a record, leaving out empty values (for filters kept in the address). */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, value);
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}
