/**
 * OpenLineage through the `weir` binary: `weir run` on a project declaring `openlineage:` with
 * the file transport writes the run's events, one JSON per line, each valid against the spec's
 * schemas (when ../shared/conformance is there); a failing step makes the run exit 1 and its
 * events say FAIL with the error, and a project without `openlineage:` writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { locateCorpus } from '../../../core/src/checks/conformance/conformance-material.js';
import { facetsOf, openLineageValidator } from '../../../core/src/testing/openlineage-conformance.js';
import { createWeirProject, show, type RunJson, type WeirTestProject } from './weir-test-project.js';

interface LineageEvent {
  eventType: string;
  job: { namespace: string; name: string };
  run: { runId: string; facets?: Record<string, Record<string, unknown>> };
  outputs: Array<{ name: string; facets?: Record<string, Record<string, unknown>> }>;
}

const corpus = locateCorpus('openlineage');
if (!corpus.found && process.env.CI === 'true') throw new Error(corpus.message);

let project: WeirTestProject;

beforeAll(async () => {
  project = await createWeirProject({
    'weir.yaml': 'name: shop\nopenlineage:\n  transport: { type: file, path: lineage/events.ndjson }\n',
    'data/orders.csv': 'order_id,amount,status\n1,10,placed\n2,5,shipped\n',
    'sources/shop.yaml': 'tables:\n  - name: orders\n    path: data/orders.csv\n',
    'models/order_totals.sql': '/*---\nchecks:\n  - not_null: status\n---*/\nselect status, sum(amount) as total from orders group by status',
  });
});
afterAll(async () => project.cleanup());

function lineage(): LineageEvent[] {
  return readFileSync(join(project.root, 'lineage', 'events.ndjson'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as LineageEvent);
}

describe('weir run with openlineage: file', () => {
  test('writes the run and its steps, START then COMPLETE, one valid event per line', async () => {
    const result = await project.weir(['run', '--json']);
    expect(result.code, show(result)).toBe(0);
    const run = JSON.parse(result.stdout) as RunJson;
    const events = lineage();
    expect(events.map((event) => `${event.eventType} ${event.job.name}`)).toEqual([
      'START shop',
      'START shop.orders',
      'COMPLETE shop.orders',
      'START shop.order_totals',
      'COMPLETE shop.order_totals',
      'COMPLETE shop',
    ]);
    expect(events.every((event) => event.job.namespace === 'weir://shop')).toBe(true);
    expect(events[0]?.run.facets?.tags?.tags).toContainEqual({ key: 'weir.run_id', value: run.runId, source: 'WEIR' });
    const totals = events[4];
    expect(totals?.outputs[0]?.name).toBe('warehouse.prod.order_totals');
    expect(totals?.outputs[0]?.facets?.dataQualityAssertions?.assertions).toContainEqual(expect.objectContaining({ assertion: 'not_null', column: 'status', success: true }));
    if (corpus.found) {
      const validator = openLineageValidator(join(corpus.path, 'spec'));
      for (const event of events) {
        expect(validator.validateEvent(event)).toEqual([]);
        for (const { where, facet } of facetsOf(event)) expect(validator.validateFacet(facet), where).toEqual([]);
      }
    }
  });

  test('a failing model: exit 1, its job ends FAIL with the error at the model file, the run ends FAIL', async () => {
    project.write({ 'models/broken.sql': "select cast('x' as integer) as n from order_totals\n" });
    const result = await project.weir(['run', '--json']);
    expect(result.code, show(result)).toBe(1);
    const added = lineage().slice(6);
    expect(added.map((event) => `${event.eventType} ${event.job.name}`)).toEqual(['START shop', 'START shop.broken', 'FAIL shop.broken', 'FAIL shop']);
    expect(added[2]?.run.facets?.errorMessage).toMatchObject({ programmingLanguage: 'SQL', message: expect.stringContaining('models/broken.sql') });
  });

  test('without openlineage: nothing is written', async () => {
    const other = await createWeirProject({ 'weir.yaml': 'name: plain\n', 'models/one.sql': 'select 1 as n' });
    try {
      const result = await other.weir(['run']);
      expect(result.code, show(result)).toBe(0);
      expect(existsSync(join(other.root, '.weir', 'openlineage.ndjson'))).toBe(false);
    } finally {
      await other.cleanup();
    }
  });
});
