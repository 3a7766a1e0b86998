/** `/api/kpis`: the DataOps KPIs of the served environment with their daily trends (core/src/kpis, docs/kpis.md). */
import { Hono } from 'hono';
import { WeirError, computeKpis, inputsOf, type KpisBody } from '@weir/core';
import type { ProjectView } from '../project-view.js';

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
    const daysText = context.req.query('days') ?? '30';
    // Digits only: Number() would take '1e1', ' 7' or '0x1f'.
    const days = /^\d+$/.test(daysText) ? Number(daysText) : Number.NaN;
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new WeirError('USAGE', `days must be a whole number from 1 to ${MAX_DAYS}, not "${daysText}"`, { hint: 'e.g. /api/kpis?days=30' });
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
