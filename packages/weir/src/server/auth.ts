/**
 * Who may call the API of `weir serve`. In local mode (bound to a loopback address, started
 * without `--auth`) no token is asked for: only processes of this machine can connect, and the
 * CLI's hand-off needs nothing. Otherwise every /api route but health and the webhook sensors
 * (which carry their own token) needs `Authorization: Bearer <token>` of an active token whose role
 * allows the call. Every mutating call, allowed or refused for its role, is recorded in the event
 * log (`api_call`) with who made it.
 */
import type { MiddlewareHandler } from 'hono';
import { WeirError, apiRoles, isWeirError, type ApiRole, type StateStore } from '@weir/core';
import { hashApiToken } from './api-tokens.js';

/** How a server decides who may call it. */
export interface ApiAuthOptions {
  store: StateStore;
  /** False in local mode: no token needed, calls are recorded without a name. */
  required: boolean;
  /** How long the token list is reused before it is read again; a revocation works within it. */
  cacheMs?: number;
  /** Milliseconds now; tests move it instead of waiting. */
  clock?: () => number;
  /** Where a failure to record a call is reported (the call itself has been answered). */
  warn?: (line: string) => void;
}

/** Who made a call: the token's name and role, or null for both in local mode. */
export interface Caller {
  token: string | null;
  role: ApiRole | null;
}

// The caller, for routes that answer about it (GET /api/me).
declare module 'hono' {
  interface ContextVariableMap {
    caller: Caller;
  }
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

// The least role of each mutating route; anything not listed needs admin.
const editorRoutes: readonly RegExp[] = [/^\/api\/runs\/?$/, /^\/api\/runs\/[^/]+\/cancel\/?$/, /^\/api\/assets\/[^/]+\/(rollback|unpin)\/?$/, /^\/api\/feedback\/[^/]+\/status\/?$/, /^\/api\/triggers\/[^/]+\/(pause|resume)\/?$/];
// Mutating routes open to viewers: consumers (viewers) give feedback on the assets they use.
const viewerRoutes: readonly RegExp[] = [/^\/api\/assets\/[^/]+\/feedback\/?$/];

/**
 * True for an address only this machine can reach: 127.0.0.0/8, ::1 and localhost.
 *
 * @example
 * ```ts
 * const required = options.auth === true || !isLoopbackHost(options.host);
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * The least role a call needs: reads and giving feedback on an asset need a viewer; starting and
 * cancelling runs, rolling an asset back or unpinning it, moving a feedback report along and pausing or resuming
 * a schedule or sensor need an editor;
 * everything else an admin.
 *
 * @example
 * ```ts
 * roleNeeded('POST', '/api/runs'); // 'editor'
 * ```
 */
export function roleNeeded(method: string, path: string): ApiRole {
  if (readMethods.has(method)) return 'viewer';
  if (method === 'POST' && viewerRoutes.some((route) => route.test(path))) return 'viewer';
  if (method === 'POST' && editorRoutes.some((route) => route.test(path))) return 'editor';
  return 'admin';
}

/**
 * The Hono middleware for /api/*: checks the bearer token and its role (when required) and records
 * every mutating call after it is answered.
 *
 * @example
 * ```ts
 * app.use('/api/*', apiAuth({ store, required: !isLoopbackHost(host) }));
 * ```
 */
export function apiAuth(options: ApiAuthOptions): MiddlewareHandler {
  const lookup = tokenLookup(options);
  return async (context, next) => {
    const path = context.req.path;
    if (path === '/api/health' || path.startsWith('/api/hooks/')) return next();
    const method = context.req.method;
    const caller: Caller = options.required ? await lookup(context.req.header('authorization')) : { token: null, role: null };
    context.set('caller', caller);
    const needed = roleNeeded(method, path);
    if (readMethods.has(method)) {
      allow(caller, needed);
      return next();
    }
    let status = 500;
    try {
      allow(caller, needed);
      // A handler's error is answered by the app's error handler inside next(): its status is in res.
      await next();
      status = context.res.status;
    } catch (error) {
      if (isWeirError(error) && error.code === 'FORBIDDEN') status = 403;
      throw error;
    } finally {
      await options.store
        .append([{ type: 'api_call', at: new Date().toISOString(), method, path, token: caller.token, role: caller.role, status }])
        .catch((error: unknown) => options.warn?.(`could not record ${method} ${path} by ${caller.token ?? 'local'}: ${(error as Error).message}`));
    }
  };
}

/** Throws `FORBIDDEN` when the caller's role is below the one needed; local mode allows all. */
function allow(caller: Caller, needed: ApiRole): void {
  if (caller.role === null || apiRoles.indexOf(caller.role) >= apiRoles.indexOf(needed)) return;
  throw new WeirError('FORBIDDEN', `the token "${caller.token}" is a ${caller.role}; this call needs an ${needed} token`, {
    hint: `ask an admin for a token with --role ${needed}`,
  });
}

/** Finds the active token of an Authorization header, reading the token list at most once per `cacheMs`. */
function tokenLookup(options: ApiAuthOptions): (header: string | undefined) => Promise<Caller> {
  const cacheMs = options.cacheMs ?? 1_000;
  const clock = options.clock ?? Date.now;
  let cached: { readAt: number; byHash: Map<string, Caller> } | undefined;
  let reading: Promise<Map<string, Caller>> | undefined;
  const active = async (): Promise<Map<string, Caller>> => {
    if (cached !== undefined && clock() - cached.readAt < cacheMs) return cached.byHash;
    // One read for every request arriving while it runs.
    reading ??= (async () => {
      const readAt = clock();
      try {
        const tokens = await options.store.apiTokens();
        const byHash = new Map(tokens.filter((token) => token.revokedAt === null).map((token) => [token.tokenHash, { token: token.name, role: token.role }]));
        cached = { readAt, byHash };
        return byHash;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  return async (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (match === null) {
      throw new WeirError('UNAUTHORIZED', 'this server requires a token: send "Authorization: Bearer <token>"', {
        hint: 'make one with weir tokens create <name> --role viewer|editor|admin (for weir run: set WEIR_TOKEN)',
      });
    }
    const caller = (await active()).get(hashApiToken(match[1]!));
    if (caller === undefined) throw new WeirError('UNAUTHORIZED', 'the token is unknown or revoked', { hint: 'see weir tokens ls; make a new one with weir tokens create' });
    return caller;
  };
}
