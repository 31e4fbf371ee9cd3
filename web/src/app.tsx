// The page shell: skip link, header with navigation and sign-out, the main landmark with the
// route's page, and one polite live region for asynchronous news.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Session } from './api/types';
import { setUnauthenticatedHandler } from './api/client';
import { announce, setAnnouncer } from './announce';
import { ExecutionPage } from './pages/execution';
import { ExecutionsPage } from './pages/executions';
import { MyTasksPage } from './pages/my-tasks';
import { NotAllowedPage, NotFoundPage } from './pages/not-found';
import { OverduePage } from './pages/overdue';
import { AdoptionMatrixPage, PolicyUpdatesPage } from './pages/policy-adoption';
import { mayHold, mayPurge, RetentionPage } from './pages/retention';
import { AuditPage } from './pages/audit';
import { SignInPage } from './pages/sign-in';
import { TaskPage } from './pages/task';
import type { Location, Route } from './router';
import { currentLocation, Link, matchRoute, navigate, paths, safeNext, useLocation } from './router';
import { canCoordinate, isAdmin, loadSession, sessionExpired, signOut, useSession } from './session';

export function App() {
  const location = useLocation();
  const state = useSession();
  const route = matchRoute(location.path);
  const [message, setMessage] = useState('');

  useEffect(() => {
    setAnnouncer((text) => {
      // Clear first so the same words twice are still read.
      setMessage('');
      window.setTimeout(() => setMessage(text), 50);
    });
    setUnauthenticatedHandler(() => {
      sessionExpired();
      const here = currentLocation();
      if (matchRoute(here.path).name !== 'sign-in') navigate(paths.signIn(here.href), { replace: true });
    });
    void loadSession();
    return () => setAnnouncer(null);
  }, []);

  // Signed out: to the sign-in page (and back here afterwards); signed in: away from it.
  useEffect(() => {
    if (state.status === 'signed-out' && route.name !== 'sign-in') {
      // Back here after signing in again, unless the person chose to sign out.
      navigate(paths.signIn(state.reason === 'signed-out' ? undefined : location.href), { replace: true });
    } else if (state.status === 'signed-in' && route.name === 'sign-in') {
      navigate(safeNext(location.query.get('next')), { replace: true });
    }
  }, [state, route.name, location.href]);

  useFocusOnNavigation(location.path);

  const session = state.status === 'signed-in' ? state.session : null;
  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to main content
      </a>
      <header class="site-header">
        <div class="header-inner">
          <p class="brand">
            <Link href={paths.tasks()}>Coalition</Link>
          </p>
          {session ? <MainNav session={session} route={route} /> : null}
          {session ? (
            <div class="who">
              <span class="who-name">
                {session.person} <span class="muted">({session.organisation})</span>
              </span>
              <button
                type="button"
                class="button-secondary"
                onClick={() => {
                  void signOut().finally(() => announce('You have signed out.'));
                }}
              >
                Sign out
              </button>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {state.status === 'loading' ? (
          <p class="loading" role="status">
            Loading…
          </p>
        ) : route.name === 'sign-in' ? (
          state.status === 'signed-out' ? (
            <SignInPage location={location} state={state} />
          ) : null
        ) : session ? (
          <Page route={route} location={location} session={session} />
        ) : null}
      </main>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {message}
      </div>
    </>
  );
}

function MainNav(props: { session: Session; route: Route }) {
  const { session, route } = props;
  // Everyone follows the executions they may see (the server decides which: their tasks', and
  // those of workflows that list one of their roles as a follower); coordinators see them all.
  const items: { href: string; label: string; current: boolean }[] = [
    { href: paths.tasks(), label: 'My tasks', current: route.name === 'tasks' || route.name === 'task' },
    {
      href: paths.executions(),
      label: 'Executions',
      current: route.name === 'executions' || route.name === 'execution',
    },
  ];
  if (canCoordinate(session)) {
    items.push({ href: paths.overdue(), label: 'Overdue and escalated', current: route.name === 'overdue' });
    items.push({
      href: paths.adoption(),
      label: 'Policy adoption',
      current: route.name === 'adoption' || route.name === 'adoption-matrix',
    });
  }
  if (mayHold(session) || mayPurge(session)) {
    items.push({ href: paths.retention(), label: 'Retention', current: route.name === 'retention' });
  }
  if (isAdmin(session))
    items.push({ href: paths.audit(), label: 'Audit log', current: route.name === 'audit' });
  return (
    <nav class="main-nav" aria-label="Main">
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href} aria-current={item.current ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Page(props: { route: Route; location: Location; session: Session }) {
  const { route, location, session } = props;
  switch (route.name) {
    case 'tasks':
      return <MyTasksPage location={location} />;
    case 'task':
      return <TaskPage id={route.id} session={session} />;
    case 'execution':
      return <ExecutionPage id={route.id} session={session} />;
    case 'executions':
      return <ExecutionsPage location={location} />;
    case 'overdue':
      return canCoordinate(session) ? <OverduePage location={location} /> : <NotAllowedPage />;
    case 'adoption':
      return canCoordinate(session) ? <PolicyUpdatesPage location={location} /> : <NotAllowedPage />;
    case 'adoption-matrix':
      return canCoordinate(session) ? <AdoptionMatrixPage id={route.id} /> : <NotAllowedPage />;
    case 'retention':
      return mayHold(session) || mayPurge(session) ? (
        <RetentionPage session={session} location={location} />
      ) : (
        <NotAllowedPage />
      );
    case 'audit':
      return isAdmin(session) ? <AuditPage /> : <NotAllowedPage />;
    case 'sign-in':
    case 'not-found':
      return <NotFoundPage />;
  }
}

/** After moving to another path, focus the new page's h1 (once it is there). */
function useFocusOnNavigation(path: string): void {
  const last = useRef<string | null>(null);
  const pending = useRef(false);
  useEffect(() => {
    if (last.current !== null && last.current !== path) pending.current = true;
    last.current = path;
  }, [path]);
  useEffect(() => {
    if (!pending.current) return;
    const heading = document.getElementById('page-heading');
    if (heading) {
      pending.current = false;
      heading.focus();
    }
  });
}
