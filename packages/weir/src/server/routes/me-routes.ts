/** `/api/me`: who the caller is, so the web app can say "signed in as" and disable what the role cannot do. */
import { Hono } from 'hono';
import type { MeBody } from '@weir/core';

/**
 * The caller route: the token's name and role, or null in local mode (no token, everything allowed).
 *
 * @example
 * ```ts
 * app.route('/api/me', meRoutes());
 * ```
 */
export function meRoutes(): Hono {
  const routes = new Hono();
  routes.get('/', (context) => {
    const caller = context.get('caller');
    const body: MeBody = caller.token === null || caller.role === null ? null : { token: caller.token, role: caller.role };
    return context.json(body);
  });
  return routes;
}
