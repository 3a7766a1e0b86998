/**
 * The control-chart and check-history API against real storage: a project built eleven times by
 * the real executor (ten steady row counts, then a planted jump), then the Hono app of `weir serve`
 * asked in-process. The chart must be exactly what `weir spc show --json` prints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckHistoryBody, SpcChartBody } from '@weir/core';
import { openServerHarness, type ServerHarness } from './server-harness.js';
import { createSpcHistoryProject, SPC_ROWS } from '../e2e/spc-history-fixture.js';
import type { WeirTestProject } from '../e2e/weir-test-project.js';

let project: WeirTestProject;
let server: ServerHarness;
let get: ServerHarness['get'];

beforeAll(async () => {
  project = await createSpcHistoryProject();
  server = await openServerHarness(project.root);
  ({ get } = server);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

type ErrorBody = { error: { code: string; message: string; hint?: string } };

describe('GET /api/assets/:name/spc/:metric', () => {
  it('answers the chart of the series: every point, the limits, and the planted jump marked', async () => {
    const chart = await get<SpcChartBody>('/api/assets/orders/spc/row_count');
    expect(chart.points.map((point) => point.value)).toEqual([...SPC_ROWS]);
    expect(chart.status).toBe('out_of_control');
    expect(chart.centre).toBeGreaterThan(98);
    expect(chart.centre).toBeLessThan(103);
    expect(chart.upperLimit).toBeGreaterThan(chart.centre!);
    expect(chart.upperLimit).toBeLessThan(300);
    expect(chart.lowerLimit).toBeLessThan(chart.centre!);
    const last = chart.points.at(-1)!;
    expect(last).toMatchObject({ value: 300, anomalous: true, zone: 'beyond', side: 'above' });
    expect(last.violations).toContain(1);
    expect(chart.points.slice(0, -1).every((point) => !point.anomalous)).toBe(true);
    expect(chart.violations.at(-1)).toMatchObject({ rule: 1, value: 300, at: last.at });
  });

  it('is exactly what weir spc show --json prints', async () => {
    const api = await get<SpcChartBody>('/api/assets/orders/spc/row_count');
    const cli = await project.weirJson<SpcChartBody>(['spc', 'show', 'orders', 'row_count', '--json']);
    expect(api).toEqual(cli);
  });

  it('names a column metric as ?column=email or null_rate.email, like the CLI', async () => {
    const byQuery = await get<SpcChartBody>('/api/assets/orders/spc/null_rate?column=email');
    const byName = await get<SpcChartBody>('/api/assets/orders/spc/null_rate.email');
    expect(byQuery.metric).toBe('null_rate(email)');
    expect(byName).toEqual(byQuery);
    expect(byQuery.points.map((point) => point.value)).toEqual(SPC_ROWS.map((rows) => Math.floor(rows / 10) / rows));
  });

  it('refuses an unknown asset (404, with a hint), an unknown metric, a doubled column, and an unrecorded partition (400)', async () => {
    const asset = await get<ErrorBody>('/api/assets/ordrs/spc/row_count', 404);
    expect(asset.error).toMatchObject({ code: 'ASSET_UNKNOWN' });
    expect(asset.error.hint).toContain('orders');
    const metric = await get<ErrorBody>('/api/assets/orders/spc/row_cont', 400);
    expect(metric.error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(metric.error.hint).toContain('row_count');
    expect((await get<ErrorBody>('/api/assets/orders/spc/null_rate', 400)).error.message).toContain('email');
    expect((await get<ErrorBody>('/api/assets/orders/spc/null_rate.email?column=id', 400)).error.code).toBe('USAGE');
    const partition = await get<ErrorBody>('/api/assets/orders/spc/row_count?partition=2024-01-01', 400);
    expect(partition.error).toMatchObject({ code: 'USAGE' });
    expect(partition.error.message).toContain('row_count of orders');
    expect((await get<ErrorBody>('/api/assets/orders/spc/row_count?partition=', 400)).error.code).toBe('USAGE');
  });
});

describe('GET /api/assets/:name/checks', () => {
  it("answers the asset's check results across builds, newest first: the spc check failed only on the jump", async () => {
    const history = await get<CheckHistoryBody>('/api/assets/orders/checks');
    const spc = history.filter((result) => result.check === 'spc_row_count');
    expect(spc).toHaveLength(SPC_ROWS.length);
    expect(spc.map((result) => result.passed)).toEqual([false, ...Array<boolean>(SPC_ROWS.length - 1).fill(true)]);
    expect(spc[0]).toMatchObject({ checkType: 'spc', severity: 'warn' });
    expect(history.filter((result) => result.check === 'not_null_id')).toHaveLength(SPC_ROWS.length);
    const times = history.map((result) => result.at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('honours ?limit and refuses a bad one', async () => {
    expect(await get<CheckHistoryBody>('/api/assets/orders/checks?limit=3')).toHaveLength(3);
    expect((await get<ErrorBody>('/api/assets/orders/checks?limit=0', 400)).error.code).toBe('USAGE');
    expect((await get<ErrorBody>('/api/assets/nope/checks', 404)).error.code).toBe('ASSET_UNKNOWN');
  });
});
