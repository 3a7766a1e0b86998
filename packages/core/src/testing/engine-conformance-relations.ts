/**
 * Conformance cases for relations: schemas, tables, views, publication by view switch, clone,
 * append, merge, drop and row counts.
 */
import { expect, it } from 'vitest';
import type { RelationRef } from '../engines/engine-adapter.js';
import { execute, familiesOf, query, rejectionOf, rowsOf, type ConformanceContext } from './engine-conformance-support.js';

const ORDERS_V1 = `SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)`;
const ORDERS_V2 = `SELECT * FROM (VALUES (10, 'x', CAST(1.5 AS DOUBLE PRECISION))) AS v(order_id, label, score)`;

/** Registers the relation cases on the current `describe`. */
export function relationCases(context: ConformanceContext): void {
  it('declares its capabilities', () => {
    const { engine } = context;
    expect(engine.kind).toMatch(/^[a-z]+$/);
    expect(typeof engine.capabilities.atomicViewSwap).toBe('boolean');
    expect(typeof engine.capabilities.concurrentWriters).toBe('boolean');
    expect([...engine.capabilities.fileFormats].sort()).toEqual(['csv', 'json', 'ndjson', 'parquet']);
  });

  it('creates schemas idempotently and reports missing relations as undefined', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('empty');
    await engine.createSchema(schema);
    expect(await engine.listRelations(schema)).toEqual([]);
    expect(await engine.describe({ schema, name: 'nothing_here' })).toBeUndefined();
  });

  it('creates one schema from several sessions at once without an error', async () => {
    const { engine } = context;
    // Backfill runs and team workers on a new warehouse all prepare its schemas at the same time.
    for (let round = 0; round < 10; round++) {
      // A name no session has created yet (freshSchema's own is created already).
      const schema = `${await context.freshSchema(`race${round}`)}_new`;
      await Promise.all(Array.from({ length: 6 }, () => engine.createSchema(schema)));
      expect(await engine.listRelations(schema)).toEqual([]);
    }
  });

  it('quotes names that hold quotes and spaces', async () => {
    const { engine } = context;
    const ref = { schema: 'we"ird schema', name: 'ta"ble' };
    await engine.createSchema(ref.schema);
    await engine.createTableAs(ref, `SELECT 1 AS ${engine.quoteIdentifier('col "x"')}`);
    expect((await engine.describe(ref))?.map((column) => column.name)).toEqual(['col "x"']);
    expect(await engine.listRelations(ref.schema)).toEqual([{ name: 'ta"ble', kind: 'table' }]);
    expect(engine.quoteRelation(ref)).toBe(`${engine.quoteIdentifier(ref.schema)}.${engine.quoteIdentifier(ref.name)}`);
    await engine.drop(ref, 'table');
  });

  it('creates, describes, lists and replaces a table from a SELECT', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('ctas');
    const ref = { schema, name: 'orders' };
    await engine.createTableAs(
      ref,
      `SELECT CAST(id AS BIGINT) AS id, CAST(name AS VARCHAR) AS name, CAST(amount AS DOUBLE PRECISION) AS amount,
              CAST(day AS DATE) AS day, CAST(paid AS BOOLEAN) AS paid
       FROM (VALUES (1, 'a', 2.5, '2024-01-02', true), (2, 'b', 4, '2024-01-03', false)) AS v(id, name, amount, day, paid)`,
    );
    const columns = await engine.describe(ref);
    expect(columns?.map((column) => column.name)).toEqual(['id', 'name', 'amount', 'day', 'paid']);
    expect(columns?.every((column) => column.type === column.type.toUpperCase() && column.nullable)).toBe(true);
    expect(await familiesOf(engine, ref)).toEqual({ id: 'integer', name: 'text', amount: 'float', day: 'date', paid: 'boolean' });
    expect(await engine.rowCount(ref)).toBe(2);
    expect(await rowsOf(engine, ref, ['id'])).toEqual([
      { id: 1, name: 'a', amount: 2.5, day: new Date('2024-01-02T00:00:00Z'), paid: true },
      { id: 2, name: 'b', amount: 4, day: new Date('2024-01-03T00:00:00Z'), paid: false },
    ]);

    await engine.createTableAs(ref, `SELECT 'only' AS label`);
    expect((await engine.describe(ref))?.map((column) => column.name)).toEqual(['label']);
    expect(await engine.listRelations(schema)).toEqual([{ name: 'orders', kind: 'table' }]);
  });

  it('resolves unqualified names in searchSchema for that statement only', async () => {
    const { engine } = context;
    const inputs = await context.freshSchema('inputs');
    const outputs = await context.freshSchema('outputs');
    await engine.createTableAs({ schema: inputs, name: 'src' }, ORDERS_V1);
    await engine.createTableAs({ schema: outputs, name: 'totals' }, 'SELECT count(*) AS n FROM src', inputs);
    await engine.createViewAs({ schema: outputs, name: 'names' }, 'SELECT name FROM src', inputs);
    expect(await query(engine, `SELECT n FROM ${engine.quoteRelation({ schema: outputs, name: 'totals' })}`)).toEqual([{ n: 2 }]);
    expect(await rowsOf(engine, { schema: outputs, name: 'names' }, ['name'])).toEqual([{ name: 'a' }, { name: 'b' }]);
    // The search path must not outlive the statement (on a pooled engine it would leak to the next user).
    await expect(query(engine, 'SELECT * FROM src')).rejects.toThrow();
  });

  it('creates and replaces views, also with different columns', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('views');
    await engine.createTableAs({ schema, name: 'base' }, ORDERS_V1);
    const view = { schema, name: 'recent' };
    await engine.createViewAs(view, `SELECT id, name FROM ${engine.quoteRelation({ schema, name: 'base' })} WHERE id > 1`);
    expect(await rowsOf(engine, view, ['id'])).toEqual([{ id: 2, name: 'b' }]);
    await engine.createViewAs(view, `SELECT 'x' AS other`);
    expect((await engine.describe(view))?.map((column) => column.name)).toEqual(['other']);
    expect(await engine.listRelations(schema)).toEqual([
      { name: 'base', kind: 'table' },
      { name: 'recent', kind: 'view' },
    ]);
    expect(await engine.rowCount(view)).toBe(1);
  });

  it('points a view at tables with different columns, keeping the old version readable', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('publish');
    const [v1, v2] = [{ schema, name: 'orders__v1' }, { schema, name: 'orders__v2' }];
    await engine.createTableAs(v1, ORDERS_V1);
    await engine.createTableAs(v2, ORDERS_V2);
    const env = await context.freshSchema('env');
    const view = { schema: env, name: 'orders' };

    await engine.pointView(view, v1);
    expect(await rowsOf(engine, view, ['id'])).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    await engine.pointView(view, v2);
    expect((await engine.describe(view))?.map((column) => column.name)).toEqual(['order_id', 'label', 'score']);
    expect(await rowsOf(engine, view, ['order_id'])).toEqual([{ order_id: 10, label: 'x', score: 1.5 }]);
    expect(await engine.rowCount(v1)).toBe(2);
    await engine.pointView(view, v1); // rollback is a pointer move
    expect(await engine.rowCount(view)).toBe(2);
    expect(await engine.listRelations(env)).toEqual([{ name: 'orders', kind: 'view' }]);
    // The warehouse says which version each view serves (gc and runs rely on it).
    const definitions = await engine.viewDefinitions(env);
    expect([...definitions.keys()]).toEqual(['orders']);
    expect(definitions.get('orders')).toContain('orders__v1');
    expect(definitions.get('orders')).not.toContain('orders__v2');
    expect((await engine.viewDefinitions(schema)).size).toBe(0);
  });

  it('switches a view atomically while readers keep reading', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('swap');
    const [v1, v2] = [{ schema, name: 't1' }, { schema, name: 't2' }];
    await engine.createTableAs(v1, ORDERS_V1);
    await engine.createTableAs(v2, ORDERS_V2);
    const view = { schema, name: 'live' };
    await engine.pointView(view, v1);
    const shapes = new Set<string>();
    let switching = true;
    const reader = (async () => {
      const session = await engine.session();
      try {
        while (switching) {
          const rows = await session.query(`SELECT * FROM ${engine.quoteRelation(view)}`);
          shapes.add(`${rows.length}:${Object.keys(rows[0] ?? {}).sort().join(',')}`);
        }
      } finally {
        await session.close();
      }
    })();
    try {
      for (let round = 0; round < 20; round += 1) await engine.pointView(view, round % 2 === 0 ? v2 : v1);
    } finally {
      switching = false;
    }
    await reader; // a reader that saw the view missing or half-built would have thrown here
    expect([...shapes].every((shape) => shape === '2:id,name' || shape === '1:label,order_id,score')).toBe(true);
    expect(shapes.size).toBeGreaterThan(0);
  });

  it('clones a table into a new, independent table', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('clone');
    const [source, copy] = [{ schema, name: 'source' }, { schema, name: 'copy' }];
    await engine.createTableAs(source, ORDERS_V1);
    await engine.createTableAs(copy, `SELECT 'stale' AS junk`);
    await engine.cloneTable(source, copy);
    expect(await engine.describe(copy)).toEqual(await engine.describe(source));
    expect(await rowsOf(engine, copy, ['id'])).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    await engine.appendFrom(copy, source);
    expect(await engine.rowCount(copy)).toBe(4);
    expect(await engine.rowCount(source)).toBe(2);
  });

  it('appends by column name, not by position', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('append');
    const target = { schema, name: 'target' };
    await engine.createTableAs(target, `SELECT CAST(1 AS BIGINT) AS id, CAST('a' AS VARCHAR) AS name, CAST('kept' AS VARCHAR) AS note`);
    const reordered = { schema, name: 'reordered' };
    await engine.createTableAs(reordered, `SELECT CAST('b' AS VARCHAR) AS name, CAST(2 AS BIGINT) AS id`);
    await engine.appendFrom(target, reordered);
    expect(await rowsOf(engine, target, ['id'])).toEqual([
      { id: 1, name: 'a', note: 'kept' },
      { id: 2, name: 'b', note: null },
    ]);
    const wider = { schema, name: 'wider' };
    await engine.createTableAs(wider, `SELECT CAST(3 AS BIGINT) AS id, CAST('c' AS VARCHAR) AS surprise`);
    await expect(engine.appendFrom(target, wider)).rejects.toThrow();
    expect(await engine.rowCount(target)).toBe(2);
  });

  mergeCases(context);

  it('drops tables and views, and dropping twice is not an error', async () => {
    const { engine } = context;
    const schema = await context.freshSchema('drop');
    const [table, view] = [{ schema, name: 'gone' }, { schema, name: 'gone_view' }];
    await engine.createTableAs(table, ORDERS_V1);
    await engine.createViewAs(view, `SELECT 1 AS one`);
    await engine.drop(view, 'view');
    expect(await engine.listRelations(schema)).toEqual([{ name: 'gone', kind: 'table' }]);
    await engine.drop(table, 'table');
    await engine.drop(table, 'table');
    await engine.drop(view, 'view');
    expect(await engine.describe(table)).toBeUndefined();
    expect(await engine.listRelations(schema)).toEqual([]);
  });
}

function mergeCases(context: ConformanceContext): void {
  const table = async (ref: RelationRef, select: string): Promise<RelationRef> => {
    await context.engine.createTableAs(ref, select);
    return ref;
  };

  it('merges on a key: updates matches (NULL keys included), inserts the rest, by column name', async () => {
    const { engine } = context;
    if (!engine.capabilities.merge) return expect(engine.mergeFrom({ schema: 'x', name: 'y' }, { schema: 'x', name: 'z' }, ['id'])).rejects.toThrow();
    const schema = await context.freshSchema('merge');
    const target = await table(
      { schema, name: 'target' },
      `SELECT CAST(id AS BIGINT) AS id, CAST(name AS VARCHAR) AS name, CAST(amount AS DOUBLE PRECISION) AS amount
       FROM (VALUES (1, 'a', 10), (2, 'b', 20), (NULL, 'null-key', 0)) AS v(id, name, amount)`,
    );
    const source = await table(
      { schema, name: 'changes' },
      `SELECT CAST(amount AS DOUBLE PRECISION) AS amount, CAST(name AS VARCHAR) AS name, CAST(id AS BIGINT) AS id
       FROM (VALUES (11, 'A', 1), (30, 'c', 3), (5, 'NULL-KEY', NULL)) AS v(amount, name, id)`,
    );
    await engine.mergeFrom(target, source, ['id']);
    expect(await rowsOf(engine, target, ['id'])).toEqual([
      { id: 1, name: 'A', amount: 11 },
      { id: 2, name: 'b', amount: 20 },
      { id: 3, name: 'c', amount: 30 },
      { id: null, name: 'NULL-KEY', amount: 5 },
    ]);
  });

  it('merges on composite keys with NULL parts', async () => {
    const { engine } = context;
    if (!engine.capabilities.merge) return;
    const schema = await context.freshSchema('merge_composite');
    const shape = (values: string) =>
      `SELECT CAST(region AS VARCHAR) AS region, CAST(day AS DATE) AS day, CAST(total AS BIGINT) AS total
       FROM (VALUES ${values}) AS v(region, day, total)`;
    const target = await table({ schema, name: 'target' }, shape(`('eu', '2024-01-01', 1), ('eu', NULL, 2), (NULL, NULL, 3)`));
    const source = await table({ schema, name: 'changes' }, shape(`('eu', NULL, 20), (NULL, NULL, 30), ('us', '2024-01-01', 40)`));
    await engine.mergeFrom(target, source, ['region', 'day']);
    expect(await rowsOf(engine, target, ['region', 'day'])).toEqual([
      { region: 'eu', day: new Date('2024-01-01T00:00:00Z'), total: 1 },
      { region: 'eu', day: null, total: 20 },
      { region: 'us', day: new Date('2024-01-01T00:00:00Z'), total: 40 },
      { region: null, day: null, total: 30 },
    ]);
  });

  it('merges when every column is a key, and refuses unknown keys and extra columns', async () => {
    const { engine } = context;
    if (!engine.capabilities.merge) return;
    const schema = await context.freshSchema('merge_keys');
    const target = await table({ schema, name: 'target' }, `SELECT * FROM (VALUES (1), (2)) AS v(id)`);
    const source = await table({ schema, name: 'changes' }, `SELECT * FROM (VALUES (2), (3)) AS v(id)`);
    await engine.mergeFrom(target, source, ['id']);
    expect(await rowsOf(engine, target, ['id'])).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await expect(engine.mergeFrom(target, source, ['no_such_key'])).rejects.toThrow();
    const wider = await table({ schema, name: 'wider' }, `SELECT 4 AS id, 'extra' AS surprise`);
    await expect(engine.mergeFrom(target, wider, ['id'])).rejects.toThrow();
    expect(await engine.rowCount(target)).toBe(3);
  });

  it('merges in one transaction: a failing merge changes nothing', async () => {
    const { engine } = context;
    if (!engine.capabilities.merge) return;
    const schema = await context.freshSchema('merge_atomic');
    const shape = (values: string) => `SELECT CAST(id AS BIGINT) AS id, CAST(v AS VARCHAR) AS v FROM (VALUES ${values}) AS t(id, v)`;
    const target = await table({ schema, name: 'target' }, shape(`(1, 'a')`));
    await execute(engine, `ALTER TABLE ${engine.quoteRelation(target)} ALTER COLUMN v SET NOT NULL`);
    // One row would be inserted, the other update breaks NOT NULL: neither may remain.
    const bad = await table({ schema, name: 'bad' }, shape(`(0, 'new'), (1, NULL)`));
    expect(await rejectionOf(engine.mergeFrom(target, bad, ['id']))).toBeInstanceOf(Error);
    expect(await rowsOf(engine, target, ['id'])).toEqual([{ id: 1, v: 'a' }]);
  });
}
