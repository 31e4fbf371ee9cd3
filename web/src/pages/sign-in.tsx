// /sign-in: with an API token (POST /v1/session), or with an identity provider (a full-page
// navigation to /v1/auth/oidc/<id>/login, which comes back to / signed in).
import { useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api/client';
import { getProviders, providerLoginUrl, signInWithToken } from '../api/endpoints';
import { PageHeading, useDocumentTitle } from '../components/page';
import type { Location } from '../router';
import { navigate, safeNext } from '../router';
import type { SessionState } from '../session';
import { signedIn } from '../session';
import { useResource } from '../use-resource';
import { announce } from '../announce';

export function SignInPage(props: { location: Location; state: SessionState }) {
  useDocumentTitle('Sign in');
  const next = safeNext(props.location.query.get('next'));
  const failed = providerFailure(props.location.query.get('failed'));
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const providers = useResource(async (signal) => {
    try {
      return (await getProviders(signal)).providers;
    } catch (err) {
      // No identity provider configured (or no such route on this server): tokens only.
      if (err instanceof ApiError && (err.status === 404 || err.status === 401)) return [];
      throw err;
    }
  }, 'providers');
  const state = props.state;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const value = token.trim();
    if (value === '') {
      setError('Enter your API token.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await signInWithToken(value);
      setToken('');
      announce(`Signed in as ${session.person}.`);
      signedIn(session);
      navigate(next, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading>Sign in</PageHeading>
      {state.status === 'signed-out' && state.reason === 'expired' ? (
        <p class="notice" role="status">
          Your session has ended. Sign in again to go on.
        </p>
      ) : null}
      {state.status === 'signed-out' && state.reason === 'signed-out' ? (
        <p class="notice" role="status">
          You have signed out.
        </p>
      ) : null}
      {failed ? (
        <div class="alert alert-error" role="alert">
          <p>{failed}</p>
        </div>
      ) : null}
      {state.status === 'signed-out' && state.reason === 'unreachable' ? (
        <div class="alert alert-error" role="alert">
          <p>{state.detail}</p>
        </div>
      ) : null}

      <section aria-labelledby="token-heading" class="panel">
        <h2 id="token-heading">Sign in with a token</h2>
        <form onSubmit={onSubmit} noValidate aria-labelledby="token-heading">
          <div class="field">
            <label for="sign-in-token">API token</label>
            <p class="hint" id="sign-in-token-hint">
              The token your administrator gave you (it starts with ctk_). It is sent once to the server,
              which keeps you signed in with a cookie this page cannot read.
            </p>
            {error ? (
              <p class="field-error" id="sign-in-token-error" role="alert">
                <span class="visually-hidden">Error: </span>
                {error}
              </p>
            ) : null}
            <input
              id="sign-in-token"
              type="password"
              value={token}
              onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
              autoComplete="off"
              spellcheck={false}
              aria-describedby={`sign-in-token-hint${error ? ' sign-in-token-error' : ''}`}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <div class="actions">
            <button type="submit" class="button-primary" aria-disabled={busy ? 'true' : undefined}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
        </form>
      </section>

      {providers.status === 'ok' && providers.data.length > 0 ? (
        <section aria-labelledby="providers-heading" class="panel">
          <h2 id="providers-heading">With your organisation's identity provider</h2>
          <ul class="plain-list provider-list">
            {providers.data.map((p) => (
              <li key={p.id}>
                {/* A link, not a form: the server redirects to the provider, and the page's
                    CSP (form-action 'self') would stop a form's redirect to another origin. */}
                <a class="button-secondary" href={providerLoginUrl(p.id)}>
                  Sign in with {p.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {providers.status === 'error' ? (
        <p class="muted">The identity providers could not be listed: {errorMessage(providers.error)}</p>
      ) : null}
    </>
  );
}

/** What the server's word for a failed sign-in through an identity provider means. */
function providerFailure(word: string | null): string | null {
  switch (word) {
    case null:
      return null;
    case 'denied':
      return 'Your identity provider did not sign you in (you declined, or it refused).';
    case 'unavailable':
      return 'Your identity provider could not be reached. Try again in a moment.';
    default:
      return 'Signing in through your identity provider did not work. Start again.';
  }
}
