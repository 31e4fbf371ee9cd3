// Who is signed in: the session document of GET /v1/session, kept for the whole page. The
// credential itself is an HttpOnly cookie the page never sees; the CSRF token goes to the client.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, setCsrfToken } from './api/client';
import { endSession, getSession } from './api/endpoints';
import type { Session } from './api/types';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: 'expired' | 'signed-out' | 'unreachable'; detail?: string }
  | { status: 'signed-in'; session: Session };

let state: SessionState = { status: 'loading' };
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  setCsrfToken(next.status === 'signed-in' ? next.session.csrf : null);
  for (const listener of listeners) listener();
}

export function sessionState(): SessionState {
  return state;
}

export function useSession(): SessionState {
  const [, force] = useState(0);
  useEffect(() => {
    const listener = () => force((n) => n + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return state;
}

/** Asks the server who is signed in (at start). */
export async function loadSession(): Promise<void> {
  try {
    set({ status: 'signed-in', session: await getSession() });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 404)) {
      set({ status: 'signed-out' });
    } else {
      set({
        status: 'signed-out',
        reason: 'unreachable',
        detail: err instanceof ApiError ? err.problem.detail : 'The server could not be reached.',
      });
    }
  }
}

export function signedIn(session: Session): void {
  set({ status: 'signed-in', session });
}

/** The server said 401: the session expired or was ended elsewhere. */
export function sessionExpired(): void {
  if (state.status === 'signed-in') set({ status: 'signed-out', reason: 'expired' });
  else if (state.status === 'loading') set({ status: 'signed-out' });
}

export async function signOut(): Promise<void> {
  try {
    await endSession();
  } finally {
    set({ status: 'signed-out', reason: 'signed-out' });
  }
}

export function hasScope(session: Session, scope: string): boolean {
  return session.scopes.includes(scope);
}

/** Coordinators and administrators follow executions. */
export function canCoordinate(session: Session): boolean {
  return hasScope(session, 'coordinate') || hasScope(session, 'admin');
}

export function isAdmin(session: Session): boolean {
  return hasScope(session, 'admin');
}
