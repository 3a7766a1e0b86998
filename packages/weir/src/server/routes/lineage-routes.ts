/**
 * `/api/lineage`: column-level lineage and impact analysis, as `weir lineage --json` prints it
 * (the same walks and the same body, `output/lineage-body.ts`). Lineage comes from the project's
 * files, so it is computed once per loaded project, not per request.
 */
import { Hono } from 'hono';
import { WeirError, type LineageDirection, type Project, type ProjectLineage } from '@weir/core';
import { lineageBody } from '../../output/lineage-body.js';
import { projectLineageOf } from '../../runtime/project-lineage-of.js';
import type { ProjectView } from '../project-view.js';

const DIRECTIONS = new Set<LineageDirection>(['upstream', 'downstream', 'both']);
/** Deeper than any real project's chain of assets; a bound keeps a typo like 1e9 from meaning anything. */
const MAX_DEPTH = 1000;

/**
 * The lineage routes.
 *
 * @example
 * ```ts
 * app.route('/api/lineage', lineageRoutes(view));
 * ```
 */
export function lineageRoutes(view: ProjectView): Hono {
  const routes = new Hono();
  // The view hands out the same Project until its files change, so this holds one lineage per edit.
  const computed = new WeakMap<Project, Promise<ProjectLineage>>();
  const lineageOf = (project: Project): Promise<ProjectLineage> => {
    let lineage = computed.get(project);
    if (lineage === undefined) {
      lineage = projectLineageOf(project);
      computed.set(project, lineage);
      lineage.catch(() => computed.delete(project));
    }
    return lineage;
  };

  routes.get('/:asset', async (context) => {
    const direction = (context.req.query('direction') ?? 'both') as LineageDirection;
    if (!DIRECTIONS.has(direction)) throw new WeirError('USAGE', `direction must be upstream, downstream or both, not "${direction}"`);
    const depthText = context.req.query('depth');
    const depth = depthText === undefined || depthText === '' ? undefined : Number(depthText);
    if (depth !== undefined && (!/^\d+$/.test(depthText!) || depth < 1 || depth > MAX_DEPTH)) {
      throw new WeirError('USAGE', `depth must be a whole number from 1 to ${MAX_DEPTH} (asset hops), not "${depthText}"`);
    }
    const column = context.req.query('column');
    const lineage = await lineageOf(await view.project());
    const body = lineageBody(lineage, { asset: context.req.param('asset'), ...(column ? { column } : {}), direction, ...(depth === undefined ? {} : { depth }) });
    return context.json(body);
  });

  return routes;
}
