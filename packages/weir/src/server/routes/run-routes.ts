/** `/api/runs`: recorded runs, one run's steps and checks, and its event log as it grows. */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { WeirError, type RunRecord } from '@weir/core';
import type { RunDetail, RunSummary } from '@weir/core';
import type { ProjectView } from '../project-view.js';
import { checkBody } from './asset-routes.js';
import { wholeNumberParam } from './whole-number-param.js';

/** How often a followed run's log is read for new events. */
const LOG_POLL_MS = 250;
const RUN_STATUSES = new Set(['running', 'succeeded', 'failed', 'cancelled', 'crashed']);

/**
 * The run routes.
 *
 * @example
 * ```ts
 * app.route('/api/runs', runRoutes(view));
 * ```
 */
export function runRoutes(view: ProjectView): Hono {
  const routes = new Hono();

  routes.get('/', async (context) => {
    const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: 50, max: 1000 });
    const status = context.req.query('status');
    if (status !== undefined && !RUN_STATUSES.has(status)) throw new WeirError('USAGE', `status must be one of ${[...RUN_STATUSES].join(', ')}, not "${status}"`);
    const runs = await view.store.runs({ limit, ...(status === undefined ? {} : { status: status as RunRecord['status'] }) });
    return context.json(runs.map(runSummary));
  });

  routes.get('/:runId', async (context) => {
    const run = await requireRun(view, context.req.param('runId'));
    const detail: RunDetail = {
      ...runSummary(run),
      steps: (await view.store.steps(run.runId)).map((step) => ({
        asset: step.asset,
        status: step.status,
        version: step.version,
        rows: step.rows,
        startedAt: step.startedAt,
        endedAt: step.endedAt,
        durationMs: step.durationMs,
        skipReason: step.skipReason,
        detail: step.detail,
        error: step.error,
      })),
      checks: (await view.store.checkResults({ runId: run.runId })).map(checkBody),
    };
    return context.json(detail);
  });

  // The run's events from the log, then each new one as it is appended, until the run has ended.
  routes.get('/:runId/events', async (context) => {
    const run = await requireRun(view, context.req.param('runId'));
    return streamSSE(context, async (stream) => {
      let afterId = Number(context.req.header('last-event-id') ?? 0) || 0;
      for (;;) {
        const events = await view.store.events({ runId: run.runId, afterId });
        for (const event of events) {
          await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event) });
          afterId = event.id;
        }
        const now = await view.store.run(run.runId);
        if (stream.aborted || now === undefined || (now.status !== 'running' && events.length === 0)) return;
        await stream.sleep(LOG_POLL_MS);
      }
    });
  });

  return routes;
}

async function requireRun(view: ProjectView, runId: string): Promise<RunRecord> {
  const run = await view.store.run(runId);
  if (run === undefined) throw new WeirError('RUN_UNKNOWN', `no run "${runId}"`, { hint: 'list runs at /api/runs' });
  return run;
}

function runSummary(run: RunRecord): RunSummary {
  return {
    runId: run.runId,
    status: run.status,
    command: run.command,
    environment: run.environment,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    selection: run.selection,
    summary: run.summary,
  };
}
