/** `partitioned_by` in a model header: what loads, and each bad declaration's error at its file:line. */
import { afterAll, describe, expect, it } from 'vitest';
import { isWeirError, type WeirError } from '../errors/weir-error.js';
import { loadProject } from './load-project.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

const model = (header: string, sql = 'SELECT DATE \'2026-01-01\' AS order_date, 1 AS amount'): Record<string, string> => ({
  'weir.yaml': 'name: shop\n',
  'models/daily.sql': `/*---\nmaterialization: table\n${header}\n---*/\n${sql}\n`,
});

async function load(files: Record<string, string>) {
  const root = await writeTempProject(files);
  roots.push(root);
  return loadProject(root, { env: {} });
}

async function loadError(files: Record<string, string>): Promise<WeirError> {
  try {
    await load(files);
  } catch (error) {
    if (isWeirError(error)) return error;
    throw error;
  }
  throw new Error('expected the project to fail to load');
}

describe('partitioned_by', () => {
  it('loads time and static partitions, with defaults', async () => {
    const project = await load(model('partitioned_by: { column: order_date, granularity: day, start: 2026-01-01 }'));
    const daily = project.assets.get('daily');
    expect(daily?.kind === 'sql' && daily.partitionedBy).toEqual({ kind: 'time', column: 'order_date', granularity: 'day', start: '2026-01-01', timezone: 'UTC' });
    const regions = await load(model('partitioned_by: { column: region, values: [eu, us, 7] }', "SELECT 'eu' AS region"));
    const asset = regions.assets.get('daily');
    expect(asset?.kind === 'sql' && asset.partitionedBy).toEqual({ kind: 'values', column: 'region', values: ['eu', 'us', '7'] });
  });

  it('makes a partitioned model a table even when the project default is a view', async () => {
    const project = await load({ 'weir.yaml': 'name: shop\n', 'models/daily.sql': "/*---\npartitioned_by: { column: region, values: [eu] }\n---*/\nSELECT 'eu' AS region\n" });
    expect(project.assets.get('daily')?.materialization).toBe('table');
  });

  it('names an unknown granularity at its line', async () => {
    const error = await loadError(model('partitioned_by:\n  column: order_date\n  granularity: week\n  start: 2026-01-01'));
    expect(error.describe()).toMatch(/^models\/daily\.sql:5:\d+: .*expected one of hour, day, month/);
  });

  it('names a start that is not a date, and an unknown time zone', async () => {
    const start = await loadError(model('partitioned_by:\n  column: order_date\n  granularity: day\n  start: soon'));
    expect(start.describe()).toMatch(/^models\/daily\.sql:6:\d+: "soon" is not a date/);
    const zone = await loadError(model('partitioned_by:\n  column: order_date\n  granularity: day\n  start: 2026-01-01\n  timezone: Mars/Base'));
    expect(zone.describe()).toMatch(/^models\/daily\.sql:7:\d+: "Mars\/Base" is not a known time zone/);
  });

  it('refuses a missing start, mixed kinds, a view, and a column the model does not output', async () => {
    expect((await loadError(model('partitioned_by: { column: order_date, granularity: day }'))).describe()).toMatch(/^models\/daily\.sql:3:\d+: .*needs "start"/);
    expect((await loadError(model('partitioned_by: { column: region, values: [eu], granularity: day }'))).describe()).toMatch(/"granularity" applies to time partitions/);
    const view = await loadError({ 'weir.yaml': 'name: shop\n', 'models/daily.sql': "/*---\nmaterialization: view\npartitioned_by: { column: region, values: [eu] }\n---*/\nSELECT 'eu' AS region\n" });
    expect(view.describe()).toMatch(/^models\/daily\.sql:2:\d+: a partitioned model is a table/);
    const column = await loadError(model('partitioned_by: { column: order_day, granularity: day, start: 2026-01-01 }'));
    expect(column.describe()).toMatch(/^models\/daily\.sql:3:\d+: partition column "order_day" is not a column of daily/);
    expect(column.describe()).toContain('order_date');
  });
});
