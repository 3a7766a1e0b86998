/** `/api/graph`: the asset graph laid out on the server (boxes and edge routes, no states). */
import { Hono } from 'hono';
import type { AssetGraphLayouts } from '../asset-graph-layouts.js';

/**
 * The graph route. The layout's version is its ETag: a client holding it gets 304.
 *
 * @example
 * ```ts
 * app.route('/api/graph', graphRoutes(new AssetGraphLayouts(view)));
 * ```
 */
export function graphRoutes(graphs: AssetGraphLayouts): Hono {
  const routes = new Hono();
  routes.get('/', async (context) => {
    const { body, json } = await graphs.layout();
    const etag = `"${body.version}"`;
    // no-cache: the browser may keep it but asks each time, so a changed project is never shown stale.
    context.header('cache-control', 'no-cache');
    context.header('etag', etag);
    if (context.req.header('if-none-match') === etag) return context.body(null, 304);
    context.header('content-type', 'application/json; charset=UTF-8');
    return context.body(json);
  });
  return routes;
}
