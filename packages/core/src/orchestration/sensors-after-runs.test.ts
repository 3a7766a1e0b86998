/**
 * The asset_published and freshness sensors against what a real run writes: a tiny project run
 * in process (DuckDB warehouse, SQLite state), then the sensors evaluated with a manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { loadProject } from '../project/load-project.js';
import { closeProjectHarness, openProjectHarness, runHarness, type ProjectHarness } from '../testing/project-harness.js';
import { ManualClock } from './clock.js';
import { TriggerEvaluator } from './trigger-evaluator.js';

describe('sensors after real runs', () => {
  let harness: ProjectHarness;
  beforeAll(async () => {
    harness = await openProjectHarness({
      'weir.yaml': [
        'name: t',
        'sensors:',
        '  - name: after_orders',
        '    type: asset_published',
        '    assets: orders',
        '    interval_seconds: 1',
        '  - name: fresh_revenue',
        '    type: freshness',
        '    asset: revenue',
        '    max_age: 2h',
        '    interval_seconds: 1',
        '',
      ].join('\n'),
      'models/orders.sql': 'select 1 as id, 10 as amount\n',
      'models/revenue.sql': 'select sum(amount) as total from orders\n',
      'models/report.sql': 'select total * 2 as doubled from revenue\n',
    });
  });
  afterAll(async () => {
    await closeProjectHarness(harness);
  });

  it('a publication of orders asks for a run of what is downstream of it; freshness waits for max_age', async () => {
    const project = await loadProject(harness.root);
    const clock = new ManualClock(new Date());
    const evaluator = new TriggerEvaluator({ project, graph: buildAssetGraph(project), store: harness.store, clock });
    // The run wrote real times; the manual clock must not be behind them (and only moves forward).
    const catchUp = (): void => clock.set(new Date(Math.max(Date.now(), clock.now().getTime())));
    const pass = async () => {
      clock.advance(1_000);
      const evaluation = await evaluator.evaluate();
      await harness.store.append(evaluation.events);
      return evaluation.requests;
    };
    const first = await pass(); // the publication sensor starts at the end of the log; revenue was never built
    expect(first.map((request) => request.trigger)).toEqual(['sensor:fresh_revenue']);

    const result = await runHarness(harness, { select: ['orders'] });
    expect(result.status).toBe('succeeded');
    catchUp();
    const [afterOrders, ...rest] = await pass();
    expect(rest).toEqual([]);
    expect(afterOrders).toMatchObject({
      trigger: 'sensor:after_orders',
      selection: { select: ['orders+'], exclude: ['orders'] },
      reason: expect.stringMatching(/^sensor "after_orders": published in prod: orders \(version \w+\)$/),
    });
    expect(await pass()).toEqual([]);

    // What serve would run next: revenue and report. Now revenue is fresh for two hours.
    expect((await runHarness(harness, { select: ['orders+'] })).status).toBe('succeeded');
    catchUp();
    expect(await pass()).toEqual([]); // orders was unchanged: skipped, not published again
    clock.advance(2 * 3_600_000 + 60_000);
    const [stale] = await pass();
    expect(stale).toMatchObject({ trigger: 'sensor:fresh_revenue', selection: { select: ['+revenue'], exclude: [] } });
    expect(stale?.reason).toMatch(/"revenue" was last published 2h 1m ago/);
  });
});
