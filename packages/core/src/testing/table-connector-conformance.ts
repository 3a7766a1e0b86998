/**
 * The conformance suite every table connector (PostgreSQL, MySQL/MariaDB, ...) passes against its
 * real system: the same table, the same rows, the same expectations, loaded through the shared
 * load algorithm (`ingestTable`) into a DuckDB warehouse. What one connector gets right and another
 * gets wrong shows up here, not in a user's warehouse.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TableConnector } from '../connectors/connector.js';
import { ingestTable } from '../connectors/ingest-table.js';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import type { DatabaseSourceAsset, IncrementalLoad } from '../project/project-model.js';

/** A row of the suite's table `weir_events`. */
export interface EventRow {
  id: number;
  label: string | null;
  amount: string | null;
  happened_at: string;
  flag: boolean | null;
}

/**
 * One source table made for the suite: `weir_events (id BIGINT PRIMARY KEY, label TEXT,
 * amount DECIMAL(10,2), happened_at TIMESTAMP NOT NULL, flag BOOLEAN)`, in the system's own types.
 */
export interface TableFixture {
  /** The table as the connector's SQL names it (`"public"."weir_events"`, `` `db`.`weir_events` ``). */
  from: string;
  insert(rows: readonly EventRow[]): Promise<void>;
  /** Sets `label` and `happened_at` of row `id`. */
  update(id: number, label: string, happenedAt: string): Promise<void>;
  /** A relation name that does not exist, spelled as `from` is. */
  missing: string;
}

/** How the suite reaches one system. */
export interface TableConnectorHarness {
  /** Creates the table (empty) and opens a connector to its database. */
  setup(): Promise<{ connector: TableConnector; fixture: TableFixture }>;
  /** Drops what `setup` made. */
  teardown(): Promise<void>;
}

const FIRST: EventRow[] = [
  { id: 1, label: 'plain', amount: '10.50', happened_at: '2026-03-01 10:00:00', flag: true },
  { id: 2, label: '', amount: null, happened_at: '2026-03-01 11:00:00', flag: false },
  { id: 3, label: 'a,b "quoted"\nsecond line ✓', amount: '-0.25', happened_at: '2026-03-01 12:00:00', flag: null },
  { id: 4, label: null, amount: '99999999.99', happened_at: '2026-03-01 12:30:00.25', flag: true },
];

function asset(from: string, incremental?: IncrementalLoad): DatabaseSourceAsset {
  return {
    kind: 'database',
    name: 'events',
    file: 'sources/conformance.yaml',
    line: 1,
    source: 'conformance',
    materialization: 'table',
    inputs: [],
    tags: [],
    columns: {},
    checks: [],
    connection: { type: 'postgres', url: '${UNUSED}' },
    from,
    ...(incremental === undefined ? {} : { incremental }),
  };
}

/**
 * Registers the suite's tests in the calling `describe` block.
 *
 * @example
 * ```ts
 * await describeWithService(mysqlService, 'MySQL connector conformance', () => tableConnectorConformance(mysqlHarness));
 * ```
 */
export function tableConnectorConformance(harness: TableConnectorHarness): void {
  let connector: TableConnector;
  let fixture: TableFixture;
  let engine: EngineAdapter;
  const relation = (name: string): RelationRef => ({ schema: 'raw', name });

  beforeAll(async () => {
    ({ connector, fixture } = await harness.setup());
    await fixture.insert(FIRST);
    engine = await openDuckDBAdapter({ path: ':memory:' });
    await engine.createSchema('raw');
    await engine.createSchema('weir_staging');
  });
  afterAll(async () => {
    await connector?.close();
    await engine?.close();
    await harness.teardown();
  });

  async function rows(name: string): Promise<Array<Record<string, unknown>>> {
    const session = await engine.session();
    try {
      return await session.query(
        `SELECT CAST(id AS BIGINT) AS id, label, CAST(amount AS VARCHAR) AS amount, strftime(happened_at, '%Y-%m-%d %H:%M:%S.%g') AS happened_at, flag FROM raw."${name}" ORDER BY id`,
      );
    } finally {
      await session.close();
    }
  }

  const expected = (row: EventRow) => ({ ...row, happened_at: `${row.happened_at.slice(0, 19)}.${(row.happened_at.split('.')[1] ?? '').padEnd(3, '0')}` });

  it('declares what it can do and describes the columns in order with warehouse types', async () => {
    expect(connector.capabilities).toMatchObject({ fullRefresh: true, incrementalByCursor: true, mergeByKey: true });
    const columns = await connector.describe(fixture.from);
    expect(columns.map((column) => column.name)).toEqual(['id', 'label', 'amount', 'happened_at', 'flag']);
    expect(columns.map((column) => column.type)).toEqual(['BIGINT', 'VARCHAR', 'DECIMAL(10,2)', 'TIMESTAMP', 'BOOLEAN']);
  });

  it('loads every row with its values: NULL apart from the empty string, quotes, commas and new lines intact', async () => {
    const result = await ingestTable(asset(fixture.from), connector, { engine, physical: relation('whole'), basedOn: null });
    expect(result).toEqual({ rowsRead: 4, highWaterMark: null });
    expect(await rows('whole')).toEqual(FIRST.map(expected));
  });

  it('probes the largest cursor value', async () => {
    expect(String(await connector.maxOf(fixture.from, 'id'))).toBe('4');
    expect(String(await connector.maxOf(fixture.from, 'happened_at'))).toMatch(/^2026-03-01[ T]12:30:00\.25/);
  });

  it('loads incrementally: only rows past the mark (minus the lookback), merged by key, never twice', async () => {
    const load = asset(fixture.from, { cursor: 'happened_at', primaryKey: ['id'], lookback: { seconds: 1800 } });
    const first = await ingestTable(load, connector, { engine, physical: relation('v1'), basedOn: null });
    expect(first.highWaterMark).toMatch(/^2026-03-01 12:30:00\.25/);
    await fixture.insert([{ id: 5, label: 'new', amount: '1.00', happened_at: '2026-03-01 13:00:00', flag: false }]);
    await fixture.update(1, 'changed', '2026-03-01 13:30:00');
    // Late: older than the mark, within the half hour of lookback.
    await fixture.insert([{ id: 6, label: 'late', amount: '2.00', happened_at: '2026-03-01 12:15:00', flag: true }]);
    const second = await ingestTable(load, connector, { engine, physical: relation('v2'), basedOn: relation('v1') });
    // Past 12:30:00.25 minus 30 minutes: rows 4 (re-read), 5, 1 (changed) and 6 (late).
    expect(second).toEqual({ rowsRead: 4, highWaterMark: expect.stringMatching(/^2026-03-01 13:30:00/) });
    const loaded = await rows('v2');
    expect(loaded.map((row) => Number(row.id))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(loaded[0]).toMatchObject({ label: 'changed', happened_at: '2026-03-01 13:30:00.000' });
    expect(await rows('v1')).toHaveLength(4);
    const third = await ingestTable(load, connector, { engine, physical: relation('v3'), basedOn: relation('v2') });
    expect(third.rowsRead).toBe(1);
    expect(await rows('v3')).toEqual(loaded);
  });

  it('fails to read a relation that does not exist with SOURCE_READ_FAILED naming it', async () => {
    await expect(ingestTable(asset(fixture.missing), connector, { engine, physical: relation('nothing'), basedOn: null })).rejects.toMatchObject({ code: 'SOURCE_READ_FAILED' });
    expect(await engine.describe(relation('nothing'))).toBeUndefined();
  });
}
