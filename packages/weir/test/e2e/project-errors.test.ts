/**
 * A broken project is a configuration error (exit 2) that names the file, the line and what is
 * wrong, before anything runs; a model the engine rejects while building fails its step (exit 1)
 * and still points at the model's file and line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { shopFiles } from './shop-fixture.js';
import { createWeirProject, latestRun, show, stepsByAsset, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

let project: WeirTestProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

/** The shop project with some files replaced or added. */
async function shopWith(files: Record<string, string>): Promise<WeirTestProject> {
  project = await createWeirProject({ ...shopFiles(), ...files });
  return project;
}

/** Expects a configuration error: exit 2, the error code in stderr, no internal error, no run recorded. */
async function expectConfigError(project: WeirTestProject, args: string[], code: string): Promise<string> {
  const result = await project.weir(args);
  expect(result.code, show(result)).toBe(2);
  expect(result.stderr).toContain(`error [${code}]`);
  expect(result.stderr).not.toMatch(/internal error/i);
  return result.stderr;
}

describe('configuration errors stop weir before anything runs', () => {
  it('malformed weir.yaml: names the file and line', async () => {
    const p = await shopWith({ 'weir.yaml': 'name: e2e_shop\ndefaults:\n  concurrency: 2\n   retries: 1\n' });
    const stderr = await expectConfigError(p, ['run'], 'YAML_MALFORMED');
    expect(stderr).toMatch(/weir\.yaml:3:\d+: malformed YAML/);
    // Nothing was recorded: a broken project never starts a run.
    const runs = await p.weir(['runs', '--json']);
    expect(runs.code).toBe(2);
  });

  it('unknown key in weir.yaml: names the key, where it is, and the closest valid key', async () => {
    const p = await shopWith({ 'weir.yaml': 'name: e2e_shop\ndefaults:\n  concurency: 2\n' });
    const stderr = await expectConfigError(p, ['run'], 'CONFIG_UNKNOWN_KEY');
    expect(stderr).toContain('weir.yaml:3:3');
    expect(stderr).toContain('unknown key "concurency"');
    expect(stderr).toContain('did you mean "concurrency"?');
  });

  it('unknown key in a model header: names the model file and the closest valid key', async () => {
    const p = await shopWith({ 'models/calendar.sql': '/*---\ndescripton: typo\n---*/\nselect 1 as day\n' });
    const stderr = await expectConfigError(p, ['ls'], 'CONFIG_UNKNOWN_KEY');
    expect(stderr).toContain('models/calendar.sql:2');
    expect(stderr).toContain('did you mean "description"?');
  });

  it('SQL syntax error in a model: names file, line and column and quotes the engine message', async () => {
    const p = await shopWith({
      'models/orders.sql': '/*---\ntags: [core]\n---*/\nselect order_id, customer_id, amount, status\nfrom raw_orders\nwhere amount > 3 amount\n',
    });
    const stderr = await expectConfigError(p, ['run'], 'SQL_SYNTAX');
    expect(stderr).toContain('models/orders.sql:6:18');
    expect(stderr).toContain('syntax error at or near "amount"');
    // The offending line is quoted with a caret under the column.
    expect(stderr).toContain('6 | where amount > 3 amount');
  });

  it('reference to a missing asset: names the file and suggests the closest asset', async () => {
    const p = await shopWith({ 'models/top_orders.sql': 'select *\nfrom ordrs\nlimit 3\n' });
    const stderr = await expectConfigError(p, ['run'], 'ASSET_UNKNOWN');
    expect(stderr).toContain('models/top_orders.sql:2:6');
    expect(stderr).toContain('"ordrs"');
    expect(stderr).toContain('did you mean "orders"?');
  });

  it('dependency cycle: names every asset of the cycle and where each reads the next', async () => {
    const p = await shopWith({
      'models/cycle_a.sql': 'select * from cycle_b\n',
      'models/cycle_b.sql': 'select * from cycle_a\n',
    });
    const stderr = await expectConfigError(p, ['run'], 'GRAPH_CYCLE');
    expect(stderr).toMatch(/dependency cycle: (cycle_a -> cycle_b -> cycle_a|cycle_b -> cycle_a -> cycle_b)/);
    expect(stderr).toContain('models/cycle_a.sql:1:15');
    expect(stderr).toContain('models/cycle_b.sql:1:15');
  });

  it('two assets with one name: names both files', async () => {
    const p = await shopWith({ 'models/marts/revenue.sql': 'select 1 as revenue\n' });
    const stderr = await expectConfigError(p, ['run'], 'ASSET_DUPLICATE');
    expect(stderr).toContain('asset "revenue" is defined twice');
    expect(stderr).toContain('models/revenue.sql');
    expect(stderr).toContain('models/marts/revenue.sql');
  });
});

describe('a model the engine rejects while building', () => {
  it('fails its step with the model file and line and the engine message; the rest publishes', async () => {
    const p = await shopWith({
      // Parses fine; the column does not exist, which only the engine can tell.
      'models/status_counts.sql': '/*---\ntags: [core]\n---*/\nselect status,\n  count(distinct no_such_column) as n\nfrom orders\ngroup by status\n',
    });
    const result = await p.weir(['run']);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toContain('no_such_column');
    const run = await p.weirJson<RunDetailJson>(['runs', 'show', (await latestRun(p)).runId, '--json']);
    const step = stepsByAsset(run.steps).get('status_counts');
    expect(step?.status).toBe('failed');
    expect(step?.error).toMatchObject({ file: 'models/status_counts.sql', line: 5 });
    expect(result.stdout).toMatch(/status_counts: models\/status_counts\.sql:5: /);
    expect(stepsByAsset(run.steps).get('revenue')?.status).toBe('succeeded');
  });
});
