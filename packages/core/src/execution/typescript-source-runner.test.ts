/**
 * TypeScript sources with real pieces: projects written to disk and bundled by the real loader,
 * `read` in a real worker thread (the built entry in `dist/`), records fitted and staged into an
 * in-memory DuckDB by the loader HTTP tables use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../connectors/records/dead-letters.js';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import { STAGING_SCHEMA } from '../plan/physical-names.js';
import { loadProject } from '../project/load-project.js';
import type { TypeScriptSourceAsset } from '../project/project-model.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { runTypeScriptSource, type TypeScriptSourceTarget } from './typescript-source-runner.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function duckdb(): Promise<EngineAdapter> {
  const engine = await openDuckDBAdapter({ path: ':memory:' });
  cleanups.push(() => engine.close());
  return engine;
}

/** Loads a project holding one source, `models/contacts.ts`, whose export is `contacts`. */
async function loadSource(source: string): Promise<{ asset: TypeScriptSourceAsset; root: string }> {
  const root = await writeTempProject({ 'weir.yaml': 'name: t\n', 'models/contacts.ts': source });
  cleanups.push(() => removeTempProject(root));
  const project = await loadProject(root);
  const asset = project.assets.get('contacts');
  if (asset?.kind !== 'typescript_source') throw new Error(`expected a typescript_source asset, got ${asset?.kind}`);
  return { asset, root };
}

function relation(name: string): RelationRef {
  return { schema: 'main', name };
}

function targetFor(root: string, engine: EngineAdapter, log: string[], physical = relation('v1'), basedOn: RelationRef | null = null): TypeScriptSourceTarget {
  return { engine, physical, basedOn, projectRoot: root, runId: `r-${Math.random().toString(36).slice(2, 8)}`, signal: new AbortController().signal, log: (message) => log.push(message) };
}

async function query(engine: EngineAdapter, sql: string): Promise<Record<string, unknown>[]> {
  const session = await engine.session();
  try {
    return await session.query(sql);
  } finally {
    await session.close();
  }
}

async function tablesIn(engine: EngineAdapter, schema: string): Promise<string[]> {
  const rows = await query(engine, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}'`);
  return rows.map((row) => String(row.table_name));
}

describe('a full load', () => {
  it('flattens nested records, takes batches and single records alike, and sets aside values that are not records', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        async *read(ctx) {
          ctx.log('reading from the start: ' + ctx.highWaterMark);
          yield [
            { id: 1, name: 'Ada', address: { city: 'Oslo', geo: { lat: 59.9 } }, tags: ['a', 'b'], updatedAt: '2026-01-01T10:00:00Z' },
            { id: 2, name: 'Bo', address: { city: 'Rome' }, tags: [], updatedAt: '2026-01-02T10:00:00Z' },
            42,
          ];
          yield { id: 3, name: 'Cy', address: { city: 'Lima' }, updatedAt: new Date('2026-01-03T10:00:00Z') };
          yield 'not a record';
          yield { id: 4, big: 10n };
          yield [];
        },
      });
    `);
    const log: string[] = [];
    const progress: number[] = [];
    const loaded = await runTypeScriptSource(asset, { ...targetFor(root, engine, log), onProgress: (records) => progress.push(records) });
    expect(loaded).toMatchObject({ records: 6, deadLettered: 3, highWaterMark: null, batches: 2 });
    expect(log).toContain('reading from the start: null');
    expect(progress.at(-1)).toBe(6);

    const rows = await query(engine, 'SELECT id, name, address__city, address__geo__lat, tags, CAST(updated_at AS VARCHAR) AS updated_at FROM main.v1 ORDER BY id');
    expect(rows).toEqual([
      { id: 1, name: 'Ada', address__city: 'Oslo', address__geo__lat: 59.9, tags: '["a","b"]', updated_at: '2026-01-01 10:00:00' },
      { id: 2, name: 'Bo', address__city: 'Rome', address__geo__lat: null, tags: '[]', updated_at: '2026-01-02 10:00:00' },
      { id: 3, name: 'Cy', address__city: 'Lima', address__geo__lat: null, tags: null, updated_at: '2026-01-03 10:00:00' },
    ]);
    const letters = await listDeadLetters(engine, { asset: 'contacts' });
    expect(letters.map((letter) => [letter.payload, letter.disposition])).toEqual(
      expect.arrayContaining([
        ['42', 'rejected'],
        ['"not a record"', 'rejected'],
        [expect.stringContaining('10n'), 'rejected'],
      ]),
    );
    expect(letters).toHaveLength(3);
    expect(letters.find((letter) => letter.payload === '42')?.error).toMatch(/a JSON number, not an object/);
    expect(letters.find((letter) => letter.payload.includes('10n'))?.error).toMatch(/not JSON: .*BigInt/);
    expect(await tablesIn(engine, STAGING_SCHEMA)).toEqual([]);
  });

  it('groups records yielded one at a time into batches, and loads every one of them', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        *read() {
          for (let id = 1; id <= 12000; id++) yield { id, label: 'contact ' + id };
        },
      });
    `);
    const loaded = await runTypeScriptSource(asset, targetFor(root, engine, []));
    expect(loaded.records).toBe(12000);
    // 5000 a batch: far fewer round trips than records, and none lost at the edges.
    expect(loaded.batches).toBeGreaterThanOrEqual(3);
    expect(loaded.batches).toBeLessThan(100);
    const [summary] = await query(engine, 'SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS low, max(id) AS high FROM main.v1');
    expect(summary).toEqual({ n: 12000, ids: 12000, low: 1, high: 12000 });
  });

  it('refuses a first load that yields nothing: there are no columns to make a table of', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({ async *read() {} });
    `);
    await expect(runTypeScriptSource(asset, targetFor(root, engine, []))).rejects.toMatchObject({ code: 'SOURCE_READ_FAILED', message: expect.stringContaining('no records') });
    expect(await tablesIn(engine, 'main')).toEqual([]);
  });

  it('hands read the environment it is given', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        async *read(ctx) {
          yield { token_seen: ctx.env.CRM_TOKEN === 'tok-secret', other: ctx.env.NOT_SET ?? 'unset' };
        },
      });
    `);
    await runTypeScriptSource(asset, { ...targetFor(root, engine, []), env: { CRM_TOKEN: 'tok-secret' } });
    expect(await query(engine, 'SELECT token_seen, other FROM main.v1')).toEqual([{ token_seen: true, other: 'unset' }]);
  });
});

describe('an incremental load', () => {
  it('reads past the high-water mark of the version it extends and merges by the primary key', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      const all = [
        { id: 1, name: 'Ada', updated_at: '2026-01-01T10:00:00Z' },
        { id: 2, name: 'Bo', updated_at: '2026-01-02T10:00:00Z' },
        { id: 2, name: 'Bo (renamed)', updated_at: '2026-01-05T10:00:00Z', vip: true },
        { id: 3, name: 'Cy', updated_at: '2026-01-06T10:00:00Z' },
      ];
      export const contacts = defineSource({
        primaryKey: 'id',
        incremental: { cursor: 'updated_at' },
        async *read(ctx) {
          ctx.log('mark ' + ctx.highWaterMark);
          const since = ctx.highWaterMark === null ? 0 : Date.parse(ctx.highWaterMark);
          // The first load sees only what existed then: the first two records.
          const visible = ctx.highWaterMark === null ? all.slice(0, 2) : all;
          yield visible.filter((record) => Date.parse(record.updated_at) > since);
        },
      });
    `);
    expect(asset).toMatchObject({ primaryKey: ['id'], incremental: { cursor: 'updated_at' } });
    const firstLog: string[] = [];
    const first = await runTypeScriptSource(asset, targetFor(root, engine, firstLog));
    expect(first).toMatchObject({ records: 2, highWaterMark: '2026-01-02T10:00:00Z' });
    expect(firstLog).toContain('mark null');

    const secondLog: string[] = [];
    const second = await runTypeScriptSource(asset, targetFor(root, engine, secondLog, relation('v2'), relation('v1')));
    expect(secondLog).toContain('mark 2026-01-02T10:00:00Z');
    expect(second).toMatchObject({ records: 2, highWaterMark: '2026-01-06T10:00:00Z' });
    const rows = await query(engine, 'SELECT id, name, vip FROM main.v2 ORDER BY id');
    expect(rows).toEqual([
      { id: 1, name: 'Ada', vip: null },
      { id: 2, name: 'Bo (renamed)', vip: true },
      { id: 3, name: 'Cy', vip: null },
    ]);
    // The version extended is left as it was.
    expect(await query(engine, 'SELECT count(*) AS n FROM main.v1')).toEqual([{ n: 2 }]);
  });

  it('fails with CONFIG_INVALID when the cursor is not a field of the records', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        incremental: { cursor: 'modified' },
        async *read() { yield [{ id: 1 }]; },
      });
    `);
    await expect(runTypeScriptSource(asset, targetFor(root, engine, []))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('"modified"') });
    expect(await tablesIn(engine, 'main')).toEqual([]);
  });
});

describe('the schema policy', () => {
  const twoBatches = (policy: string) => `
    import { defineSource } from 'weir';
    export const contacts = defineSource({
      schema: '${policy}',
      async *read() {
        yield [{ id: 1, score: 10 }, { id: 2, score: 20 }];
        yield [{ id: 3, score: 'high' }, { id: 4, score: 40 }];
      },
    });
  `;

  it('discard_row: a record that does not fit goes to the dead letters whole, the rest loads', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(twoBatches('discard_row'));
    const loaded = await runTypeScriptSource(asset, targetFor(root, engine, []));
    expect(loaded.deadLettered).toBe(1);
    expect(await query(engine, 'SELECT id, score FROM main.v1 ORDER BY id')).toEqual([
      { id: 1, score: 10 },
      { id: 2, score: 20 },
      { id: 4, score: 40 },
    ]);
    const [letter, ...more] = await listDeadLetters(engine, { asset: 'contacts' });
    expect(more).toEqual([]);
    expect(JSON.parse(letter!.payload)).toEqual({ id: 3, score: 'high' });
    expect(letter).toMatchObject({ disposition: 'rejected', error: expect.stringContaining('"score" is VARCHAR') });
  });

  it('freeze: a batch that does not fit fails the load, and nothing is built', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(twoBatches('freeze'));
    await expect(runTypeScriptSource(asset, targetFor(root, engine, []))).rejects.toMatchObject({ code: 'SOURCE_READ_FAILED', message: expect.stringContaining('frozen') });
    expect(await tablesIn(engine, 'main')).toEqual([]);
    expect(await tablesIn(engine, STAGING_SCHEMA)).toEqual([]);
  });

  it('evolve (the default): the column widens', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(twoBatches('evolve'));
    await runTypeScriptSource(asset, targetFor(root, engine, []));
    expect((await query(engine, 'SELECT score FROM main.v1 ORDER BY id')).map((row) => row.score)).toEqual(['10', '20', 'high', '40']);
  });
});

describe('user code that fails', () => {
  it('a throw part-way fails with USER_CODE_FAILED at the file and line, and nothing is built', async () => {
    const engine = await duckdb();
    // The throw is on line 6 of the file (dedented); keep the layout.
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        async *read() {
          yield [{ id: 1 }, { id: 2 }];
          yield [{ id: 3 }];
          throw new Error('CRM answered 502 on page 3');
        },
      });
    `);
    const error = await runTypeScriptSource(asset, targetFor(root, engine, [])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeirError);
    expect(error).toMatchObject({ code: 'USER_CODE_FAILED', message: 'contacts threw Error: CRM answered 502 on page 3', location: { file: 'models/contacts.ts', line: 6 } });
    expect(await tablesIn(engine, 'main')).toEqual([]);
    expect(await tablesIn(engine, STAGING_SCHEMA)).toEqual([]);
  });

  it('a read that is not a generator is refused with the shape to write', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        // @ts-expect-error: a plain async function, not a generator
        async read() { return [{ id: 1 }]; },
      });
    `);
    await expect(runTypeScriptSource(asset, targetFor(root, engine, []))).rejects.toMatchObject({ code: 'USER_CODE_FAILED', message: expect.stringContaining('async *read(ctx)') });
  });

  it('a read that hangs is stopped by the abort signal (timeout, cancel), the worker terminated, nothing built', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        async *read() {
          yield [{ id: 1 }];
          await new Promise(() => {});
        },
      });
    `);
    const controller = new AbortController();
    const reason = new WeirError('STEP_TIMEOUT', 'contacts did not finish within 1 s and was stopped');
    // Aborted once the first batch is staged: the worker is then waiting forever.
    const target = { ...targetFor(root, engine, []), signal: controller.signal, onProgress: () => controller.abort(reason) };
    await expect(runTypeScriptSource(asset, target)).rejects.toBe(reason);
    expect(await tablesIn(engine, 'main')).toEqual([]);
    expect(await tablesIn(engine, STAGING_SCHEMA)).toEqual([]);
  });

  it('a read that calls process.exit fails naming the file', async () => {
    const engine = await duckdb();
    const { asset, root } = await loadSource(`
      import { defineSource } from 'weir';
      export const contacts = defineSource({
        async *read() {
          yield [{ id: 1 }];
          process.exit(0);
        },
      });
    `);
    await expect(runTypeScriptSource(asset, targetFor(root, engine, []))).rejects.toMatchObject({
      code: 'USER_CODE_FAILED',
      location: { file: 'models/contacts.ts' },
      message: expect.stringContaining('exited (code 0) before read() ended'),
    });
    expect(await tablesIn(engine, 'main')).toEqual([]);
  });
});
