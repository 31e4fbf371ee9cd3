// The one way the page talks to the server: same-origin fetch with the session cookie, JSON in
// and out, the CSRF token on every state-changing request, RFC 9457 problems as ApiError, and a
// 401 sends the person to the sign-in page (except where the caller handles it itself).
import type { Problem } from './types';

/** An answer that is not 2xx, with the server's problem document (or one made up for it). */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string {
    return this.problem.code;
  }
}

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  /** Query parameters; undefined, null, '' and false are left out. */
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /**
   * false: a 401 is the caller's business (the session probe, signing in); otherwise it sends
   * the person to the sign-in page before the promise rejects.
   */
  redirectOn401?: boolean;
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** The CSRF token of the session document; null when signed out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when the server says the session is gone (set once by the app shell). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '' || value === false) continue;
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function apiGet<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return request<T>('GET', path, undefined, options);
}

export function apiPost<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return request<T>('POST', path, body, options);
}

/** Encodes one path segment (task and execution ids contain dots, never slashes, but be safe). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  options: RequestOptions,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.signal) init.signal = options.signal;
  if (method === 'POST') {
    headers['Content-Type'] = 'application/json';
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      code: 'network',
      detail: 'The server could not be reached. Check the connection and try again.',
    });
  }
  const text = await response.text();
  if (response.ok) {
    if (!text) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({
        type: 'about:blank',
        title: 'Unreadable answer',
        status: response.status,
        code: 'bad_response',
        detail: 'The server answered with something that is not JSON.',
      });
    }
  }
  const problem = toProblem(response, text);
  if (problem.status === 401 && options.redirectOn401 !== false && onUnauthenticated) {
    onUnauthenticated();
  }
  throw new ApiError(problem);
}

/** The server's problem document, or one that says what happened in its place. */
export function toProblem(response: { status: number; statusText: string }, text: string): Problem {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isProblem(parsed)) {
    return {
      ...parsed,
      status: typeof parsed.status === 'number' ? parsed.status : response.status,
      title: typeof parsed.title === 'string' ? parsed.title : response.statusText,
      type: typeof parsed.type === 'string' ? parsed.type : 'about:blank',
      code: typeof parsed.code === 'string' ? parsed.code : `http_${response.status}`,
    };
  }
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    code: `http_${response.status}`,
    detail: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
  };
}

type MaybeProblem = Partial<Problem> & { detail: string };

function isProblem(value: unknown): value is MaybeProblem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.detail !== 'string') return false;
  if (v.pointer !== undefined && typeof v.pointer !== 'string') return false;
  if (v.problems !== undefined) {
    if (!Array.isArray(v.problems)) return false;
    for (const p of v.problems as unknown[]) {
      if (typeof p !== 'object' || p === null) return false;
      const item = p as Record<string, unknown>;
      if (typeof item.pointer !== 'string' || typeof item.message !== 'string') return false;
    }
  }
  return true;
}

/** The words to show for any error: the engine's detail for an ApiError. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.problem.detail || err.problem.title;
  if (err instanceof Error) return err.message;
  return String(err);
}
