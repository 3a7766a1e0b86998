/**
 * Charts of recorded series and deliberate rebaselines, on a real SQLite state store holding the
 * `metrics_measured` events builds would have written (the executor itself is exercised in
 * spc-scenario.test.ts).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeasuredMetric, WeirEvent } from '../events/weir-event.js';
import { loadProject } from '../project/load-project.js';
import type { Project } from '../project/project-model.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import type { StateStore } from '../storage/state-store.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import { rebaselineSpc, resolveSpcSeries, spcChartFor, spcSeriesFor } from './spc-chart.js';

const open: Array<{ root: string; store: StateStore }> = [];

afterEach(async () => {
  for (const { root, store } of open.splice(0)) {
    await store.close();
    await removeTempProject(root);
  }
});

async function setup(): Promise<{ project: Project; store: StateStore }> {
  const root = await writeTempProject({
    'weir.yaml': 'name: t\n',
    'models/orders.sql': '/*---\nmaterialization: table\nchecks:\n  - spc: { metric: null_rate, column: email, severity: error, relative_floor: 0.5 }\n---*/\nselect 1 as id, null as email\n',
    'models/summary.sql': 'select count(*) as n from orders\n',
  });
  const store = await openSqliteStateStore(join(root, '.weir', 'state.db'));
  open.push({ root, store });
  return { project: await loadProject(root), store };
}

/** The time of day `n`, in order. */
const dayAt = (n: number): string => new Date(Date.UTC(2024, 0, n, 6)).toISOString();

function measured(n: number, metrics: MeasuredMetric[], asset = 'orders'): WeirEvent {
  return { type: 'metrics_measured', at: dayAt(n), runId: `r-${n}`, asset, version: `v${n}`, metrics };
}

/** `count` stable days of orders (1000 ± 10 rows, 2% null emails), then what `extra` adds. */
async function recordDays(store: StateStore, count: number): Promise<void> {
  const events: WeirEvent[] = [];
  for (let n = 1; n <= count; n++) {
    events.push(
      measured(n, [
        { metric: 'row_count', value: 1000 + (n % 3) * 10 - 10 },
        { metric: 'null_rate', column: 'email', value: 0.02 + (n % 2) * 0.001 },
      ]),
    );
  }
  await store.append(events);
}

describe('spcChartFor', () => {
  it('charts a recorded series with the settings of the check that watches it', async () => {
    const { project, store } = await setup();
    await recordDays(store, 12);
    await store.append([measured(13, [{ metric: 'row_count', value: 400, anomalous: true }])]);
    const chart = await spcChartFor(store, project, 'orders', 'row_count');
    expect(chart.metric).toBe('row_count');
    expect(chart.points).toHaveLength(13);
    expect(chart.points[0]).toMatchObject({ at: dayAt(1), value: 1000, runId: 'r-1', phase: 'learning' });
    expect(chart.status).toBe('out_of_control');
    expect(chart.violations.map((v) => v.at)).toEqual([dayAt(13)]);
    expect(chart.config.relativeFloor).toBe(0.1); // the volume monitor's defaults

    const nullRate = await spcSeriesFor(store, project, { asset: 'orders', metric: 'null_rate', column: 'email' });
    expect(nullRate.watchedBy).toBe('check');
    expect(nullRate.check).toMatchObject({ name: 'spc_null_rate_email', severity: 'error' });
    expect(nullRate.chart.metric).toBe('null_rate(email)');
    expect(nullRate.chart.config).toMatchObject({ relativeFloor: 0.5, absoluteFloor: 0.01 });
    expect(nullRate.chart.status).toBe('in_control');
  });

  it('keeps points recorded as anomalous out of the baseline, even when today\'s rules would pass them', async () => {
    const { project, store } = await setup();
    await recordDays(store, 10);
    await store.append([measured(11, [{ metric: 'row_count', value: 1000, anomalous: true }])]);
    const chart = await spcChartFor(store, project, 'orders', 'row_count');
    expect(chart.points[10]).toMatchObject({ anomalous: true, inBaseline: false, violations: [] });
  });

  it('says who watches a series: a declared check, a default monitor, or nobody', async () => {
    const { project } = await setup();
    expect(resolveSpcSeries(project, { asset: 'orders', metric: 'row_count' })).toMatchObject({ watchedBy: 'default_monitor', check: { name: 'monitor_row_count', severity: 'warn' } });
    expect(resolveSpcSeries(project, { asset: 'orders', metric: 'freshness_lag_hours' }).config).toMatchObject({ direction: 'increase', absoluteFloor: 1 });
    expect(resolveSpcSeries(project, { asset: 'orders', metric: 'mean', column: 'id' }).watchedBy).toBe('none');
  });

  it('refuses an unknown asset or metric with a suggestion, and a series with nothing recorded', async () => {
    const { project, store } = await setup();
    await recordDays(store, 3);
    await expect(spcChartFor(store, project, 'order', 'row_count')).rejects.toMatchObject({ code: 'ASSET_UNKNOWN', hint: 'did you mean "orders"?' });
    await expect(spcChartFor(store, project, 'orders', 'row_cont')).rejects.toMatchObject({ code: 'CONFIG_INVALID', hint: 'did you mean "row_count"?' });
    await expect(spcChartFor(store, project, 'orders', 'row_cont')).rejects.toThrow(/Weir records row_count, build_seconds, freshness_lag_hours per asset and null_rate/);
    await expect(spcChartFor(store, project, 'orders', 'null_rate')).rejects.toThrow('null_rate is measured per column: name the column it is measured on (orders records it for email)');
    await expect(spcChartFor(store, project, 'orders', 'row_count', 'id')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/whole asset/) as string });
    await expect(spcChartFor(store, project, 'orders', 'null_rate', 'emial')).rejects.toMatchObject({ code: 'USAGE', hint: 'did you mean "email"?' });
    await expect(spcChartFor(store, project, 'orders', 'freshness_lag_hours')).rejects.toThrow(/no recorded freshness_lag_hours of orders \(freshness is measured only on assets with a date or timestamp column\)/);
    await expect(spcChartFor(store, project, 'summary', 'row_count')).rejects.toThrow(/summary has no recorded metrics yet/);
  });

  it('does not chart a series whose every point has no value', async () => {
    const { project, store } = await setup();
    await store.append([measured(1, [{ metric: 'mean', column: 'id', value: null }])]);
    await expect(spcChartFor(store, project, 'orders', 'mean', 'id')).rejects.toThrow(/1 recorded point\(s\), none with a value/);
  });
});

describe('rebaselineSpc', () => {
  it('records the marker; the chart learns again from the points after it', async () => {
    const { project, store } = await setup();
    await recordDays(store, 25);
    expect((await spcChartFor(store, project, 'orders', 'row_count')).status).toBe('in_control');
    const event = await rebaselineSpc(store, project, { asset: 'orders', metric: 'row_count', actor: 'alice', reason: 'new feed' });
    expect(event).toMatchObject({ type: 'spc_rebaselined', asset: 'orders', metric: 'row_count', actor: 'alice', reason: 'new feed' });
    expect(event).not.toHaveProperty('column');
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'row_count' })).toEqual([event.at]);
    // Nothing after the marker yet: no limits, learning.
    const after = await spcSeriesFor(store, project, { asset: 'orders', metric: 'row_count' });
    expect(after.rebaselines).toEqual([event.at]);
    expect(after.chart).toMatchObject({ status: 'learning', centre: null, baseline: null });
    // Only that series: the null rate keeps its limits.
    expect((await spcChartFor(store, project, 'orders', 'null_rate', 'email')).status).toBe('in_control');
    // A new level after the marker is learned, not flagged.
    await store.append([{ type: 'metrics_measured', at: new Date(Date.parse(event.at) + 1000).toISOString(), runId: 'r-new', asset: 'orders', version: 'vn', metrics: [{ metric: 'row_count', value: 2000 }] }]);
    const relearning = await spcChartFor(store, project, 'orders', 'row_count');
    expect(relearning.points.at(-1)).toMatchObject({ value: 2000, period: 1, phase: 'learning', anomalous: false });
    expect(relearning.points.slice(0, 25).every((point) => point.period === 0)).toBe(true);
  });

  it('validates like the chart, and refuses a series with nothing to rebaseline', async () => {
    const { project, store } = await setup();
    await recordDays(store, 2);
    await expect(rebaselineSpc(store, project, { asset: 'ordrs', metric: 'row_count' })).rejects.toMatchObject({ code: 'ASSET_UNKNOWN' });
    await expect(rebaselineSpc(store, project, { asset: 'orders', metric: 'rows' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(rebaselineSpc(store, project, { asset: 'summary', metric: 'row_count' })).rejects.toMatchObject({ code: 'USAGE' });
    const event = await rebaselineSpc(store, project, { asset: 'orders', metric: 'null_rate', column: 'email', reason: '' });
    expect(event).toMatchObject({ metric: 'null_rate', column: 'email' });
    expect(event).not.toHaveProperty('reason');
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'null_rate', column: 'email' })).toEqual([event.at]);
    expect(await store.spcRebaselines({ asset: 'orders', metric: 'row_count' })).toEqual([]);
  });
});
