/**
 * The KPIs folded from a scripted history appended to a real SQLite state store: seven runs over
 * two weeks with chosen timestamps (a failure fixed by the next run, a block fixed a day later,
 * a failure still open, a crash, a run of another environment), asserting exact values.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisBody } from '../api/kpi-types.js';
import type { WeirEvent } from '../events/weir-event.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { computeKpis } from './compute-kpis.js';

/** How one step of a scripted run ends. */
type Outcome = 'ok' | 'fail' | 'blocked' | 'unchanged' | 'upstream_failed';

interface ScriptedStep {
  asset: string;
  /** Seconds after the run's start. */
  start: number;
  end: number;
  outcome: Outcome;
  checks?: Array<{ severity: 'error' | 'warn'; passed: boolean }>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The events of one run starting at `start` (ISO), as the executor would append them. */
function scriptedRun(runId: string, start: string, status: 'succeeded' | 'failed' | 'crashed', steps: ScriptedStep[], environment = 'prod'): WeirEvent[] {
  const t0 = Date.parse(start);
  const at = (seconds: number): string => iso(t0 + seconds * 1000);
  const events: WeirEvent[] = [{ type: 'run_started', at: start, runId, environment, pid: 1, host: 'h', command: 'run', selection: [], exclusion: [], plannedAssets: steps.map((step) => step.asset) }];
  let end = 0;
  for (const step of steps) {
    const version = `${step.asset}-${runId}`;
    const { asset } = step;
    end = Math.max(end, step.end);
    if (step.outcome === 'unchanged' || step.outcome === 'upstream_failed') {
      events.push({ type: 'step_skipped', at: at(step.end), runId, asset, reason: step.outcome, detail: step.outcome });
      continue;
    }
    events.push({ type: 'step_started', at: at(step.start), runId, asset, version, attempt: 1 });
    if (step.outcome === 'fail') {
      events.push({ type: 'step_failed', at: at(step.end), runId, asset, version, error: { code: 'SQL_ERROR', message: 'boom' }, attempts: 1 });
      continue;
    }
    events.push({ type: 'asset_materialized', at: at(step.end), runId, asset, version, physicalSchema: 'weir_data', physicalName: version, materialization: 'table', rows: 1, durationMs: 1 });
    for (const [index, check] of (step.checks ?? []).entries()) {
      events.push({ type: 'check_evaluated', at: at(step.end), runId, asset, version, check: `c${index}`, checkType: 'not_null', severity: check.severity, passed: check.passed, failingRows: check.passed ? 0 : 1, detail: '' });
    }
    if (step.outcome === 'blocked') {
      events.push({ type: 'asset_blocked', at: at(step.end), runId, asset, version, failedChecks: ['c0'] });
      continue;
    }
    events.push({ type: 'asset_published', at: at(step.end), runId, environment, asset, version, previousVersion: null, reason: 'build' });
    events.push({ type: 'step_succeeded', at: at(step.end), runId, asset, version, rows: 1, durationMs: 1, warnings: 0 });
  }
  events.push({ type: 'run_finished', at: at(end + 1), runId, status, summary: {} });
  return events;
}

const pass = { severity: 'error' as const, passed: true };
const NOW = new Date('2025-03-10T12:00:00.000Z');
const OPTIONS = { environment: 'prod', assets: ['raw', 'orders', 'report'], roots: new Set(['raw']), days: 7, now: NOW };

const scratch = mkdtempSync(join(tmpdir(), 'weir-kpis-test-'));
let store: StateStore;
let kpis: KpisBody;

beforeAll(async () => {
  store = await openSqliteStateStore(join(scratch, 'state.db'));
  await store.append([
    // Previous window: one clean run, delivered in 30 s.
    ...scriptedRun('r0', '2025-03-01T10:00:00.000Z', 'succeeded', [
      { asset: 'raw', start: 0, end: 10, outcome: 'ok' },
      { asset: 'orders', start: 10, end: 20, outcome: 'ok', checks: [pass] },
      { asset: 'report', start: 20, end: 30, outcome: 'ok' },
    ]),
    // Delivered in 180 s; a warn check fails.
    ...scriptedRun('r1', '2025-03-05T10:00:00.000Z', 'succeeded', [
      { asset: 'raw', start: 0, end: 60, outcome: 'ok' },
      { asset: 'orders', start: 60, end: 120, outcome: 'ok', checks: [pass, { severity: 'warn', passed: false }] },
      { asset: 'report', start: 120, end: 180, outcome: 'ok' },
    ]),
    // orders fails at 10:01:00 ...
    ...scriptedRun('r2', '2025-03-06T10:00:00.000Z', 'failed', [
      { asset: 'raw', start: 0, end: 30, outcome: 'ok' },
      { asset: 'orders', start: 30, end: 60, outcome: 'fail' },
      { asset: 'report', start: 60, end: 61, outcome: 'upstream_failed' },
    ]),
    // ... and is fixed at 16:00:40; report is blocked by an error check at 16:01:00 ...
    ...scriptedRun('r3', '2025-03-06T16:00:00.000Z', 'failed', [
      { asset: 'raw', start: 0, end: 5, outcome: 'unchanged' },
      { asset: 'orders', start: 10, end: 40, outcome: 'ok', checks: [pass] },
      { asset: 'report', start: 40, end: 60, outcome: 'blocked', checks: [{ severity: 'error', passed: false }] },
    ]),
    // ... and published again the next morning at 09:01:20; delivered in 80 s.
    ...scriptedRun('r4', '2025-03-07T09:00:00.000Z', 'succeeded', [
      { asset: 'raw', start: 0, end: 20, outcome: 'ok' },
      { asset: 'orders', start: 20, end: 50, outcome: 'ok', checks: [pass] },
      { asset: 'report', start: 50, end: 80, outcome: 'ok', checks: [pass] },
    ]),
    // report fails at 08:00:30 and is still failing now.
    ...scriptedRun('r5', '2025-03-09T08:00:00.000Z', 'failed', [
      { asset: 'raw', start: 0, end: 10, outcome: 'ok' },
      { asset: 'orders', start: 10, end: 20, outcome: 'ok' },
      { asset: 'report', start: 20, end: 30, outcome: 'fail' },
    ]),
    ...scriptedRun('r6', '2025-03-09T20:00:00.000Z', 'crashed', []),
    // Another environment's failures are not this one's.
    ...scriptedRun('d1', '2025-03-08T10:00:00.000Z', 'failed', [{ asset: 'raw', start: 0, end: 10, outcome: 'fail', checks: [] }], 'dev'),
  ]);
  kpis = await computeKpis(store, OPTIONS);
});

afterAll(async () => {
  await store?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const trendOf = (points: Array<{ day: string; value: number | null }>): Record<string, number | null> => Object.fromEntries(points.map((point) => [point.day, point.value]));

describe('computeKpis over a scripted history', () => {
  it('spans seven whole UTC days ending today, and the seven before', () => {
    expect(kpis).toMatchObject({ environment: 'prod', days: 7, from: '2025-03-04T00:00:00.000Z', to: '2025-03-10T12:00:00.000Z', previousFrom: '2025-02-25T00:00:00.000Z', runsRead: 7, truncated: false });
    expect(kpis.uptime.trend.map((point) => point.day)).toEqual(['2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07', '2025-03-08', '2025-03-09', '2025-03-10']);
  });

  it('delivery time: source step start to the last publication downstream, median and p90', () => {
    const delivery = kpis.deliveryTime;
    // r1 180 s and r4 80 s; failed runs delivered what they published: r2 its root (30 s), r5 up to
    // orders (20 s). r3's root was unchanged: no new data arrived.
    expect(delivery).toMatchObject({ value: 55, p90: 150, previous: 30, previousP90: 30, samples: 4 });
    expect(trendOf(delivery.trend)).toMatchObject({ '2025-03-05': 180, '2025-03-06': 30, '2025-03-07': 80, '2025-03-09': 20 });
    expect(trendOf(delivery.trendP90)['2025-03-05']).toBe(180);
  });

  it('uptime: healthy asset-time over observed asset-time, per window and per day', () => {
    const observed = 3 * 6.5 * 86_400;
    const down = 21_580 + 61_220 + 100_770;
    expect(kpis.uptime.value).toBe((observed - down) / observed);
    expect(kpis.uptime.previous).toBe(1);
    expect(kpis.uptime.samples).toBe(3);
    const days = trendOf(kpis.uptime.trend);
    expect(days['2025-03-05']).toBe(1);
    expect(days['2025-03-06']).toBe((3 * 86_400 - 21_580 - 28_740) / (3 * 86_400));
    expect(days['2025-03-10']).toBe(2 / 3);
  });

  it('quality score: error checks weigh 2, warn checks 1', () => {
    expect(kpis.qualityScore).toMatchObject({ value: 8 / 11, previous: 1, samples: 6 });
    expect(trendOf(kpis.qualityScore.trend)).toMatchObject({ '2025-03-05': 2 / 3, '2025-03-06': 0.5, '2025-03-07': 1, '2025-03-08': null });
  });

  it('error rate: failed and crashed runs over finished runs, and failed steps over steps that did work', () => {
    expect(kpis.errorRate).toMatchObject({ value: 4 / 6, previous: 0, failedRuns: 4, finishedRuns: 6, stepErrorRate: 2 / 13, failedSteps: 2, steps: 13 });
    expect(trendOf(kpis.errorRate.trend)).toMatchObject({ '2025-03-05': 0, '2025-03-06': 1, '2025-03-09': 1, '2025-03-08': null });
  });

  it('time to resolve: first failing step to the next publication, and what is still open', () => {
    expect(kpis.timeToResolve).toMatchObject({ value: 41_400, p90: 57_256, previous: null, samples: 2, unresolved: 1, oldestUnresolvedSince: '2025-03-09T08:00:30.000Z' });
    expect(trendOf(kpis.timeToResolve.trend)).toMatchObject({ '2025-03-06': 21_580, '2025-03-07': 61_220 });
  });

  it('a rollback resolves a failure too; a later window has nothing to say and says null', async () => {
    await store.append([{ type: 'asset_published', at: '2025-03-10T13:00:00.000Z', runId: null, environment: 'prod', asset: 'report', version: 'report-r4', previousVersion: 'report-r4', reason: 'rollback' }]);
    const later = await computeKpis(store, { ...OPTIONS, now: new Date('2025-03-10T14:00:00.000Z') });
    expect(later.timeToResolve).toMatchObject({ unresolved: 0, oldestUnresolvedSince: null, samples: 3 });
    expect(trendOf(later.timeToResolve.trend)['2025-03-10']).toBe((Date.parse('2025-03-10T13:00:00Z') - Date.parse('2025-03-09T08:00:30Z')) / 1000);
    const empty = await computeKpis(store, { ...OPTIONS, now: new Date('2025-06-01T06:00:00.000Z'), days: 1 });
    expect(empty).toMatchObject({ runsRead: 0, deliveryTime: { value: null, samples: 0 }, qualityScore: { value: null }, errorRate: { value: null, stepErrorRate: null }, timeToResolve: { value: null } });
    // Every asset was published and nothing failed since: up the whole day.
    expect(empty.uptime.value).toBe(1);
  });

  it('reads at most maxRuns runs, newest first, and says it left some out', async () => {
    const cut = await computeKpis(store, { ...OPTIONS, maxRuns: 2 });
    expect(cut).toMatchObject({ runsRead: 2, truncated: true, errorRate: { failedRuns: 2, finishedRuns: 2 } });
  });

  it('refuses a window of no days', async () => {
    await expect(computeKpis(store, { ...OPTIONS, days: 0 })).rejects.toThrow(RangeError);
  });
});
