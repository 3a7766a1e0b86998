/**
 * Quarantine through the real executor (DuckDB warehouse, SQLite state), on the inputs that go
 * wrong: a replay the checks hold back, and an asset whose column changes type while rows are
 * held. In both, nothing published is lost and no held row disappears. And the quarantine SQL
 * itself on PostgreSQL, where parseability and value lists take other paths.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckSpec } from '../definitions/check-spec.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import { closeProjectHarness, openProjectHarness, queryNumber, runHarness, type ProjectHarness } from '../testing/project-harness.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { countReplayable, quarantineRelation, quarantineRows, releaseReplayed } from './quarantine-rows.js';

const open: ProjectHarness[] = [];
afterEach(async () => {
  for (const made of open.splice(0)) await closeProjectHarness(made);
});

async function harness(files: Record<string, string>): Promise<ProjectHarness> {
  const made = await openProjectHarness(files);
  open.push(made);
  return made;
}

const SOURCES = 'tables:\n  - name: customers\n    path: data/customers.csv\n  - name: orders\n    path: data/orders.csv\n';

describe('quarantine through the executor', () => {
  it('a replay held back by a check publishes nothing and keeps every held row', async () => {
    // Order 2 comes twice: once for a known customer (published), once for customer 3 (held).
    const h = await harness({
      'data/customers.csv': 'customer_id\n1\n2\n',
      'data/orders.csv': 'order_id,customer_id\n1,1\n2,2\n2,3\n4,3\n',
      'sources/shop.yaml': SOURCES,
      'models/orders_clean.sql': `/*---
materialization: table
checks:
  - relationships: { column: customer_id, to: customers, field: customer_id, on_fail: quarantine }
  - unique: order_id
---*/
select order_id, customer_id from orders`,
    });
    expect((await runHarness(h)).status).toBe('succeeded');
    expect(await queryNumber(h.engine, 'SELECT count(*) FROM prod.orders_clean')).toBe(2);
    const held = 'SELECT count(*) FROM prod.orders_clean__quarantine';
    expect(await queryNumber(h.engine, held)).toBe(2);

    // Customer 3 arrives: both held rows now pass the relationship, but order 2 would be duplicated.
    writeFileSync(join(h.root, 'data/customers.csv'), 'customer_id\n1\n2\n3\n');
    expect((await runHarness(h)).status).toBe('succeeded');
    const replay = await runHarness(h, { select: ['orders_clean'], mode: 'replay' });
    expect(replay.status).toBe('failed');
    expect(replay.summary).toMatchObject({ blocked: 1 });
    const blocked = await h.store.checkResults({ runId: replay.runId });
    expect(blocked.find((result) => result.check === 'unique_order_id')).toMatchObject({ passed: false, failingRows: 2 });
    // The published version and the held rows are exactly as before.
    expect(await queryNumber(h.engine, 'SELECT count(*) FROM prod.orders_clean')).toBe(2);
    expect(await queryNumber(h.engine, held)).toBe(2);
  });

  it('refuses, with nothing moved, when a held column changes type; the published version stays', async () => {
    const h = await harness({
      'data/customers.csv': 'customer_id\n1\n',
      'data/orders.csv': 'order_id,customer_id,amount\n1,1,10\n2,9,20\n',
      'sources/shop.yaml': SOURCES,
      'models/orders_clean.sql': `/*---
materialization: table
checks:
  - relationships: { column: customer_id, to: customers, field: customer_id, on_fail: quarantine }
---*/
select order_id, customer_id, amount from orders`,
    });
    expect((await runHarness(h)).status).toBe('succeeded');
    // The amount column becomes text, and another order needs holding.
    writeFileSync(join(h.root, 'data/orders.csv'), 'order_id,customer_id,amount\n1,1,ten\n3,8,thirty\n');
    const second = await runHarness(h);
    expect(second.status).toBe('failed');
    const [step] = (await h.store.steps(second.runId)).filter((candidate) => candidate.asset === 'orders_clean');
    expect(step?.error?.message).toContain('holds column amount as BIGINT, but the new version has it as VARCHAR; no rows were moved');
    expect(step?.attempts).toBe(1);
    expect(await queryNumber(h.engine, 'SELECT count(*) FROM prod.orders_clean')).toBe(1);
    expect(await queryNumber(h.engine, "SELECT sum(amount) FROM prod.orders_clean")).toBe(10);
    expect(await queryNumber(h.engine, 'SELECT count(*) FROM prod.orders_clean__quarantine')).toBe(1);
  });
});

let database: TestDatabase | undefined;
await describeWithService(postgresService, 'quarantine SQL on PostgreSQL', () => {
  let engine: EngineAdapter;
  const checks = [
    { type: 'parseable', name: 'day_parses', column: 'day', as: 'date', severity: 'error', onFail: 'quarantine' },
    { type: 'accepted_values', name: 'known_score', column: 'score', values: [1, 2], severity: 'error', onFail: 'quarantine' },
    { type: 'relationships', name: 'has_parent', column: 'parent_id', to: 'parents', field: 'id', severity: 'error', onFail: 'quarantine' },
    // Not quarantining: must never move a row.
    { type: 'not_null', name: 'not_null_day', column: 'day', severity: 'error' },
  ] as CheckSpec[];
  const relation = { schema: 'weir_versions', name: 'facts__v1' };
  const target = () => ({ engine, environment: 'prod', asset: 'facts', relation, runId: 'r-1', version: 'v1' });

  beforeAll(async () => {
    database = await createTestDatabase('weir_quarantine');
    engine = await openPostgresAdapter({ url: database.url });
    const session = await engine.session();
    try {
      await session.execute('CREATE SCHEMA prod');
      await session.execute('CREATE SCHEMA weir_versions');
      await session.execute('CREATE TABLE prod.parents AS SELECT 1 AS id');
      // score is numeric: 2.0 is an accepted 2; row 3 has an unparseable day, row 4 an unknown parent, row 5 both a bad score and a NULL day.
      await session.execute(`CREATE TABLE weir_versions.facts__v1 (id int, day text, score double precision, parent_id int);
        INSERT INTO weir_versions.facts__v1 VALUES (1, '2026-01-01', 2.0, 1), (2, '2026-01-02', 1, NULL), (3, 'soon', 1, 1), (4, '2026-01-04', 2, 7), (5, NULL, 3, 1)`);
    } finally {
      await session.close();
    }
  });
  afterAll(async () => {
    await engine?.close();
    await database?.drop();
  });

  it('moves exactly the rows the quarantining checks hold, once, and releases them after the fix', async () => {
    const moved = await quarantineRows(checks, target());
    expect(moved).toMatchObject({ rows: 3, counts: { day_parses: 1, known_score: 1, has_parent: 1 } });
    expect(await queryNumber(engine, 'SELECT count(*) FROM weir_versions.facts__v1')).toBe(2);
    const table = engine.quoteRelation(quarantineRelation('prod', 'facts'));
    expect(await queryNumber(engine, `SELECT count(*) FROM ${table}`)).toBe(3);
    // A second pass over the same version finds nothing to move and keeps what is held.
    expect((await quarantineRows(checks, target()))?.rows).toBe(0);
    expect(await queryNumber(engine, `SELECT count(*) FROM ${table}`)).toBe(3);

    expect(await countReplayable(checks, engine, 'prod', 'facts')).toEqual({ releasable: 0, stillFailing: 3 });
    const session = await engine.session();
    try {
      await session.execute('INSERT INTO prod.parents VALUES (7)');
    } finally {
      await session.close();
    }
    expect(await countReplayable(checks, engine, 'prod', 'facts')).toEqual({ releasable: 1, stillFailing: 2 });
    expect(await releaseReplayed(checks, engine, 'prod', 'facts')).toBe(1);
    expect(await queryNumber(engine, `SELECT count(*) FROM ${table}`)).toBe(2);
  });
});
