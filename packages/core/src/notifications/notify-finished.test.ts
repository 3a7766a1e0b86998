/**
 * Notifications end to end in-process: real runs and a real backfill on DuckDB and SQLite, POSTed
 * to a real HTTP server on 127.0.0.1 that records what it receives. Which events reach which hook,
 * what the hook is told, retries, and that a hook that fails never changes a run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationEvent } from '../events/notification-events.js';
import { projectEvent } from '../events/project-event.js';
import type { StoredEvent } from '../events/weir-event.js';
import { hostname } from 'node:os';
import { acquireProjectLock } from '../execution/project-lock.js';
import { recoverAndNotifyCrashedRuns } from '../execution/recover-crashed-runs.js';
import { runLockPath, runProject } from '../execution/run-project.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { planBackfill } from '../backfill/plan-backfill.js';
import { requestBackfill } from '../backfill/request-backfill.js';
import { runBackfill } from '../backfill/run-backfill.js';
import { loadProject } from '../project/load-project.js';
import { closeProjectHarness, openProjectHarness, type ProjectHarness } from '../testing/project-harness.js';
import { startRecordingHookServer, unreachableHookUrl, type HookAnswer, type RecordingHookServer } from '../testing/recording-hook-server.js';
import type { BackfillFinishedNotification, RunFinishedNotification } from './notification.js';
import { WebhookSubscriber } from './webhook-subscriber.js';

const MODELS = {
  'data/orders.csv': 'id,order_date,amount\n1,2026-03-01,10\n2,2026-03-02,5\n3,2026-03-03,7\n',
  'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n',
  'models/orders.sql': '/*---\ntags: [finance]\n---*/\nselect * from raw_orders\n',
};
/** A model that fails when built, and one held back by an error check. */
const FAILING = {
  'models/broken.sql': "select cast('not a number' as integer) as n\n",
  'models/small.sql': '/*---\nchecks:\n  - expression: { sql: "n > 5", name: n_big }\n---*/\nselect 1 as n\n',
};

const opened: ProjectHarness[] = [];
const hooks: RecordingHookServer[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await closeProjectHarness(h);
  for (const hook of hooks.splice(0)) await hook.close();
});

async function hookServer(...answers: HookAnswer[]): Promise<RecordingHookServer> {
  const hook = await startRecordingHookServer(answers);
  hooks.push(hook);
  return hook;
}

/** weir.yaml with the given `notifications:` entries (YAML lines, indented as list items). */
function weirYaml(notifications: string[]): string {
  return ['name: shop', 'defaults:', '  retry_delay_seconds: 0.01', 'notifications:', ...notifications].join('\n') + '\n';
}

async function open(notifications: string[], files: Record<string, string> = {}): Promise<ProjectHarness> {
  const h = await openProjectHarness({ ...MODELS, ...files, 'weir.yaml': weirYaml(notifications) });
  opened.push(h);
  return h;
}

async function run(h: ProjectHarness, env: Record<string, string> = {}, select: string[] = []) {
  const project = await loadProject(h.root, { env });
  const selected = selectAssets(buildAssetGraph(project), project, { select, exclude: [] });
  return runProject({ project, engine: h.engine, store: h.store, selected, selection: select, exclusion: [], command: 'run', signal: new AbortController().signal });
}

const deliveries = (events: StoredEvent[]): Array<NotificationEvent & { id: number }> =>
  events.filter((event): event is NotificationEvent & { id: number } => event.type === 'notification_sent' || event.type === 'notification_failed');

const body = <T>(hook: RecordingHookServer, index = 0): T => JSON.parse(hook.requests[index]?.body ?? 'null') as T;

describe('notifications of runs', () => {
  it('a failed run sends exactly one run_failed POST naming the failed asset, its error and what was held back', async () => {
    const hook = await hookServer();
    const h = await open(['  - name: team_webhook', '    webhook:', `      url: ${hook.url}`, '      headers: { Authorization: "Bearer ${HOOK_TOKEN}" }'], FAILING);
    const result = await run(h, { HOOK_TOKEN: 'tok-0123456789' });
    expect(result.status).toBe('failed');

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/hook', headers: { 'content-type': 'application/json', authorization: 'Bearer tok-0123456789' } });
    const told = body<RunFinishedNotification>(hook);
    expect(told).toMatchObject({
      event: 'run_failed',
      project: 'shop',
      runId: result.runId,
      status: 'failed',
      environment: 'prod',
      command: 'run',
      summary: result.summary,
      heldBack: [{ asset: 'small', failedChecks: [{ check: 'n_big' }] }],
      hints: { show: `weir runs show ${result.runId}`, retry: `weir retry ${result.runId}` },
    });
    expect(told.failed).toHaveLength(1);
    expect(told.failed[0]?.asset).toBe('broken');
    expect(told.failed[0]?.error?.message).toMatch(/Conversion Error|could not convert/i);
    expect(told.text).toContain('1 failed (broken), 1 held back (small)');

    // The delivery is on record with the run, and no secret is.
    const events = await h.store.events({ runId: result.runId });
    expect(deliveries(events)).toEqual([
      expect.objectContaining({ type: 'notification_sent', notification: 'team_webhook', event: 'run_failed', runId: result.runId, target: hook.url, statusCode: 200, attempts: 1 }),
    ]);
    // Sent after the run's last event: the run was complete before anyone was told.
    expect(events.findIndex((event) => event.type === 'notification_sent')).toBeGreaterThan(events.findIndex((event) => event.type === 'run_finished'));
    expect(JSON.stringify(await h.store.events({}))).not.toContain('tok-0123456789');
  });

  it('a run found crashed by the next command is told as run_failed, with status crashed', async () => {
    const hook = await hookServer();
    const h = await open(['  - name: team_webhook', `    webhook: { url: "${hook.url}" }`]);
    // pid 999999 is above Linux's pid_max: no process has it.
    await h.store.append([
      { type: 'run_started', at: new Date().toISOString(), runId: 'r-gone', environment: 'prod', pid: 999_999, host: hostname(), command: 'run', selection: [], exclusion: [], plannedAssets: ['orders'] },
      { type: 'step_started', at: new Date().toISOString(), runId: 'r-gone', asset: 'orders', version: 'v1', attempt: 1 },
    ]);
    expect(await recoverAndNotifyCrashedRuns(await loadProject(h.root), h.store)).toEqual(['r-gone']);
    expect(hook.requests).toHaveLength(1);
    expect(body<RunFinishedNotification>(hook)).toMatchObject({ event: 'run_failed', runId: 'r-gone', status: 'crashed', failed: [{ asset: 'orders', error: { code: 'RUN_CRASHED' } }] });
    // Told once: the next command finds nothing more to recover.
    expect(await recoverAndNotifyCrashedRuns(await loadProject(h.root), h.store)).toEqual([]);
    expect(hook.requests).toHaveLength(1);
  });

  it('a successful run sends nothing to run_failed subscribers, and one run_succeeded to those who asked', async () => {
    const failures = await hookServer();
    const successes = await hookServer();
    const h = await open(['  - name: failures', `    webhook: { url: "${failures.url}" }`, '  - name: successes', '    on: run_succeeded', `    webhook: { url: "${successes.url}" }`]);
    const result = await run(h);
    expect(result.status).toBe('succeeded');
    expect(failures.requests).toHaveLength(0);
    expect(successes.requests).toHaveLength(1);
    expect(body<RunFinishedNotification>(successes)).toMatchObject({ event: 'run_succeeded', runId: result.runId, status: 'succeeded', failed: [], heldBack: [], hints: { show: `weir runs show ${result.runId}` } });
    expect(deliveries(await h.store.events({ runId: result.runId })).map((event) => `${event.type} ${event.notification}`)).toEqual(['notification_sent successes']);
  });

  it('select: only runs that touched the selected assets are told', async () => {
    const finance = await hookServer();
    const broken = await hookServer();
    const h = await open(['  - name: finance', '    select: tag:finance', `    webhook: { url: "${finance.url}" }`, '  - name: broken_owner', '    select: [broken]', `    webhook: { url: "${broken.url}" }`], FAILING);
    // Only `broken` runs: the finance assets are not touched.
    expect((await run(h, {}, ['broken'])).status).toBe('failed');
    expect([finance.requests.length, broken.requests.length]).toEqual([0, 1]);
    // Everything runs: orders (finance) is built, and both are told.
    expect((await run(h)).status).toBe('failed');
    expect([finance.requests.length, broken.requests.length]).toEqual([1, 2]);
    // Again: orders is unchanged (skipped), so finance hears nothing of this failure.
    expect((await run(h)).status).toBe('failed');
    expect([finance.requests.length, broken.requests.length]).toEqual([1, 3]);
  });

  it('a 429 (Retry-After: 0) then a 500 are retried, and the notification is delivered once', async () => {
    const hook = await hookServer({ status: 429, headers: { 'retry-after': '0' } }, 500);
    const h = await open(['  - name: flaky', `    webhook: { url: "${hook.url}" }`], FAILING);
    const result = await run(h);
    expect(hook.requests).toHaveLength(3);
    expect(new Set(hook.requests.map((request) => request.body)).size).toBe(1);
    expect(deliveries(await h.store.events({ runId: result.runId }))).toEqual([expect.objectContaining({ type: 'notification_sent', statusCode: 200, attempts: 3 })]);
  });

  it('an unreachable hook is recorded as notification_failed, masked, and the run ends exactly as it would have', async () => {
    const url = await unreachableHookUrl();
    const h = await open(['  - name: gone', '    on: [run_failed, run_succeeded]', '    webhook: { url: "${HOOK_URL}" }'], FAILING);
    const failed = await run(h, { HOOK_URL: url });
    expect(failed.status).toBe('failed');
    expect(failed.summary).toMatchObject({ failed: 1, blocked: 1 });
    const [delivery] = deliveries(await h.store.events({ runId: failed.runId }));
    expect(delivery).toMatchObject({ type: 'notification_failed', notification: 'gone', event: 'run_failed', target: '${HOOK_URL}', attempts: 3 });
    expect(delivery?.type === 'notification_failed' && delivery.error).toContain('could not reach ${HOOK_URL}');
    expect(JSON.stringify(await h.store.events({}))).not.toContain(url);
    // A run that succeeds still succeeds.
    const fixed = await open(['  - name: gone', '    on: [run_failed, run_succeeded]', '    webhook: { url: "${HOOK_URL}" }']);
    const succeeded = await run(fixed, { HOOK_URL: url });
    expect(succeeded.status).toBe('succeeded');
    expect(deliveries(await fixed.store.events({ runId: succeeded.runId }))).toEqual([expect.objectContaining({ type: 'notification_failed', event: 'run_succeeded' })]);
  });

  it('a hook whose variable is not set loads, and each delivery is recorded as failed naming the variable', async () => {
    const h = await open(['  - name: team', '    webhook: { url: "${HOOK_URL}", headers: { Authorization: "Bearer ${HOOK_TOKEN}" } }'], FAILING);
    const result = await run(h, { HOOK_URL: 'http://127.0.0.1:9/never-called' });
    expect(result.status).toBe('failed');
    expect(deliveries(await h.store.events({ runId: result.runId }))).toEqual([
      expect.objectContaining({ type: 'notification_failed', notification: 'team', attempts: 0, error: 'not sent: environment variable "HOOK_TOKEN" is not set where weir ran' }),
    ]);
  });

  it('delivery events change no projection', () => {
    const base = { at: '2026-01-01T00:00:00Z', notification: 'n', event: 'run_failed' as const, runId: 'r1', target: 'http://h/x', attempts: 1 };
    expect(projectEvent({ type: 'notification_sent', ...base, statusCode: 200 })).toEqual([]);
    expect(projectEvent({ type: 'notification_failed', ...base, error: 'gone' })).toEqual([]);
  });
});

describe('the webhook subscriber', () => {
  const target = (url: string, secrets: string[] = []) => ({ url, headers: {}, shownUrl: '${HOOK_URL}', secrets, missing: [] });
  const notification = { event: 'run_failed', text: 'x' } as unknown as RunFinishedNotification;

  it('does not retry a status asking again will not change (404), nor wait longer than its bound for Retry-After', async () => {
    const missing = await hookServer(404);
    expect(await new WebhookSubscriber('n', target(missing.url)).deliver(notification)).toMatchObject({ delivered: false, statusCode: 404, attempts: 1 });
    expect(missing.requests).toHaveLength(1);
    const busy = await hookServer({ status: 503, headers: { 'retry-after': '3600' } });
    const outcome = await new WebhookSubscriber('n', target(busy.url)).deliver(notification);
    expect(outcome).toMatchObject({ delivered: false, statusCode: 503, attempts: 1 });
    expect(outcome.delivered === false && outcome.error).toContain('asks to wait 3600 s (Retry-After)');
  });

  it('times an attempt out, and masks the URL and every secret in what it reports', async () => {
    const hung = await hookServer('hang', 'hang');
    const secretUrl = `${hung.url}?key=sekrit-value`;
    const outcome = await new WebhookSubscriber('n', target(secretUrl, ['sekrit-value']), { attempts: 2, timeoutMs: 100, initialDelayMs: 1, maxDelayMs: 10 }).deliver(notification);
    expect(outcome).toMatchObject({ delivered: false, attempts: 2 });
    expect(outcome.delivered === false && outcome.error).toBe('no answer from ${HOOK_URL} within 100 ms (2 attempts)');
    expect(hung.requests).toHaveLength(2);
  });
});

describe('notifications of backfills', () => {
  it('backfill_finished is delivered once after an in-process backfill; its partition runs send nothing', async () => {
    const hook = await hookServer();
    const h = await open(['  - name: team', '    on: [run_succeeded, backfill_finished]', `    webhook: { url: "${hook.url}" }`], {
      'models/daily.sql': '/*---\npartitioned_by: { column: order_date, granularity: day, start: 2026-03-01, end: 2026-03-04 }\n---*/\nselect order_date, sum(amount) as revenue from orders group by order_date\n',
    });
    expect((await run(h)).status).toBe('succeeded');
    const before = hook.requests.length;
    const project = await loadProject(h.root, { env: {} });
    const selected = selectAssets(buildAssetGraph(project), project, { select: ['daily'], exclude: [] });
    const preview = planBackfill({ project, engine: h.engine.kind, selected, from: '2026-03-01', to: '2026-03-03', partitions: await h.store.partitions({}), runIsLive: () => false });
    const backfill = await requestBackfill(h.store, preview, { environment: project.environment, selection: ['daily'], from: '2026-03-01', to: '2026-03-03', concurrency: 1, rebuild: true });
    const lock = await acquireProjectLock(runLockPath(project), backfill.backfillId, { wait: true });
    try {
      const result = await runBackfill({ project, engine: h.engine, store: h.store, lock, backfill, mode: 'run', concurrency: 1, signal: new AbortController().signal });
      expect(result.status).toBe('succeeded');
    } finally {
      lock.release();
    }
    expect(hook.requests.slice(before).map((request) => body<{ event: string }>(hook, hook.requests.indexOf(request)).event)).toEqual(['backfill_finished']);
    const told = body<BackfillFinishedNotification>(hook, before);
    expect(told).toMatchObject({ event: 'backfill_finished', backfillId: backfill.backfillId, status: 'succeeded', environment: 'prod', selection: ['daily'], from: '2026-03-01', to: '2026-03-03', summary: { done: 3, failed: 0, missing: 0 } });
    const recorded = deliveries(await h.store.events({})).filter((event) => event.event === 'backfill_finished');
    expect(recorded).toEqual([expect.objectContaining({ type: 'notification_sent', backfillId: backfill.backfillId, statusCode: 200 })]);
    expect(recorded[0]?.runId).toBeUndefined();
  });
});
