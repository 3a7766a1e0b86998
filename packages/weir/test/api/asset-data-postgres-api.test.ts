/**
 * The asset data routes (preview, rollback) on a PostgreSQL warehouse, beside the same project on
 * the embedded DuckDB warehouse: the preview hands over the same JSON-safe values whichever engine
 * holds the rows (a BIGINT beyond 2^53, an exact NUMERIC, dates, timestamps with and without a
 * zone, booleans, NULLs, unicode text), and a rollback moves the PostgreSQL view back, is logged
 * with the token that asked for it, and refuses what it refuses on DuckDB in the same words.
 * Both projects are built by the real `weir` binary; the server is the in-process harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { canonicalTypeName } from '../../../core/src/engines/canonical-type-name.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../../core/src/testing/services.js';
import type { ApiCallEvent, AssetDetail, DataPreviewBody, RollbackBody } from '@weir/core';
import { createApiToken } from '../../src/server/api-tokens.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import { openServerHarness, type ServerHarness } from './server-harness.js';
import { createWeirProject, show, type WeirTestProject } from '../e2e/weir-test-project.js';

/** The variable the PostgreSQL project's weir.yaml reads its warehouse URL from. */
const URL_VARIABLE = 'WEIR_TEST_PREVIEW_WAREHOUSE_URL';

/**
 * The model both projects build. Every row casts its values, so both engines give each column the
 * same type; `extra` adds rows (a new version). The error check holds back a version with n >= 100.
 */
function typedValuesSql(extra = ''): string {
  return `/*---
description: One value of each kind the preview must hand over exactly
checks:
  - expression: { sql: "n < 100", name: n_below_100 }
---*/
select 1 as n, 9007199254740993::BIGINT as big, 12345678901234567.25::DECIMAL(20,2) as exact, DATE '2024-01-02' as day,
  TIMESTAMP '2024-01-02 03:04:05.123456' as at, TIMESTAMPTZ '2024-01-02 03:04:05.5+02' as at_zone, true as flag, 'Grüße aus 東京 🚀' as label
union all
select 2, -9007199254740993::BIGINT, (-0.5)::DECIMAL(20,2), DATE '1999-12-31',
  TIMESTAMP '1999-12-31 23:59:59', TIMESTAMPTZ '1999-12-31 23:59:59-08', false, 'naïve café ''quoted'' \\ back'
union all
select 3, NULL::BIGINT, NULL::DECIMAL(20,2), NULL::DATE, NULL::TIMESTAMP, NULL::TIMESTAMPTZ, NULL::BOOLEAN, NULL::VARCHAR
${extra}`;
}

/** The second version's extra row. */
const SECOND_ROW = `union all
select 4, 4::BIGINT, 4::DECIMAL(20,2), DATE '2024-01-04', TIMESTAMP '2024-01-04 00:00:00', TIMESTAMPTZ '2024-01-04 00:00:00+00', true, 'second version'`;
/** A third version's extra row, which the check holds back: a version that was never published. */
const HELD_ROW = `union all
select 500, 5::BIGINT, 5::DECIMAL(20,2), DATE '2024-01-05', TIMESTAMP '2024-01-05 00:00:00', TIMESTAMPTZ '2024-01-05 00:00:00+00', true, 'held back'`;

/**
 * The first version's rows as the preview must show them (sorted by n), on either engine. Both
 * read timestamps into a JS Date, so microseconds end at the millisecond alike.
 */
const FIRST_ROWS = [
  [1, '9007199254740993', '12345678901234567.25', '2024-01-02T00:00:00.000Z', '2024-01-02T03:04:05.123Z', '2024-01-02T01:04:05.500Z', true, 'Grüße aus 東京 🚀'],
  [2, '-9007199254740993', -0.5, '1999-12-31T00:00:00.000Z', '1999-12-31T23:59:59.000Z', '2000-01-01T07:59:59.000Z', false, "naïve café 'quoted' \\ back"],
  [3, null, null, null, null, null, null, null],
];
const SECOND_ROWS = [...FIRST_ROWS, [4, 4, 4, '2024-01-04T00:00:00.000Z', '2024-01-04T00:00:00.000Z', '2024-01-04T00:00:00.000Z', true, 'second version']];

/** One engine's project, built to three versions of typed_values, and the server over it. */
interface Side {
  name: 'duckdb' | 'postgres';
  project: WeirTestProject;
  server: ServerHarness;
  authApp: ReturnType<typeof createServerApp>;
  editorToken: string;
}

let database: TestDatabase | undefined;
const sides: Partial<Record<Side['name'], Side>> = {};

async function buildSide(name: Side['name'], yaml: string, env: Record<string, string>): Promise<Side> {
  const project = await createWeirProject({ 'weir.yaml': yaml, 'models/typed_values.sql': typedValuesSql() });
  const first = await project.weir(['run'], { env });
  expect(first.code, show(first)).toBe(0);
  project.write({ 'models/typed_values.sql': typedValuesSql(SECOND_ROW) });
  const second = await project.weir(['run'], { env });
  expect(second.code, show(second)).toBe(0);
  project.write({ 'models/typed_values.sql': typedValuesSql(`${SECOND_ROW}\n${HELD_ROW}`) });
  const held = await project.weir(['run'], { env });
  expect(held.code, show(held)).toBe(1);
  expect(held.stdout).toMatch(/typed_values +held back/);
  const server = await openServerHarness(project.root);
  const authApp = createServerApp({ hub: server.hub, view: server.view, health: server.health, auth: { required: true } });
  const editorToken = (await createApiToken(server.runtime.store, { name: `${name}-editor`, role: 'editor', by: 'test@host' })).token;
  return { name, project, server, authApp, editorToken };
}

function side(name: Side['name']): Side {
  const found = sides[name];
  if (found === undefined) throw new Error(`the ${name} project was not built (see beforeAll)`);
  return found;
}

function call(app: ReturnType<typeof createServerApp>, method: string, path: string, options: { token?: string; body?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return Promise.resolve(app.request(path, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) }));
}

async function preview(name: Side['name'], query = ''): Promise<DataPreviewBody> {
  return side(name).server.get<DataPreviewBody>(`/api/assets/typed_values/preview${query}`);
}

function byN(rows: unknown[][]): unknown[][] {
  return [...rows].sort((left, right) => Number(left[0]) - Number(right[0]));
}

/** The versions of typed_values, newest first: [held back, second, first]. */
async function versions(name: Side['name']): Promise<AssetDetail['versions']> {
  const detail = await side(name).server.get<AssetDetail>('/api/assets/typed_values');
  return detail.versions;
}

/** A rollback's error with the version ids of `name` replaced by their role, to compare engines. */
async function rollbackError(name: Side['name'], body: unknown): Promise<{ status: number; error: unknown }> {
  const response = await call(side(name).server.app, 'POST', '/api/assets/typed_values/rollback', { body: JSON.stringify(body) });
  let text = await response.text();
  const [held, second, first] = (await versions(name)).map((version) => version.version);
  for (const [id, role] of [[held, '<held>'], [second, '<second>'], [first, '<first>']] as const) text = text.replaceAll(id!, role);
  return { status: response.status, error: (JSON.parse(text) as { error: unknown }).error };
}

await describeWithService(postgresService, 'the asset data routes on a PostgreSQL warehouse', () => {
  beforeAll(async () => {
    database = await createTestDatabase('weir_preview');
    // The weir binary gets the URL through its environment; the in-process server reads it from this process's.
    process.env[URL_VARIABLE] = database.url;
    sides.duckdb = await buildSide('duckdb', 'name: preview_duckdb\n', {});
    sides.postgres = await buildSide('postgres', `name: preview_postgres\nwarehouse:\n  engine: postgres\n  url: \${${URL_VARIABLE}}\n`, { [URL_VARIABLE]: database.url });
  }, 240_000);

  afterAll(async () => {
    for (const built of Object.values(sides)) {
      await built.server.close();
      await built.project.cleanup();
    }
    await database?.drop();
    delete process.env[URL_VARIABLE];
  });

  describe('GET /api/assets/:name/preview', () => {
    it('reads the rows from the PostgreSQL warehouse', async () => {
      // Not a DuckDB file in disguise: the live view is in the test database.
      const client = new pg.Client({ connectionString: database!.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>('select n from prod.typed_values order by n');
        expect(rows.map((row) => row.n)).toEqual([1, 2, 3, 4]);
      } finally {
        await client.end();
      }
    });

    it('answers the columns with their PostgreSQL types, and the values JSON-safe and as DuckDB answers them', async () => {
      const [postgres, duckdb] = [await preview('postgres'), await preview('duckdb')];
      expect(postgres.columns).toEqual([
        { name: 'n', type: 'INTEGER' },
        { name: 'big', type: 'BIGINT' },
        { name: 'exact', type: 'NUMERIC(20,2)' },
        { name: 'day', type: 'DATE' },
        { name: 'at', type: 'TIMESTAMP WITHOUT TIME ZONE' },
        { name: 'at_zone', type: 'TIMESTAMP WITH TIME ZONE' },
        { name: 'flag', type: 'BOOLEAN' },
        { name: 'label', type: 'TEXT' },
      ]);
      // Each engine spells its types its own way (as `GET /api/assets/:name` does); they are the same types.
      expect(postgres.columns.map((column) => [column.name, canonicalTypeName(column.type)])).toEqual(duckdb.columns.map((column) => [column.name, canonicalTypeName(column.type)]));
      expect(duckdb.columns.map((column) => column.type)).toEqual(['INTEGER', 'BIGINT', 'DECIMAL(20,2)', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'BOOLEAN', 'VARCHAR']);
      expect(byN(postgres.rows)).toEqual(SECOND_ROWS);
      expect(byN(postgres.rows)).toEqual(byN(duckdb.rows));
    });

    it('takes a limit and says which version the rows are from, as on DuckDB', async () => {
      for (const name of ['postgres', 'duckdb'] as const) {
        const all = await preview(name);
        const detail = await side(name).server.get<AssetDetail>('/api/assets/typed_values');
        expect(all, name).toMatchObject({ asset: 'typed_values', environment: 'prod', version: detail.version, limit: 50 });
        // Fewer rows than the limit: the caption says these are all of them.
        expect(all.rows.length).toBeLessThan(all.limit);
        const two = await preview(name, '?limit=2');
        expect(two).toMatchObject({ version: detail.version, limit: 2 });
        expect(two.rows).toHaveLength(2);
        for (const row of two.rows) expect(SECOND_ROWS, name).toContainEqual(row);
        const four = await preview(name, '?limit=4');
        expect(four.rows).toHaveLength(4);
        expect(four.limit).toBe(4);
      }
      for (const limit of ['0', '501', 'ten']) {
        const response = await call(side('postgres').server.app, 'GET', `/api/assets/typed_values/preview?limit=${limit}`);
        expect(response.status, limit).toBe(400);
      }
    });
  });

  describe('POST /api/assets/:name/rollback', () => {
    it('refuses a version that does not exist or was never published, in the words DuckDB uses', async () => {
      const held = (await versions('postgres'))[0]!;
      expect(held.status).not.toBe('published');
      const duckdbHeld = (await versions('duckdb'))[0]!;
      expect(duckdbHeld.status).toBe(held.status);
      for (const [postgres, duckdb] of [[held.version, duckdbHeld.version], ['ffffffffffff', 'ffffffffffff']] as const) {
        expect(await rollbackError('postgres', { version: postgres })).toEqual(await rollbackError('duckdb', { version: duckdb }));
      }
      const unpublished = await rollbackError('postgres', { version: held.version });
      expect(unpublished).toMatchObject({ status: 400, error: { code: 'USAGE', message: expect.stringContaining('<held> of typed_values was never published') } });
      const unknown = await rollbackError('postgres', { version: 'ffffffffffff' });
      expect(unknown).toMatchObject({ status: 404, error: { code: 'VERSION_UNKNOWN', message: expect.stringContaining('no version "ffffffffffff"') } });
      // Refused: nothing moved.
      expect((await side('postgres').server.get<AssetDetail>('/api/assets/typed_values')).version).toBe((await versions('postgres'))[1]!.version);
    });

    it('moves the view back to the first version: the preview shows its rows, the live pointer moved, the log names the editor', async () => {
      const postgres = side('postgres');
      const [, second, first] = await versions('postgres');
      expect([second!.live, first!.live]).toEqual([true, false]);

      const response = await call(postgres.authApp, 'POST', '/api/assets/typed_values/rollback', { token: postgres.editorToken, body: JSON.stringify({ version: first!.version }) });
      expect(response.status, await response.clone().text()).toBe(200);
      expect((await response.json()) as RollbackBody).toEqual({ asset: 'typed_values', environment: 'prod', from: second!.version, to: first!.version, pinned: true });

      const after = await preview('postgres');
      expect(after.version).toBe(first!.version);
      expect(byN(after.rows)).toEqual(FIRST_ROWS);
      const detail = await postgres.server.get<AssetDetail>('/api/assets/typed_values');
      expect(detail).toMatchObject({ version: first!.version, pinned: true });
      expect(detail.versions.find((version) => version.live)?.version).toBe(first!.version);

      const events = (await postgres.server.runtime.store.events({ asset: 'typed_values' })).slice(-2);
      expect(events).toMatchObject([
        { type: 'asset_published', runId: null, version: first!.version, previousVersion: second!.version, reason: 'rollback' },
        { type: 'asset_pinned', pinned: true },
      ]);
      const calls = (await postgres.server.runtime.store.events())
        .filter((event): event is ApiCallEvent & { id: number } => event.type === 'api_call' && event.path === '/api/assets/typed_values/rollback' && event.token !== null)
        .map((event) => [event.method, event.token, event.role, event.status]);
      expect(calls).toEqual([['POST', 'postgres-editor', 'editor', 200]]);
    });
  });
});
