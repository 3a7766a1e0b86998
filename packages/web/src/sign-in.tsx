/**
 * Sign-in for a server that requires API tokens: the token form shown instead of the page after a
 * 401, and the header's "signed in as <token> (<role>)" with Sign out. Nothing shows in local mode.
 */
import type { MeBody } from '@weir/core';
import { useEffect, useState } from 'react';
import { api } from './api.js';
import { authSession, useAuthSession } from './auth-session.js';

/**
 * The token form: the token is tried on `/api/me` before it is kept, so a wrong one is refused
 * here with the server's message instead of bouncing back to an empty form.
 *
 * @example
 * ```tsx
 * {needsToken ? <TokenForm /> : page}
 * ```
 */
export function TokenForm() {
  const { token: stored } = useAuthSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch('/api/me', { headers: { authorization: `Bearer ${token.trim()}` } });
      const body = (await response.json().catch(() => null)) as (MeBody & { error?: never }) | { error: { message: string; hint?: string } } | null;
      if (!response.ok) {
        const failure = body && 'error' in body ? body.error : undefined;
        setError(failure ? `${failure.message}${failure.hint ? ` (${failure.hint})` : ''}` : `HTTP ${response.status}`);
        return;
      }
      authSession.signIn(token.trim());
      authSession.identified(body as MeBody);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h2>Sign in</h2>
      <p>
        This server requires an API token. An admin makes one with <code>weir tokens create &lt;name&gt; --role viewer|editor|admin</code>.
        {stored !== null && ' The stored token was refused (unknown or revoked).'}
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <input type="password" autoComplete="off" aria-label="API token" placeholder="API token" data-testid="token-input" value={token} onChange={(event) => setToken(event.target.value)} />
        <button type="submit" disabled={busy || token.trim() === ''} data-testid="token-submit">
          Sign in
        </button>
      </form>
      {error && (
        <p className="error" data-testid="token-error">
          {error}
        </p>
      )}
      <p className="hint">The token is kept in this browser (localStorage) until you sign out.</p>
    </main>
  );
}

/**
 * The header's sign-in state: asks `/api/me` once per sign-in; shows nothing in local mode.
 *
 * @example
 * ```tsx
 * <header>… <SignedInAs /></header>
 * ```
 */
export function SignedInAs() {
  const { me, needsToken, generation } = useAuthSession();
  useEffect(() => {
    if (needsToken || me !== undefined) return;
    api.me().then(
      (answer) => authSession.identified(answer),
      () => undefined, // a 401 shows the token form; anything else leaves the header as it is
    );
  }, [generation, needsToken, me]);
  if (!me) return null;
  return (
    <span className="signed-in" data-testid="signed-in">
      signed in as <strong>{me.token}</strong> ({me.role}){' '}
      <button type="button" data-testid="sign-out" onClick={() => authSession.signOut()}>
        Sign out
      </button>
    </span>
  );
}
