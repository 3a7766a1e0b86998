/**
 * The HTTP API of `weir serve` (Hono): health; what the CLI needs to hand its runs to the server
 * (submit, follow as server-sent events, cancel); webhook sensors; and the read resources the web
 * app uses (project, assets, runs and their logs, metric series), described at /api/openapi.json.
 */
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { WeirError, isWeirError } from '@weir/core';
import { errorBody, type RunHub, type RunMessage, type RunSubmission } from './run-hub.js';
import type { ProjectView } from './project-view.js';
import { apiAuth, type ApiAuthOptions } from './auth.js';
import { assetRoutes } from './routes/asset-routes.js';
import { assetDataRoutes } from './routes/asset-data-routes.js';
import { catalogRoutes } from './routes/catalog-routes.js';
import type { CatalogCache } from './catalog-cache.js';
import { lineageRoutes } from './routes/lineage-routes.js';
import { AssetGraphLayouts } from './asset-graph-layouts.js';
import { graphRoutes } from './routes/graph-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { feedbackRoutes } from './routes/feedback-routes.js';
import { kpiRoutes } from './routes/kpi-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { triggerRoutes } from './routes/trigger-routes.js';
import { backfillRoutes } from './routes/backfill-routes.js';
import type { TriggerLoop } from './trigger-loop.js';

/** What the server says about itself at `GET /api/health`. */
export interface HealthBody {
  status: 'ok';
  project: string;
  root: string;
  pid: number;
}

/** Usage and config problems are the client's (400), a busy project is a conflict (409). */
function statusFor(error: unknown): ContentfulStatusCode {
  if (!isWeirError(error)) return 500;
  if (error.code === 'PROJECT_LOCKED') return 409;
  if (error.code === 'UNAUTHORIZED') return 401;
  if (error.code === 'FORBIDDEN') return 403;
  if (error.code === 'RUN_UNKNOWN' || error.code === 'ASSET_UNKNOWN' || error.code === 'COLUMN_UNKNOWN' || error.code === 'VERSION_UNKNOWN' || error.code === 'FEEDBACK_UNKNOWN' || error.code === 'TRIGGER_UNKNOWN' || error.code === 'BACKFILL_UNKNOWN') return 404;
  if (error.code === 'INTERNAL') return 500;
  return 400;
}

/**
 * The API routes over a run hub, behind the token check of `auth.ts`.
 *
 * @example
 * ```ts
 * const app = createServerApp({ hub, view, health: { status: 'ok', project: 'shop', root, pid: process.pid }, auth: { required: true } });
 * serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
 * ```
 */
export function createServerApp(options: {
  hub: RunHub;
  view: ProjectView;
  health: HealthBody;
  webhooks?: Pick<TriggerLoop, 'receiveWebhook'>;
  /** Who may call: local mode (no token) unless `required`. Tokens are read from the view's store. */
  auth?: Omit<ApiAuthOptions, 'store'>;
  /** The graph's layout cache; weir serve passes the one it warmed as it started. */
  graphs?: AssetGraphLayouts;
  /** The catalog's entries; weir serve passes the one it warms once it listens. */
  catalog?: CatalogCache;
}): Hono {
  const { hub } = options;
  const app = new Hono();
  app.onError((error, context) => context.json({ error: errorBody(error) }, statusFor(error)));
  // Before every route: health and webhook sensors are let through by the middleware itself.
  app.use('/api/*', apiAuth({ required: false, ...options.auth, store: options.view.store }));

  app.get('/api/health', (context) => context.json(options.health));
  app.route('/api', projectRoutes(options.view));
  app.route('/api/assets', assetRoutes(options.view));
  app.route('/api/assets', assetDataRoutes(options.view, hub));
  app.route('/api/lineage', lineageRoutes(options.view));
  app.route('/api/search', catalogRoutes(options.view, options.catalog));
  app.route('/api/graph', graphRoutes(options.graphs ?? new AssetGraphLayouts(options.view)));
  app.route('/api/me', meRoutes());
  app.route('/api/kpis', kpiRoutes(options.view));
  app.route('/api', feedbackRoutes(options.view));
  app.route('/api/triggers', triggerRoutes(options.view));
  app.route('/api/backfills', backfillRoutes(options.view));

  // Webhook sensors: authenticated by their own token (weir.yaml), whatever else the API requires.
  app.post('/api/hooks/:name', async (context) => {
    if (options.webhooks === undefined) throw new WeirError('RUN_UNKNOWN', 'this server evaluates no webhook sensors');
    const outcome = await options.webhooks.receiveWebhook(context.req.param('name'), context.req.header('authorization'), context.req.header('idempotency-key'));
    return context.json(outcome, 202);
  });

  app.post('/api/runs', async (context) => {
    const submission = parseSubmission(await context.req.json().catch(() => undefined));
    const runId = await hub.submit(submission);
    return context.json({ runId }, 202);
  });

  app.get('/api/runs/:runId/stream', (context) => {
    const runId = context.req.param('runId');
    return streamSSE(context, async (stream) => {
      const pending: RunMessage[] = [];
      let wake: (() => void) | undefined;
      const stop = hub.follow(runId, (message) => {
        pending.push(message);
        wake?.();
      });
      if (stop === undefined) {
        await stream.writeSSE({ event: 'message', data: JSON.stringify({ kind: 'error', error: errorBody(new WeirError('RUN_UNKNOWN', `weir serve knows no run "${runId}"`)) }) });
        return;
      }
      stream.onAbort(() => {
        stop();
        wake?.();
      });
      try {
        for (;;) {
          while (pending.length > 0) {
            const message = pending.shift()!;
            await stream.writeSSE({ event: 'message', data: JSON.stringify(message) });
            if (message.kind === 'end' || message.kind === 'error') return;
          }
          if (stream.aborted) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        stop();
      }
    });
  });

  // Recorded runs, one run's detail and its log: after the routes above, which match first.
  app.route('/api/runs', runRoutes(options.view));

  app.post('/api/runs/:runId/cancel', (context) => {
    const runId = context.req.param('runId');
    if (!hub.cancel(runId)) throw new WeirError('RUN_UNKNOWN', `no run "${runId}" is running in weir serve`);
    return context.json({ cancelled: runId }, 202);
  });

  // The web app (packages/web, built into its dist/): every other GET. Not built: say how to build it.
  app.get('*', serveStatic({ root: WEB_APP_DIR }));
  app.get('*', (context) => context.text('The Weir web app is not built: run npm run build, then restart weir serve.\n', 404));

  return app;
}

/** Where `npm run build` puts the web app: packages/web/dist, from src/server or dist/server alike. */
const WEB_APP_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new WeirError('USAGE', `"${name}" must be a list of strings`);
  return value;
}

/** Validates a run submission's JSON body. */
function parseSubmission(body: unknown): RunSubmission {
  if (typeof body !== 'object' || body === null) throw new WeirError('USAGE', 'the request body must be a JSON object describing the run');
  const value = body as Record<string, unknown>;
  const command = value.command ?? 'run';
  if (command !== 'run' && command !== 'check' && command !== 'retry') throw new WeirError('USAGE', `"command" must be run, check or retry, not ${JSON.stringify(command)}`);
  const concurrency = value.concurrency;
  if (concurrency !== undefined && (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1)) {
    throw new WeirError('USAGE', '"concurrency" must be a whole number >= 1');
  }
  const timeoutSeconds = value.timeoutSeconds;
  if (timeoutSeconds !== undefined && (typeof timeoutSeconds !== 'number' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)) {
    throw new WeirError('USAGE', '"timeoutSeconds" must be a number of seconds > 0');
  }
  const partition = value.partition;
  if (partition !== undefined && (typeof partition !== 'string' || partition.trim() === '')) throw new WeirError('USAGE', '"partition" must be a partition key such as 2026-03-01');
  return {
    command,
    select: stringList(value.select, 'select'),
    exclude: stringList(value.exclude, 'exclude'),
    ...(command === 'check' ? { mode: 'check' as const } : {}),
    ...(value.assets === undefined ? {} : { assets: stringList(value.assets, 'assets') }),
    ...(typeof value.retryOf === 'string' ? { retryOf: value.retryOf } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    ...(partition === undefined ? {} : { partition }),
    wait: value.wait === true,
  };
}
