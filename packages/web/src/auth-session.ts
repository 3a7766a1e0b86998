/**
 * The web app's sign-in when `weir serve` requires tokens: the token kept in localStorage and sent
 * as `Authorization: Bearer` by every API call (api.ts, run-events.ts), who it belongs to
 * (`/api/me`), and whether the page must ask for one (any call answered 401). In local mode
 * nothing is stored or asked for: `/api/me` answers null and every button works.
 */
import type { ApiRole, MeBody } from '@weir/core';
import { useSyncExternalStore } from 'react';

const TOKEN_KEY = 'weir:token';
const ROLES: ApiRole[] = ['viewer', 'editor', 'admin'];

/** What the app knows about its caller. `me` is undefined until /api/me has answered. */
export interface AuthSession {
  token: string | null;
  me: MeBody | undefined;
  /** True after a 401: the app shows the token form instead of the page. */
  needsToken: boolean;
  /** Grows at every sign-in and sign-out, so pages load their data again. */
  generation: number;
}

let session: AuthSession = { token: readToken(), me: undefined, needsToken: false, generation: 0 };
const listeners = new Set<() => void>();

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: the token lives as long as the page
  }
}

function update(change: Partial<AuthSession>): void {
  session = { ...session, ...change };
  for (const listener of listeners) listener();
}

/**
 * The session's calls: the header to send, and the changes (401, sign-in, sign-out, `/api/me`).
 *
 * @example
 * ```ts
 * await fetch('/api/assets', { headers: authSession.headers() });
 * authSession.signIn(token);
 * ```
 */
export const authSession = {
  /** The Authorization header of the stored token, if any, for a fetch: `fetch(path, { headers: authSession.headers() })`. */
  headers(): Record<string, string> {
    return session.token === null ? {} : { authorization: `Bearer ${session.token}` };
  },
  /** Called by the API client on a 401: the token is missing, unknown or revoked. */
  unauthorized(): void {
    if (!session.needsToken) update({ needsToken: true, me: undefined });
  },
  /** Keeps a token (for this browser) and tries it: pages load again with it. */
  signIn(token: string): void {
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch {
      // storage disabled: signed in for this page only
    }
    update({ token, me: undefined, needsToken: false, generation: session.generation + 1 });
  },
  /** Forgets the token; the next call's 401 shows the token form. */
  signOut(): void {
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing stored
    }
    update({ token: null, me: undefined, needsToken: true, generation: session.generation + 1 });
  },
  /** Records `/api/me`'s answer. */
  identified(me: MeBody): void {
    update({ me });
  },
};

/**
 * The session, re-rendering the component when it changes.
 *
 * @example
 * ```tsx
 * const { me, needsToken } = useAuthSession();
 * ```
 */
export function useAuthSession(): AuthSession {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => session,
  );
}

/**
 * Whether the caller may use a control that needs `role`, and if not the tooltip that says why.
 * Local mode (`me` null) and a session not yet identified allow it: the server still decides.
 *
 * @example
 * ```tsx
 * const gate = useRoleGate('editor');
 * <button disabled={!gate.allowed} title={gate.reason}>Run</button>
 * ```
 */
export function useRoleGate(role: ApiRole): { allowed: boolean; reason?: string } {
  const { me } = useAuthSession();
  if (!me || ROLES.indexOf(me.role) >= ROLES.indexOf(role)) return { allowed: true };
  return { allowed: false, reason: `needs an ${role} token: you are signed in as ${me.token}, a ${me.role}` };
}
