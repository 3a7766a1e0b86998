/**
 * OpenLineage events of real runs (DuckDB warehouse, SQLite state, file transport), validated
 * against the spec's own JSON Schemas (../shared/conformance/openlineage): every event against
 * OpenLineage.json, every facet against the schema its `_schemaURL` names. Positive controls (the
 * spec's own test instances) and negative controls (a missing runId, a bad eventType, a facet
 * without its required field) prove the validator is not vacuous. Then what the events say: the
 * sequence, parent links, names, column lineage, check results and failures.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateCorpus } from '../checks/conformance/conformance-material.js';
import type { StoredEvent } from '../events/weir-event.js';
import { runProject } from '../execution/run-project.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { closeProjectHarness, openProjectHarness, type ProjectHarness } from '../testing/project-harness.js';
import { facetsOf, openLineageValidator, type OpenLineageValidator } from '../testing/openlineage-conformance.js';
import type { LineageRunEvent } from './openlineage-event.js';

const corpus = locateCorpus('openlineage');
if (!corpus.found) {
  if (process.env.CI === 'true') throw new Error(corpus.message);
  console.warn(`SKIPPED: ${corpus.message}`);
}
const SPEC = join(corpus.path, 'spec');

const PROJECT = {
  'weir.yaml': 'name: shop\ndefaults:\n  retry_delay_seconds: 0.01\nopenlineage:\n  transport: { type: file }\n',
  'data/orders.csv': 'id,order_date,amount\n1,2026-03-01,10\n2,2026-03-01,5\n3,2026-03-02,7\n',
  'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, order_date: DATE, amount: DOUBLE }\n    checks:\n      - not_null: id\n',
  'models/stg_orders.sql': [
    '/*---',
    'description: Orders, one row each, amounts in cents.',
    'columns:',
    '  order_id: The order',
    'checks:',
    '  - not_null: order_id',
    '  - unique: order_id',
    '---*/',
    'select id as order_id, order_date, cast(amount * 100 as bigint) as amount_cents from raw_orders',
  ].join('\n'),
  'models/daily_revenue.sql': [
    '/*---',
    'checks:',
    '  - expression: { sql: "revenue > 1000", name: revenue_above_floor, severity: warn }',
    '---*/',
    'select order_date, sum(amount_cents) as revenue from stg_orders group by order_date',
  ].join('\n'),
  'models/big_orders.sql': ['/*---', 'checks:', '  - expression: { sql: "amount_cents > 5000", name: all_big }', '---*/', 'select order_id, amount_cents from stg_orders'].join('\n'),
  'models/broken.sql': "select cast('not a number' as integer) as n, order_id from stg_orders\n",
};

describe.skipIf(!corpus.found)('OpenLineage events validate against the spec', () => {
  let validator: OpenLineageValidator;
  let h: ProjectHarness;
  let result: Awaited<ReturnType<typeof runProject>>;
  let events: LineageRunEvent[];
  let logged: StoredEvent[];

  beforeAll(async () => {
    validator = openLineageValidator(SPEC);
    h = await openProjectHarness(PROJECT);
    const project = await loadProject(h.root, { env: {} });
    const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
    result = await runProject({ project, engine: h.engine, store: h.store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal });
    const text = readFileSync(join(h.root, '.weir', 'openlineage.ndjson'), 'utf8');
    events = text.trimEnd().split('\n').map((line) => JSON.parse(line) as LineageRunEvent);
    logged = await h.store.events({ runId: result.runId });
  });
  afterAll(async () => {
    if (h !== undefined) await closeProjectHarness(h);
  });

  it('positive controls: every spec/tests instance validates against its facet schema, the full example against OpenLineage.json', () => {
    const tests = join(SPEC, 'tests');
    let checked = 0;
    for (const folder of readdirSync(tests, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      const schema = JSON.parse(readFileSync(join(SPEC, 'facets', `${folder.name}.json`), 'utf8')) as { $id: string };
      for (const file of readdirSync(join(tests, folder.name)).filter((name) => name.endsWith('.json'))) {
        const instance: unknown = JSON.parse(readFileSync(join(tests, folder.name, file), 'utf8'));
        expect(validator.validate(schema.$id, instance), `${folder.name}/${file}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(46);
    expect(validator.validateEvent(JSON.parse(readFileSync(join(tests, 'example_full_event.json'), 'utf8')))).toEqual([]);
  });

  it('negative controls: a missing runId, a bad eventType, a bad eventTime and a facet without its required field fail', () => {
    const good = events[0] as LineageRunEvent;
    expect(validator.validateEvent(good)).toEqual([]);
    const withoutRunId = structuredClone(good) as unknown as { run: Record<string, unknown> };
    delete withoutRunId.run.runId;
    expect(validator.validateEvent(withoutRunId).join('\n')).toContain("must have required property 'runId'");
    expect(validator.validateEvent({ ...good, eventType: 'FINISHED' }).join('\n')).toContain('must be equal to one of the allowed values');
    expect(validator.validateEvent({ ...good, eventTime: 'yesterday' }).join('\n')).toContain('must match format "date-time"');
    expect(validator.validateEvent({ ...good, run: { runId: 'r-20260301-101500-ab12' } }).join('\n')).toContain('must match format "uuid"');
    const assertions = facetsOf(events.find((event) => event.job.name === 'shop.stg_orders' && event.eventType === 'COMPLETE')).find((entry) => entry.key === 'dataQualityAssertions');
    expect(assertions).toBeDefined();
    const broken = { ...(assertions?.facet as Record<string, unknown>) };
    delete broken.assertions;
    expect(validator.validateFacet(broken).join('\n')).toContain("must have required property 'assertions'");
    expect(validator.validateFacet({ ...(assertions?.facet as Record<string, unknown>), _producer: 'not a uri' }).length).toBeGreaterThan(0);
  });

  it('every emitted event validates against OpenLineage.json, and every facet against its own schema', () => {
    expect(result.status).toBe('failed');
    expect(events.length).toBeGreaterThanOrEqual(12);
    const keys = new Set<string>();
    for (const [index, event] of events.entries()) {
      expect(validator.validateEvent(event), `event ${index} (${event.eventType} ${event.job.name})`).toEqual([]);
      for (const { where, key, facet } of facetsOf(event)) {
        expect(validator.validateFacet(facet), `event ${index} ${where}`).toEqual([]);
        keys.add(key);
      }
    }
    // The facets the brief asks for all occur (and so were all validated).
    for (const key of ['parent', 'processing_engine', 'tags', 'errorMessage', 'jobType', 'sql', 'documentation', 'schema', 'columnLineage', 'dataQualityAssertions', 'dataSource', 'version', 'symlinks', 'outputStatistics']) {
      expect(keys, key).toContain(key);
    }
  });

  it('one START and one end per job run: the run frames its steps, each step points at the run', () => {
    const [first, last] = [events[0] as LineageRunEvent, events[events.length - 1] as LineageRunEvent];
    expect([first.eventType, first.job]).toMatchObject(['START', { namespace: 'weir://shop', name: 'shop' }]);
    expect([last.eventType, last.job.name, last.run.runId]).toEqual(['FAIL', 'shop', first.run.runId]);
    expect(last.run.facets?.errorMessage).toMatchObject({ message: expect.stringContaining('broken') });
    const tags = (first.run.facets?.tags as unknown as { tags: Array<{ key: string; value: string }> }).tags;
    expect(tags).toContainEqual({ key: 'weir.run_id', value: result.runId, source: 'WEIR' });

    const steps = events.slice(1, -1);
    const byJob = new Map<string, LineageRunEvent[]>();
    for (const event of steps) byJob.set(event.job.name, [...(byJob.get(event.job.name) ?? []), event]);
    expect(Object.fromEntries([...byJob].map(([job, list]) => [job, list.map((event) => event.eventType)]))).toEqual({
      'shop.raw_orders': ['START', 'COMPLETE'],
      'shop.stg_orders': ['START', 'COMPLETE'],
      'shop.daily_revenue': ['START', 'COMPLETE'],
      'shop.big_orders': ['START', 'FAIL'],
      'shop.broken': ['START', 'FAIL'],
    });
    const runIds = new Set<string>([first.run.runId]);
    for (const list of byJob.values()) {
      const [start, end] = list as [LineageRunEvent, LineageRunEvent];
      expect(end.run.runId).toBe(start.run.runId);
      expect(runIds.has(start.run.runId)).toBe(false);
      runIds.add(start.run.runId);
      for (const event of list) expect(event.run.facets?.parent).toMatchObject({ run: { runId: first.run.runId }, job: { namespace: 'weir://shop', name: 'shop' } });
      expect(Date.parse(start.eventTime)).toBeLessThanOrEqual(Date.parse(end.eventTime));
    }
    // Run ids are stable: the same Weir run maps to the same UUIDs.
    expect(first.run.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('datasets are named by the environment view in the DuckDB warehouse; versions and physical tables ride along', () => {
    const namespace = `duckdb://${join(h.root, '.weir', 'warehouse.duckdb')}`;
    const complete = events.find((event) => event.job.name === 'shop.daily_revenue' && event.eventType === 'COMPLETE') as LineageRunEvent;
    expect(complete.inputs).toMatchObject([{ namespace, name: 'warehouse.prod.stg_orders', facets: { dataSource: { name: namespace, uri: namespace }, schema: { fields: [{ name: 'order_id', type: 'BIGINT' }, { name: 'order_date' }, { name: 'amount_cents' }] } } }]);
    expect(complete.inputs).toHaveLength(1);
    const [output] = complete.outputs;
    expect(output).toMatchObject({ namespace, name: 'warehouse.prod.daily_revenue' });
    const materialized = logged.find((event) => event.type === 'asset_materialized' && event.asset === 'daily_revenue');
    expect(materialized?.type).toBe('asset_materialized');
    if (materialized?.type !== 'asset_materialized') return;
    expect(output?.facets?.version).toMatchObject({ datasetVersion: materialized.version });
    expect(output?.facets?.symlinks).toMatchObject({ identifiers: [{ namespace, name: `warehouse.${materialized.physicalSchema}.${materialized.physicalName}`, type: 'TABLE' }] });
    expect(output?.outputFacets?.outputStatistics).toMatchObject({ rowCount: 2 });
    const source = events.find((event) => event.job.name === 'shop.raw_orders' && event.eventType === 'START') as LineageRunEvent;
    expect(source.inputs).toEqual([{ namespace: 'file', name: join(h.root, 'data', 'orders.csv') }]);
    expect(source.job.facets?.jobType).toMatchObject({ processingType: 'BATCH', integration: 'WEIR', jobType: 'SOURCE' });
    expect(complete.job.facets?.jobType).toMatchObject({ processingType: 'BATCH', integration: 'WEIR', jobType: 'MODEL' });
  });

  it('schema from the built table, column lineage from the graph (IDENTITY for copies, TRANSFORMATION for computed columns), SQL of the model', () => {
    const stg = events.find((event) => event.job.name === 'shop.stg_orders' && event.eventType === 'COMPLETE') as LineageRunEvent;
    const facets = stg.outputs[0]?.facets ?? {};
    expect(facets.schema).toMatchObject({
      fields: [
        { name: 'order_id', type: 'BIGINT', description: 'The order', ordinal_position: 1 },
        { name: 'order_date', type: 'DATE', ordinal_position: 2 },
        { name: 'amount_cents', type: 'BIGINT', ordinal_position: 3 },
      ],
    });
    const namespace = `duckdb://${join(h.root, '.weir', 'warehouse.duckdb')}`;
    const raw = { namespace, name: 'warehouse.prod.raw_orders' };
    expect((facets.columnLineage as unknown as { fields: unknown }).fields).toEqual({
      order_id: { inputFields: [{ ...raw, field: 'id', transformations: [{ type: 'DIRECT', subtype: 'IDENTITY', masking: false }] }] },
      order_date: { inputFields: [{ ...raw, field: 'order_date', transformations: [{ type: 'DIRECT', subtype: 'IDENTITY', masking: false }] }] },
      amount_cents: { inputFields: [{ ...raw, field: 'amount', transformations: [{ type: 'DIRECT', subtype: 'TRANSFORMATION', masking: false }] }] },
    });
    expect(stg.job.facets?.sql).toMatchObject({ query: expect.stringContaining('cast(amount * 100 as bigint) as amount_cents'), dialect: 'duckdb' });
    expect(stg.job.facets?.documentation).toMatchObject({ description: 'Orders, one row each, amounts in cents.' });
    const revenue = events.find((event) => event.job.name === 'shop.daily_revenue' && event.eventType === 'COMPLETE') as LineageRunEvent;
    expect((revenue.outputs[0]?.facets?.columnLineage as unknown as { fields: Record<string, unknown> }).fields.revenue).toEqual({
      inputFields: [{ namespace, name: 'warehouse.prod.stg_orders', field: 'amount_cents', transformations: [{ type: 'DIRECT', subtype: 'TRANSFORMATION', masking: false }] }],
    });
  });

  it('check results are dataQualityAssertions of the output: passed, failed as a warning, and failed holding the asset back', () => {
    const assertionsOf = (job: string) => (events.find((event) => event.job.name === job && event.eventType !== 'START')?.outputs[0]?.facets?.dataQualityAssertions as unknown as { assertions: unknown[] }).assertions;
    expect(assertionsOf('shop.stg_orders')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ assertion: 'not_null', column: 'order_id', success: true, severity: 'error' }),
        expect.objectContaining({ assertion: 'unique', column: 'order_id', success: true, severity: 'error' }),
      ]),
    );
    expect(assertionsOf('shop.daily_revenue')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'revenue_above_floor', assertion: 'expression', success: false, severity: 'warn', actual: '1 failing row' }),
        // SPC monitors are checks too: still learning their baseline, so they pass.
        expect.objectContaining({ name: 'monitor_row_count', assertion: 'spc', success: true }),
      ]),
    );
    expect(assertionsOf('shop.big_orders')).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'all_big', success: false, severity: 'error', actual: '3 failing rows' })]));
    // START events carry no results: nothing was checked yet.
    expect(events.find((event) => event.job.name === 'shop.stg_orders' && event.eventType === 'START')?.outputs[0]?.facets?.dataQualityAssertions).toBeUndefined();
  });

  it('a failed step ends FAIL with the recorded error (file and line) and the programming language', () => {
    const failed = events.find((event) => event.job.name === 'shop.broken' && event.eventType === 'FAIL') as LineageRunEvent;
    expect(failed.run.facets?.errorMessage).toMatchObject({ programmingLanguage: 'SQL', message: expect.stringMatching(/models\/broken\.sql:1/) });
    const blocked = events.find((event) => event.job.name === 'shop.big_orders' && event.eventType === 'FAIL') as LineageRunEvent;
    expect(blocked.run.facets?.errorMessage).toMatchObject({ message: expect.stringContaining('all_big') });
    expect(blocked.outputs[0]?.outputFacets).toBeUndefined();
  });

  it('the emission is recorded in the event log, and a second run that builds nothing emits only the run', async () => {
    expect(logged.filter((event) => event.type === 'openlineage_emitted')).toEqual([
      expect.objectContaining({ runId: result.runId, transport: 'file', target: '.weir/openlineage.ndjson', events: events.length, sent: events.length }),
    ]);
    const project = await loadProject(h.root, { env: {} });
    const selected = selectAssets(buildAssetGraph(project), project, { select: ['stg_orders'], exclude: [] });
    const again = await runProject({ project, engine: h.engine, store: h.store, selected, selection: ['stg_orders'], exclusion: [], command: 'run', signal: new AbortController().signal });
    expect(again.status).toBe('succeeded');
    const lines = readFileSync(join(h.root, '.weir', 'openlineage.ndjson'), 'utf8').trimEnd().split('\n');
    const added = lines.slice(events.length).map((line) => JSON.parse(line) as LineageRunEvent);
    expect(added.map((event) => `${event.eventType} ${event.job.name}`)).toEqual(['START shop', 'COMPLETE shop']);
  });
});
