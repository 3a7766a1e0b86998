/** `/api/assets`: the project's assets with their state, one asset's page, its metric series, control charts and check history. */
import { Hono } from 'hono';
import { WeirError, assetStaleness, didYouMean, environmentView, freshnessExpectation, inputsOf, spcSeriesFor, type AssetSpec, type CheckResultRecord, type Project } from '@weir/core';
import type { AssetDetail, AssetState, AssetSummary, CheckHistoryBody, CheckResultBody, SpcChartBody } from '@weir/core';
import { seriesOf } from '../../commands/spc-command.js';
import type { ProjectView } from '../project-view.js';
import { wholeNumberParam } from './whole-number-param.js';

/** How many recent runs are read to tell which assets' last step failed. */
const RECENT_RUNS = 10;

/**
 * The asset routes.
 *
 * @example
 * ```ts
 * app.route('/api/assets', assetRoutes(view));
 * ```
 */
export function assetRoutes(view: ProjectView): Hono {
  const routes = new Hono();

  routes.get('/', async (context) => context.json(await assetSummaries(view)));

  routes.get('/:name', async (context) => {
    const project = await view.project();
    const asset = requireAsset(project, context.req.param('name'));
    const summary = (await assetSummaries(view, [asset.name]))[0]!;
    const versions = await view.store.versions(asset.name);
    const pointer = (await view.store.pointers(project.environment)).find((candidate) => candidate.asset === asset.name);
    const checks = pointer ? newestPerCheck(await view.store.checkResults({ asset: asset.name, version: pointer.version })) : [];
    const described = pointer ? await view.engine.describe(environmentView(project.environment, asset.name)) : undefined;
    const detail: AssetDetail = {
      ...summary,
      environment: project.environment,
      pinned: pointer?.pinned ?? false,
      downstream: [...project.assets.values()].filter((candidate) => inputsOf(candidate).includes(asset.name)).map((candidate) => candidate.name),
      columns: (described ?? []).map((column) => ({ name: column.name, type: column.type, description: asset.columns[column.name]?.description ?? null })),
      versions: versions.map((version) => ({ version: version.version, status: version.status, rows: version.rows, createdAt: version.createdAt, createdByRun: version.createdByRun, live: version.version === pointer?.version })),
      checks: checks.map(checkBody),
      metrics: (await view.store.latestMetrics(asset.name)).map((metric) => ({ metric: metric.metric, ...(metric.column === undefined ? {} : { column: metric.column }), value: metric.value, at: metric.at })),
    };
    return context.json(detail);
  });

  routes.get('/:name/metrics/:metric', async (context) => {
    const project = await view.project();
    const asset = requireAsset(project, context.req.param('name'));
    const column = context.req.query('column');
    const partition = context.req.query('partition');
    const points = await view.store.metricSeries({ asset: asset.name, metric: context.req.param('metric'), ...(column ? { column } : {}), ...(partition ? { partition } : {}) });
    return context.json(points);
  });

  // The chart `weir spc show --json` prints, from the same core function: the UI draws exactly what the CLI shows.
  routes.get('/:name/spc/:metric', async (context) => {
    const project = await view.project();
    const asset = requireAsset(project, context.req.param('name'));
    const column = context.req.query('column');
    const partition = context.req.query('partition');
    if (partition === '') throw new WeirError('USAGE', 'partition needs a partition key, e.g. ?partition=2024-03-01');
    // `null_rate.email` in the path or `?column=email`, as on the command line (`--column`).
    const series = seriesOf(asset.name, context.req.param('metric'), column);
    const { chart } = await spcSeriesFor(view.store, project, { ...series, ...(partition === undefined ? {} : { partition }) });
    const body: SpcChartBody = chart;
    return context.json(body);
  });

  routes.get('/:name/checks', async (context) => {
    const project = await view.project();
    const asset = requireAsset(project, context.req.param('name'));
    const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: 200, max: 1000 });
    const body: CheckHistoryBody = (await view.store.checkResults({ asset: asset.name, limit })).map(checkBody);
    return context.json(body);
  });

  return routes;
}

/**
 * The asset named in a route's path, or `ASSET_UNKNOWN` (404) with a did-you-mean.
 *
 * @example
 * ```ts
 * const asset = requireAsset(await view.project(), context.req.param('name'));
 * ```
 */
export function requireAsset(project: Project, name: string): AssetSpec {
  const asset = project.assets.get(name);
  if (asset) return asset;
  const hint = didYouMean(name, project.assets.keys());
  throw new WeirError('ASSET_UNKNOWN', `no asset "${name}" in this project`, hint ? { hint } : {});
}

/** Every asset (or the named ones) with its state, in the graph's file order. */
async function assetSummaries(view: ProjectView, only?: string[]): Promise<AssetSummary[]> {
  const project = await view.project();
  const { store } = view;
  const pointers = new Map((await store.pointers(project.environment)).map((pointer) => [pointer.asset, pointer]));
  const versions = await store.versions();
  const newestVersion = new Map<string, (typeof versions)[number]>();
  for (const version of versions) if (version.status !== 'dropped' && !newestVersion.has(version.asset)) newestVersion.set(version.asset, version);
  const versionRows = new Map(versions.map((version) => [`${version.asset}\0${version.version}`, version]));
  // The newest step of each asset among the recent runs (runs come newest first).
  const lastStep = new Map<string, string>();
  for (const run of await store.runs({ limit: RECENT_RUNS })) {
    for (const step of await store.steps(run.runId)) if (!lastStep.has(step.asset)) lastStep.set(step.asset, step.status);
  }
  const warned = new Set<string>();
  for (const result of await store.checkResults({ limit: 10_000 })) {
    if (!result.passed && result.severity === 'warn' && pointers.get(result.asset)?.version === result.version) warned.add(result.asset);
  }
  const assets = [...project.assets.values()].filter((asset) => only === undefined || only.includes(asset.name));
  // Staleness compares build times of live versions (see core/src/kpis/asset-staleness.ts).
  const builtAt = (name: string): string | null => {
    const pointer = pointers.get(name);
    return pointer ? (versionRows.get(`${name}\0${pointer.version}`)?.createdAt ?? pointer.publishedAt) : null;
  };
  const now = new Date();
  return assets.map((asset) => {
    const pointer = pointers.get(asset.name);
    const live = pointer ? versionRows.get(`${asset.name}\0${pointer.version}`) : undefined;
    const newest = newestVersion.get(asset.name);
    let state: AssetState = pointer ? (warned.has(asset.name) ? 'warning' : 'published') : 'never_built';
    const staleReason = assetStaleness({ builtAt: builtAt(asset.name), expectation: freshnessExpectation(asset, project.sensors), upstream: inputsOf(asset).map((name) => ({ asset: name, builtAt: builtAt(name) })), now });
    if (staleReason !== null && pointer) state = 'stale';
    if (newest?.status === 'blocked' && newest.version !== pointer?.version) state = 'blocked';
    if (lastStep.get(asset.name) === 'failed') state = 'failed';
    return {
      name: asset.name,
      kind: asset.kind,
      materialization: asset.materialization,
      file: asset.file,
      description: asset.description ?? null,
      owner: asset.owner ?? null,
      tags: asset.tags,
      upstream: inputsOf(asset),
      state,
      version: pointer?.version ?? null,
      rows: live?.rows ?? null,
      publishedAt: pointer?.publishedAt ?? null,
      staleReason,
    };
  });
}

/** The newest result of each check (results come newest first). */
function newestPerCheck(results: CheckResultRecord[]): CheckResultRecord[] {
  const seen = new Set<string>();
  return results.filter((result) => !seen.has(result.check) && seen.add(result.check));
}

/**
 * A check result as the API shows it.
 *
 * @example
 * ```ts
 * const body = checkBody(record);
 * ```
 */
export function checkBody(result: CheckResultRecord): CheckResultBody {
  return {
    check: result.check,
    checkType: result.checkType,
    severity: result.severity,
    passed: result.passed,
    detail: result.detail,
    failingRows: result.failingRows,
    version: result.version,
    runId: result.runId,
    at: result.evaluatedAt,
  };
}
