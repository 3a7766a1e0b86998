/**
 * An asset's data: `GET /api/assets/:name/preview` (the first rows of the live version),
 * `POST /api/assets/:name/rollback` (the environment's view back to an earlier published version,
 * as `weir rollback` does) and `POST /api/assets/:name/unpin` (runs may publish it again, as
 * `weir unpin` does). Rollback writes to the warehouse the server owns, so it goes through the run
 * hub: never while a run writes. Unpinning only records an event.
 */
import { Hono } from 'hono';
import { WeirError, environmentView, rollbackAsset, unpinAsset } from '@weir/core';
import type { DataPreviewBody, RollbackBody, RollbackRequest, UnpinBody } from '@weir/core';
import type { ProjectView } from '../project-view.js';
import type { RunHub } from '../run-hub.js';
import { requireAsset } from './asset-routes.js';
import { jsonSafeValue } from '../json-safe-value.js';
import { wholeNumberParam } from './whole-number-param.js';

const DEFAULT_PREVIEW_ROWS = 50;
/** A preview is for looking at, not for exporting: rows beyond this belong in a query tool. */
const MAX_PREVIEW_ROWS = 500;

/**
 * The preview and rollback routes, mounted beside `assetRoutes` under /api/assets.
 *
 * @example
 * ```ts
 * app.route('/api/assets', assetDataRoutes(view, hub));
 * ```
 */
export function assetDataRoutes(view: ProjectView, hub: RunHub): Hono {
  const routes = new Hono();

  routes.get('/:name/preview', async (context) => {
    const project = await view.project();
    const asset = requireAsset(project, context.req.param('name'));
    const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: DEFAULT_PREVIEW_ROWS, max: MAX_PREVIEW_ROWS });
    const pointer = (await view.store.pointers(project.environment)).find((candidate) => candidate.asset === asset.name);
    const relation = environmentView(project.environment, asset.name);
    const columns = pointer === undefined ? undefined : await view.engine.describe(relation);
    if (pointer === undefined || columns === undefined) {
      throw new WeirError('VERSION_UNKNOWN', `${asset.name} has never been built in environment "${project.environment}": there are no rows to show`, { hint: `build it with: weir run --select ${asset.name}` });
    }
    const session = await view.engine.session();
    try {
      // `limit` is a number checked above, not the text as sent; relation names are quoted by the adapter.
      const rows = await session.query(`SELECT * FROM ${view.engine.quoteRelation(relation)} LIMIT ${limit}`);
      const body: DataPreviewBody = {
        asset: asset.name,
        environment: project.environment,
        version: pointer.version,
        columns: columns.map((column) => ({ name: column.name, type: column.type })),
        rows: rows.map((row) => columns.map((column) => jsonSafeValue(row[column.name]))),
        limit,
      };
      return context.json(body);
    } finally {
      await session.close();
    }
  });

  routes.post('/:name/rollback', async (context) => {
    const project = await view.project();
    const asset = requireAsset(project, context.req.param('name'));
    const request = parseRollbackRequest(await context.req.text());
    const result = await hub.exclusive(
      `a rollback of ${asset.name}`,
      () => rollbackAsset({ engine: view.engine, store: view.store, environment: project.environment, asset: asset.name, ...(request.version === undefined ? {} : { to: request.version }) }),
      { wait: request.wait === true },
    );
    const body: RollbackBody = { ...result, pinned: true };
    return context.json(body);
  });

  routes.post('/:name/unpin', async (context) => {
    const project = await view.project();
    const asset = requireAsset(project, context.req.param('name'));
    const released = await unpinAsset(view.store, project.environment, asset.name);
    const body: UnpinBody = { asset: asset.name, environment: project.environment, released };
    return context.json(body);
  });

  return routes;
}

/** Validates a rollback's body: empty (the version live before), or `{ version?, wait? }`. */
function parseRollbackRequest(text: string): RollbackRequest {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new WeirError('USAGE', 'the request body must be JSON: {"version": "<version or prefix>"} or nothing');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WeirError('USAGE', 'the request body must be a JSON object: {"version": "<version or prefix>"}');
  const value = body as Record<string, unknown>;
  const unknown = Object.keys(value).filter((key) => key !== 'version' && key !== 'wait');
  if (unknown.length > 0) throw new WeirError('USAGE', `unknown field ${JSON.stringify(unknown[0])} in a rollback: it takes "version" and "wait"`);
  if (value.version !== undefined && (typeof value.version !== 'string' || value.version === '')) throw new WeirError('USAGE', '"version" must be a version id or a prefix of one');
  if (value.wait !== undefined && typeof value.wait !== 'boolean') throw new WeirError('USAGE', '"wait" must be true or false');
  return { ...(value.version === undefined ? {} : { version: value.version as string }), ...(value.wait === undefined ? {} : { wait: value.wait as boolean }) };
}
