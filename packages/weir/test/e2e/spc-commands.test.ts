/**
 * `weir spc show` and `weir spc rebaseline` as a user drives them: a project built a few times by
 * the binary, its row-count chart as JSON (for the UI) and as text, the ways to name a column
 * metric, the errors for a wrong asset or metric, and a rebaseline the next build honours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpcChart } from '@weir/core';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const MODEL = `/*---
materialization: table
checks:
  - spc: { metric: row_count, severity: error }
---*/
select id, email, created_at from raw_orders
`;

/** `rows` orders; every tenth has no email. */
function ordersCsv(rows: number): string {
  const lines = ['id,email,created_at'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},${i % 10 === 0 ? '' : `c${i}@example.com`},2024-01-01 00:00:00`);
  return `${lines.join('\n')}\n`;
}

// Each command starts a process; on a loaded machine that takes seconds, so allow more than the default.
describe('weir spc', { timeout: 120_000 }, () => {
  let project: WeirTestProject;
  const BUILT_ROWS = [100, 101, 102];

  beforeAll(async () => {
    project = await createWeirProject({
      'weir.yaml': 'name: spc_e2e\n',
      'sources/s.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n',
      'models/orders.sql': MODEL,
    });
    for (const rows of BUILT_ROWS) {
      project.write({ 'data/orders.csv': ordersCsv(rows) });
      const run = await project.weir(['run']);
      expect(run.code, show(run)).toBe(0);
    }
  }, 180_000);

  afterAll(async () => {
    await project.cleanup();
  });

  it('show --json prints the control chart: learning, with every recorded point and no limits yet', async () => {
    const chart = await project.weirJson<SpcChart>(['spc', 'show', 'orders', 'row_count', '--json']);
    expect(chart).toMatchObject({ metric: 'row_count', status: 'learning', centre: null, upperLimit: null, lowerLimit: null, baseline: null, seasons: null, violations: [] });
    expect(chart.points.map((point) => point.value)).toEqual(BUILT_ROWS);
    expect(Object.keys(chart.points[0] ?? {}).sort()).toEqual(
      ['anomalous', 'at', 'centre', 'inBaseline', 'lowerLimit', 'movingRange', 'period', 'phase', 'runId', 'side', 'sigmas', 'upperLimit', 'value', 'violations', 'weekday', 'zone'].sort(),
    );
    expect(chart.points.every((point) => point.phase === 'learning' && point.zone === null && point.period === 0 && point.runId?.startsWith('r-'))).toBe(true);
    expect(chart.config).toMatchObject({ minPoints: 8, baselinePoints: 20, relativeFloor: 0.1, rules: { 1: true, 2: true, 3: true, 4: true } });
  });

  it('show prints the status, who judges it, and the points', async () => {
    const result = await project.weir(['spc', 'show', 'orders', 'row_count']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toContain('orders  row_count  learning: 3 of the 8 points needed before judging');
    expect(result.stdout).toContain('judged by: spc check spc_row_count (error');
    expect(result.stdout).toContain('limits:    none yet');
    expect(result.stdout).toMatch(/Points \(3\)\nat +value +sigmas +zone +phase +verdict/);
    expect(result.stdout).toMatch(/\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +102 +- +- +learning/);
    expect(result.stdout).toContain('Violations: none');
  });

  it('names a column metric as null_rate.email, null_rate:email or --column email; a source has the default monitors', async () => {
    for (const form of [['null_rate.email'], ['null_rate:email'], ['null_rate', '--column', 'email']]) {
      const chart = await project.weirJson<SpcChart>(['spc', 'show', 'orders', ...form, '--json']);
      expect(chart.metric).toBe('null_rate(email)');
      expect(chart.points.map((point) => point.value)).toEqual(BUILT_ROWS.map((rows) => Math.floor(rows / 10) / rows));
    }
    const text = await project.weir(['spc', 'show', 'orders', 'null_rate.email']);
    expect(text.stdout).toContain('no spc check watches it');
    const monitor = await project.weir(['spc', 'show', 'raw_orders', 'freshness_lag_hours']);
    expect(monitor.code, show(monitor)).toBe(0);
    expect(monitor.stdout).toContain('judged by: default monitor monitor_freshness_lag_hours (warn)');
  });

  it('refuses an unknown asset or metric with exit 2 and a suggestion', async () => {
    const weir = (...args: string[]) => project.weir(['spc', ...args]);
    const asset = await weir('show', 'ordrs', 'row_count');
    const metric = await weir('show', 'orders', 'row_cont', '--json');
    const noColumn = await weir('show', 'orders', 'null_rate');
    const twice = await weir('show', 'orders', 'null_rate.email', '--column', 'id');
    const rebaseline = await weir('rebaseline', 'orders', 'rowcount');
    expect(asset.code, show(asset)).toBe(2);
    expect(asset.stderr).toContain('no asset "ordrs" in this project');
    expect(asset.stderr).toContain('did you mean "orders"?');
    expect(asset.stdout).toBe('');

    expect(metric.code, show(metric)).toBe(2);
    expect(metric.stderr).toContain('unknown metric "row_cont": Weir records row_count, build_seconds, freshness_lag_hours per asset');
    expect(metric.stderr).toContain('did you mean "row_count"?');
    expect(metric.stdout).toBe('');

    expect(noColumn.code, show(noColumn)).toBe(2);
    expect(noColumn.stderr).toContain('null_rate is measured per column: name the column it is measured on (orders records it for');

    expect(twice.code, show(twice)).toBe(2);
    expect(twice.stderr).toContain('the column is given twice');

    expect(rebaseline.code, show(rebaseline)).toBe(2);
    expect(rebaseline.stderr).toContain('did you mean "row_count"?');
  });

  it('rebaseline records the marker, says what happens next, and show and the next build honour it', async () => {
    const result = await project.weir(['spc', 'rebaseline', 'orders', 'row_count', '--reason', 'new feed']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/^rebaselined row_count of orders at \d{4}-\d\d-\d\dT[\d:.]+Z \(new feed\)\n/);
    expect(result.stdout).toContain('the following builds learn new limits');
    expect(result.stdout).toContain('not judged until 8 new points are recorded');

    const text = await project.weir(['spc', 'show', 'orders', 'row_count']);
    expect(text.stdout).toContain('learning: 0 of the 8 points needed before judging');
    expect(text.stdout).toMatch(/rebaselined \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: 0 point\(s\) since/);

    // A much bigger build after the marker starts the new baseline.
    project.write({ 'data/orders.csv': ordersCsv(250) });
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(0);
    const chart = await project.weirJson<SpcChart>(['spc', 'show', 'orders', 'row_count', '--json']);
    expect(chart.points.map((point) => [point.value, point.period])).toEqual([...BUILT_ROWS.map((rows) => [rows, 0]), [250, 1]]);
    expect(chart.status).toBe('learning');
    const after = await project.weir(['spc', 'show', 'orders', 'row_count']);
    expect(after.stdout).toContain('learning: 1 of the 8 points needed before judging');
    expect(after.stdout).toMatch(/1 point\(s\) since/);
    expect(after.stdout).toMatch(/ 250 +- +- +learning +new baseline/);
  });
});
