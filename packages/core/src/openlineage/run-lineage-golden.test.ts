/**
 * Golden comparison with the OpenLineage dbt integration's expected events for jaffle_shop on
 * PostgreSQL (`dbt_integration_fixtures/postgres/result.json`), with the upstream `match` rules.
 * The same five models run in Weir on a PostgreSQL warehouse; the expected events are kept to
 * what both tools share (event types per job, job and dataset namespaces and names, inputs,
 * outputs, the `dataSource` facet, the SQL dialect, the parent link) and renamed by the mapping
 * below. What still differs is asserted, entry by entry, so a change in naming shows up here:
 * - job namespace: dbt's is configured (`job-namespace`), Weir's defaults to `weir://<project>`;
 * - job name: dbt `<db>.<schema>.<project>.<model>`, Weir `<project>.<asset>` (an asset is
 *   published in every environment; the job is one);
 * - dataset schema: dbt's target schema (`public`), Weir's environment (`prod`);
 * - staging models: dbt lists no inputs (seeds are built by `dbt seed`, another invocation),
 *   Weir lists the source tables it loaded in the same run;
 * - Weir also emits the run's own job and the source steps; dbt's parent job is not in result.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { locateCorpus } from '../checks/conformance/conformance-material.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import { runProject } from '../execution/run-project.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import type { StateStore } from '../storage/state-store.js';
import { matchLineage, openLineageValidator } from '../testing/openlineage-conformance.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import type { LineageRunEvent } from './openlineage-event.js';

const corpus = locateCorpus('openlineage');
if (!corpus.found) {
  if (process.env.CI === 'true') throw new Error(corpus.message);
  console.warn(`SKIPPED: ${corpus.message}`);
}

const MODELS = {
  'data/customers.csv': 'id,first_name,last_name\n1,Michael,P.\n2,Shawn,M.\n',
  'data/orders.csv': 'id,user_id,order_date,status\n1,1,2018-01-01,returned\n2,2,2018-01-02,completed\n',
  'data/payments.csv': 'id,order_id,payment_method,amount\n1,1,credit_card,1000\n2,2,coupon,200\n',
  'sources/seeds.yaml': [
    'tables:',
    '  - name: raw_customers',
    '    path: data/customers.csv',
    '  - name: raw_orders',
    '    path: data/orders.csv',
    '  - name: raw_payments',
    '    path: data/payments.csv',
  ].join('\n'),
  'models/stg_customers.sql': 'select id as customer_id, first_name, last_name from raw_customers',
  'models/stg_orders.sql': 'select id as order_id, user_id as customer_id, order_date, status from raw_orders',
  'models/stg_payments.sql': 'select id as payment_id, order_id, payment_method, amount / 100 as amount from raw_payments',
  'models/customers.sql': [
    'select c.customer_id, c.first_name, c.last_name, count(distinct o.order_id) as number_of_orders, sum(p.amount) as customer_lifetime_value',
    'from stg_customers c left join stg_orders o on o.customer_id = c.customer_id left join stg_payments p on p.order_id = o.order_id',
    'group by 1, 2, 3',
  ].join('\n'),
  'models/orders.sql': 'select o.order_id, o.customer_id, o.order_date, o.status, sum(p.amount) as amount from stg_orders o left join stg_payments p on p.order_id = o.order_id group by 1, 2, 3, 4',
};

type Json = Record<string, unknown>;

await describeWithService(postgresService, 'OpenLineage events against the dbt integration golden (jaffle_shop on PostgreSQL)', () => {
  let database: TestDatabase;
  let root: string;
  let engine: EngineAdapter;
  let store: StateStore;
  let events: LineageRunEvent[];
  let golden: Json[];
  let databaseName: string;

  beforeAll(async () => {
    database = await createTestDatabase('weir_ol_golden');
    databaseName = new URL(database.url).pathname.slice(1);
    root = await writeTempProject({
      ...MODELS,
      'weir.yaml': 'name: jaffle_shop\nwarehouse: { engine: postgres, url: "${PG_URL}" }\nopenlineage:\n  transport: file\n',
    });
    engine = await openPostgresAdapter({ url: database.url });
    store = await openSqliteStateStore(join(root, '.weir', 'state.db'));
    const project = await loadProject(root, { env: { PG_URL: database.url } });
    const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
    const result = await runProject({ project, engine, store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal });
    expect(result.status).toBe('succeeded');
    events = readFileSync(join(root, '.weir', 'openlineage.ndjson'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as LineageRunEvent);
    if (corpus.found) golden = JSON.parse(readFileSync(join(corpus.path, 'dbt_integration_fixtures', 'postgres', 'result.json'), 'utf8')) as Json[];
  });

  afterAll(async () => {
    await engine?.close();
    await store?.close();
    await database?.drop();
    if (root !== undefined) await removeTempProject(root);
  });

  it.skipIf(!corpus.found)('our events match the golden by the upstream rules, up to the differences listed above', () => {
    const namespace = 'postgres://127.0.0.1:5432';
    const datasetName = (name: string): string => name.replace(/^postgres\.public\./, `${databaseName}.prod.`);
    const jobName = (name: string): string => name.replace(/^postgres\.public\.jaffle_shop\./, 'jaffle_shop.');
    const dataset = (entry: Json): Json => ({
      namespace: (entry.namespace as string).replace('postgres://POSTGRES_HOST:1234', namespace),
      name: datasetName(entry.name as string),
      ...(entry.facets === undefined ? {} : { facets: { dataSource: { name: namespace, uri: namespace } } }),
    });
    // The golden, renamed by the mapping and kept to what both tools emit.
    const expected = golden.map((event) => {
      const job = event.job as Json;
      const sql = (job.facets as Json | undefined)?.sql as Json | undefined;
      return {
        eventType: event.eventType,
        eventTime: '{{ is_datetime(result) }}',
        run: { runId: '{{ is_uuid(result) }}', facets: { parent: { run: { runId: '{{ is_uuid(result) }}' }, job: { namespace: 'weir://jaffle_shop', name: 'jaffle_shop' } } } },
        job: { namespace: 'weir://jaffle_shop', name: jobName(job.name as string), ...(sql?.dialect === undefined ? {} : { facets: { sql: { dialect: sql.dialect } } }) },
        inputs: (event.inputs as Json[]).map(dataset),
        outputs: (event.outputs as Json[]).map(dataset),
      };
    });
    const ours = (job: string, eventType: string): LineageRunEvent | undefined => events.find((event) => event.job.name === job && (eventType === 'START' ? event.eventType === 'START' : event.eventType !== 'START'));
    const differences: string[] = [];
    for (const event of expected) {
      const actual = ours(event.job.name, event.eventType as string);
      if (actual === undefined) differences.push(`${event.eventType} ${event.job.name}: missing`);
      else differences.push(...matchLineage(event, actual).map((problem) => `${event.eventType} ${event.job.name} ${problem}`));
    }
    expect(differences.sort()).toEqual(
      ['COMPLETE', 'START'].flatMap((type) => ['stg_customers', 'stg_orders', 'stg_payments'].map((model) => `${type} jaffle_shop.${model} $.inputs: expected 0 elements, got 1`)).sort(),
    );
    // The staging models' one input is the source table loaded in the same run.
    expect(ours('jaffle_shop.stg_payments', 'COMPLETE')?.inputs).toMatchObject([{ namespace, name: `${databaseName}.prod.raw_payments`, facets: { schema: { fields: [{ name: 'id' }, { name: 'order_id' }, { name: 'payment_method' }, { name: 'amount' }] } } }]);
  });

  it.skipIf(!corpus.found)('the same jobs, each START then COMPLETE; ours framed by the run job and with the source steps', () => {
    const perJob = (list: Array<{ eventType: unknown; job: { name: string } }>, name: (job: string) => string): Record<string, unknown[]> => {
      const result: Record<string, unknown[]> = {};
      for (const event of list) (result[name(event.job.name)] ??= []).push(event.eventType);
      return result;
    };
    const expected = perJob(golden as Array<{ eventType: unknown; job: { name: string } }>, (job) => job.replace(/^postgres\.public\.jaffle_shop\./, 'jaffle_shop.'));
    const actual = perJob(events, (job) => job);
    for (const [job, types] of Object.entries(expected)) expect(actual[job], job).toEqual(types);
    expect(Object.keys(actual).filter((job) => !(job in expected)).sort()).toEqual(['jaffle_shop', 'jaffle_shop.raw_customers', 'jaffle_shop.raw_orders', 'jaffle_shop.raw_payments']);
    // dbt's artifacts give all STARTs, then all COMPLETEs; Weir's log gives each step in the order it ran.
    expect(events[0]?.job.name).toBe('jaffle_shop');
    expect(events.at(-1)?.job.name).toBe('jaffle_shop');
  });

  it.skipIf(!corpus.found)('the golden itself passes the upstream rules against itself, and our events validate against the spec', () => {
    const validator = openLineageValidator(join(corpus.path, 'spec'));
    for (const event of events) expect(validator.validateEvent(event)).toEqual([]);
    // The matcher's placeholders work both ways: a golden with `{{ any(result) }}` run ids matches itself.
    expect(golden.flatMap((event) => matchLineage(event, { ...event, run: { ...(event.run as Json), runId: '0190f0f5-6a60-7000-8000-000000000000' } }))).toEqual([]);
    expect(matchLineage({ eventTime: '{{ is_datetime(result) }}' }, { eventTime: 'yesterday' })).toHaveLength(1);
    expect(matchLineage({ outputs: [{ name: 'a' }, { name: 'b' }] }, { outputs: [{ name: 'b' }, { name: 'a' }] })).toEqual([]);
    expect(matchLineage({ outputs: [{ name: 'a' }] }, { outputs: [{ name: 'a' }, { name: 'b' }] })).toEqual(['$.outputs: expected 1 elements, got 2']);
  });
});
