/**
 * Schedules, sensors and backfills through the API, in-process over real storage (SQLite state,
 * DuckDB warehouse) of a project built and backfilled by the real `weir` binary: the listing with
 * next fire times, a sensor's newest failure read from the log and the runs a trigger started;
 * pause and resume recorded as `weir schedules pause|resume` records them (editor, not viewer; 401
 * without a token); backfills with their tasks; unknown names and ids 404 with a did-you-mean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillDetailBody, BackfillSummaryBody, TriggerPauseBody, TriggersBody } from '@weir/core';
import { createApiToken } from '../../src/server/api-tokens.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import { createWeirProject, show, type WeirTestProject } from '../e2e/weir-test-project.js';
import { expectError, openServerHarness, type ServerHarness } from './server-harness.js';
import { FAILING_SENSOR_LINE, orchestrationFiles } from './orchestration-fixture.js';

let project: WeirTestProject;
let server: ServerHarness;
let authApp: ReturnType<typeof createServerApp>;
let backfillId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  project = await createWeirProject(orchestrationFiles());
  const run = await project.weir(['run']);
  expect(run.code, show(run)).toBe(0);
  const backfill = await project.weir(['backfill', 'daily_revenue', '--from', '2026-01-01', '--to', '2026-01-03', '--rebuild']);
  expect(backfill.code, show(backfill)).toBe(0);
  backfillId = /backfill (bf-[\w-]+)/.exec(backfill.stdout)![1]!;
  server = await openServerHarness(project.root);
  authApp = createServerApp({ hub: server.hub, view: server.view, health: server.health, auth: { required: true } });
  for (const role of ['viewer', 'editor'] as const) tokens[role] = (await createApiToken(server.runtime.store, { name: `${role}-token`, role, by: 'test@host' })).token;
  // What weir serve's trigger loop records: two failed evaluations of the custom sensor (the newest
  // is shown) and a run the schedule started.
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 8, minute)).toISOString();
  await server.runtime.store.append([
    { type: 'sensor_failed', at: at(0), sensor: 'export_ready', message: 'sensor "export_ready" threw Error: older', file: 'sensors/export_ready.ts', line: 3 },
    { type: 'sensor_failed', at: at(1), sensor: 'export_ready', message: 'sensor "export_ready" threw Error: the export API answered 503', file: 'sensors/export_ready.ts', line: FAILING_SENSOR_LINE },
    { type: 'run_started', at: at(2), runId: 'r-scheduled', environment: 'prod', pid: process.pid, host: 'test', command: 'schedule:nightly', selection: ['daily_revenue'], exclusion: [], plannedAssets: ['daily_revenue'] },
    { type: 'run_finished', at: at(3), runId: 'r-scheduled', status: 'succeeded', summary: {} },
  ]);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

function call(app: ReturnType<typeof createServerApp>, method: string, path: string, token?: string): Promise<Response> {
  return Promise.resolve(app.request(path, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }));
}


describe('GET /api/triggers', () => {
  it('lists the schedule with its next fire times in Berlin and UTC, and both sensors', async () => {
    const body = await server.get<TriggersBody>('/api/triggers');
    expect(body.triggers.map((trigger) => [trigger.kind, trigger.name, trigger.type])).toEqual([
      ['schedule', 'nightly', 'cron'],
      ['sensor', 'landing', 'file'],
      ['sensor', 'export_ready', 'typescript'],
    ]);
    const nightly = body.triggers[0]!;
    expect(nightly).toMatchObject({ cron: '0 2 * * *', timezone: 'Europe/Berlin', paused: false, pausedBy: 'weir.yaml', lastTick: null, failing: false });
    expect(nightly.next).toHaveLength(3);
    for (const time of nightly.next) {
      expect(time.local).toMatch(/ 02:00 \+0[12]:00$/);
      expect(new Date(time.utc).getTime()).toBeGreaterThan(new Date(body.now).getTime());
    }
    expect(nightly.recentRuns).toEqual([{ runId: 'r-scheduled', status: 'succeeded', startedAt: expect.any(String), endedAt: expect.any(String) }]);
  });

  it("shows the custom sensor's newest failure from the log, with its file and line", async () => {
    const body = await server.get<TriggersBody>('/api/triggers');
    const sensor = body.triggers.find((trigger) => trigger.name === 'export_ready')!;
    expect(sensor).toMatchObject({ file: 'sensors/export_ready.ts', intervalSeconds: 1, failing: true, cursor: null, recentRuns: [] });
    expect(sensor.lastFailure).toEqual({ at: '2026-01-05T08:01:00.000Z', message: 'sensor "export_ready" threw Error: the export API answered 503', file: 'sensors/export_ready.ts', line: FAILING_SENSOR_LINE });
    expect(body.triggers.find((trigger) => trigger.name === 'landing')!.lastFailure).toBeNull();
  });
});

describe('POST /api/triggers/:name/pause and /resume', () => {
  it('pauses and resumes with the events weir schedules pause|resume appends, once each', async () => {
    const paused = await server.app.request('/api/triggers/nightly/pause', { method: 'POST' });
    expect(await paused.json()).toEqual({ name: 'nightly', kind: 'schedule', paused: true, changed: true } satisfies TriggerPauseBody);
    const again = await server.app.request('/api/triggers/nightly/pause', { method: 'POST' });
    expect(((await again.json()) as TriggerPauseBody).changed).toBe(false);
    const listed = await server.get<TriggersBody>('/api/triggers');
    expect(listed.triggers[0]).toMatchObject({ name: 'nightly', paused: true, pausedBy: 'command' });
    // The CLI reads the same state.
    const ls = await project.weir(['schedules', 'ls', '--json']);
    expect(JSON.parse(ls.stdout).schedules[0]).toMatchObject({ name: 'nightly', paused: true });

    const resumed = await server.app.request('/api/triggers/nightly/resume', { method: 'POST' });
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as TriggerPauseBody).paused).toBe(false);
    const events = (await server.runtime.store.events()).filter((event) => event.type === 'trigger_paused' || event.type === 'trigger_resumed');
    expect(events.map((event) => [event.type, 'name' in event ? event.name : '', 'by' in event ? event.by : ''])).toEqual([
      ['trigger_paused', 'nightly', 'weir serve API (local mode)'],
      ['trigger_resumed', 'nightly', 'weir serve API (local mode)'],
    ]);
  });

  it('answers 404 TRIGGER_UNKNOWN with a did-you-mean for an unknown name', async () => {
    const error = await expectError(await call(server.app, 'POST', '/api/triggers/nightlly/pause'), 404, 'TRIGGER_UNKNOWN');
    expect(error.message).toBe('no schedule or sensor "nightlly"');
    expect(error.hint).toContain('nightly');
  });

  it('with tokens: 401 without one, 403 for a viewer (who may still read), an editor pauses and is recorded', async () => {
    await expectError(await call(authApp, 'POST', '/api/triggers/export_ready/pause'), 401, 'UNAUTHORIZED');
    await expectError(await call(authApp, 'GET', '/api/triggers'), 401, 'UNAUTHORIZED');
    const refused = await expectError(await call(authApp, 'POST', '/api/triggers/export_ready/pause', tokens.viewer), 403, 'FORBIDDEN');
    expect(refused.message).toContain('needs an editor token');
    expect((await call(authApp, 'GET', '/api/triggers', tokens.viewer)).status).toBe(200);
    const paused = await call(authApp, 'POST', '/api/triggers/export_ready/pause', tokens.editor);
    expect(await paused.json()).toEqual({ name: 'export_ready', kind: 'sensor', paused: true, changed: true });
    const [last] = await server.runtime.store.events({ type: 'trigger_paused', newestFirst: true, limit: 1 });
    expect(last).toMatchObject({ type: 'trigger_paused', trigger: 'sensor', name: 'export_ready', by: 'token editor-token' });
    expect((await call(authApp, 'POST', '/api/triggers/export_ready/resume', tokens.editor)).status).toBe(200);
  });

  it('does not answer other verbs of a trigger', async () => {
    expect((await call(server.app, 'POST', '/api/triggers/nightly/run')).status).toBe(404);
  });
});

describe('GET /api/backfills', () => {
  it('lists the backfill with its status and counts, as weir backfill ls', async () => {
    const list = await server.get<BackfillSummaryBody[]>('/api/backfills');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      backfillId,
      status: 'succeeded',
      from: '2026-01-01',
      to: '2026-01-03',
      assets: [{ asset: 'daily_revenue', partitions: 3 }],
      counts: { done: 3, running: 0, failed: 0, missing: 0 },
      total: 3,
    });
  });

  it('shows every partition of one backfill, found by a prefix of its id too', async () => {
    const detail = await server.get<BackfillDetailBody>(`/api/backfills/${backfillId}`);
    expect(detail.tasks.map((task) => [task.asset, task.partition, task.status])).toEqual([
      ['daily_revenue', '2026-01-01', 'done'],
      ['daily_revenue', '2026-01-02', 'done'],
      ['daily_revenue', '2026-01-03', 'done'],
    ]);
    const shown = await project.weir(['backfill', 'show', backfillId, '--json']);
    expect(JSON.parse(shown.stdout).counts).toEqual(detail.counts);
    expect((await server.get<BackfillDetailBody>(`/api/backfills/${backfillId.slice(0, 12)}`)).backfillId).toBe(backfillId);
  });

  it('answers 404 BACKFILL_UNKNOWN for an unknown id and 400 for a bad limit', async () => {
    const error = await expectError(await call(server.app, 'GET', '/api/backfills/bf-nope'), 404, 'BACKFILL_UNKNOWN');
    expect(error.hint).toContain('/api/backfills');
    await expectError(await call(server.app, 'GET', '/api/backfills?limit=0'), 400, 'USAGE');
    await expectError(await call(server.app, 'GET', '/api/backfills?limit=many'), 400, 'USAGE');
  });
});
