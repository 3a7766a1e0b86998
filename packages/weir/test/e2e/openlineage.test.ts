/**
 * OpenLineage through the `weir` binary: `weir run` on a project declaring `openlineage:` with
 * the file transport writes the run's events, one JSON per line, each valid against the spec's
 * schemas (when ../shared/conformance is there); a failing step makes the run exit 1 and its
 * events say FAIL with the error; a run killed with SIGKILL has its events written, ending FAIL, by
 * the next command that finds it crashed; and a project without `openlineage:` writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { locateCorpus } from '../../../core/src/checks/conformance/conformance-material.js';
import { facetsOf, openLineageValidator } from '../../../core/src/testing/openlineage-conformance.js';
import { gatedAssetTs } from './shop-fixture.js';
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

  test('a run killed with SIGKILL: the next command that finds it crashed emits its events, the step and the run ending FAIL', async () => {
    project.remove('models/broken.sql');
    project.write({ 'models/slow_totals.ts': gatedAssetTs('slow_totals').replaceAll("'orders'", "'order_totals'") });
    const before = lineage().length;
    const running = project.spawnWeir(['run', '--select', 'slow_totals'], { env: { WEIR_E2E_GATE: join(project.root, 'gate-never-opened') } });
    await running.waitForOutput('slow_totals: waiting at the gate');
    running.kill('SIGKILL');
    expect((await running.exited).signal).toBe('SIGKILL');
    // The dead process sent nothing after its START events (the file transport writes at the end).
    expect(lineage().length).toBe(before);

    const runs = await project.weirJson<RunJson[]>(['runs', '--json']);
    expect(runs[0]).toMatchObject({ status: 'crashed', pid: running.pid });
    const added = lineage().slice(before);
    expect(added.map((event) => `${event.eventType} ${event.job.name}`)).toEqual(['START shop', 'START shop.slow_totals', 'FAIL shop.slow_totals', 'FAIL shop']);
    expect(added.every((event) => event.run.facets?.tags === undefined || JSON.stringify(event.run.facets.tags).includes(runs[0]!.runId))).toBe(true);
    expect(added[2]?.run.facets?.errorMessage).toMatchObject({ message: expect.stringContaining(`pid ${running.pid}`) });
    expect(added[3]?.run.facets?.errorMessage).toMatchObject({ message: expect.stringContaining('crashed') });
    if (corpus.found) {
      const validator = openLineageValidator(join(corpus.path, 'spec'));
      for (const event of added) {
        expect(validator.validateEvent(event)).toEqual([]);
        for (const { where, facet } of facetsOf(event)) expect(validator.validateFacet(facet), where).toEqual([]);
      }
    }
    // Found once: a later command emits nothing more for it.
    await project.weirJson<RunJson[]>(['runs', '--json']);
    expect(lineage().length).toBe(before + added.length);
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
