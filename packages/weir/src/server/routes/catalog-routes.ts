/** `/api/search`: full-text search over the catalog (names, columns, tags, owners, descriptions). */
import { Hono } from 'hono';
import { catalogQuery, searchCatalog, type CatalogSearchBody } from '@weir/core';
import { CatalogCache } from '../catalog-cache.js';
import type { ProjectView } from '../project-view.js';
import { wholeNumberParam } from './whole-number-param.js';

/** The most hits one request may ask for. */
const MAX_LIMIT = 200;

/**
 * The catalog routes over a {@link CatalogCache} of the view's entries (weir serve passes the one
 * it warms at start-up; otherwise one of their own).
 *
 * @example
 * ```ts
 * app.route('/api/search', catalogRoutes(view));
 * ```
 */
export function catalogRoutes(view: ProjectView, catalog: CatalogCache = new CatalogCache(view)): Hono {
  const routes = new Hono();

  routes.get('/', async (context) => {
    const query = catalogQuery(context.req.query('q'));
    const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: 20, max: MAX_LIMIT });
    const { total, hits } = searchCatalog(await catalog.entries(), query, { limit });
    const body: CatalogSearchBody = { query, total, hits };
    return context.json(body);
  });

  return routes;
}
