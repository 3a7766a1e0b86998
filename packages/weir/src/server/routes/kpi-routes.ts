/** `/api/kpis`: the DataOps KPIs of the served environment with their daily trends (core/src/kpis, docs/kpis.md). */
import { Hono } from 'hono';
import { computeKpis, inputsOf, type KpisBody } from '@weir/core';
import type { ProjectView } from '../project-view.js';
import { wholeNumberParam } from './whole-number-param.js';

/** The longest window asked for: a year of days (each day is a trend point). */
const MAX_DAYS = 365;

/**
 * The KPI routes.
 *
 * @example
 * ```ts
 * app.route('/api/kpis', kpiRoutes(view));
 * ```
 */
export function kpiRoutes(view: ProjectView): Hono {
  const routes = new Hono();
  routes.get('/', async (context) => {
    const days = wholeNumberParam(context.req.query('days'), 'days', { fallback: 30, max: MAX_DAYS, hint: 'e.g. /api/kpis?days=30' });
    const project = await view.project();
    const assets = [...project.assets.values()];
    const body: KpisBody = await computeKpis(view.store, {
      environment: project.environment,
      assets: assets.map((asset) => asset.name),
      roots: new Set(assets.filter((asset) => inputsOf(asset).every((input) => !project.assets.has(input))).map((asset) => asset.name)),
      days,
    });
    return context.json(body);
  });
  return routes;
}
