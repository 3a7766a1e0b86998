/**
 * The user-code boundary with real pieces: projects written to disk and bundled by the real
 * loader, user code in a real worker thread (the built entry in `dist/`), rows written to an
 * in-memory DuckDB.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import { loadProject } from '../project/load-project.js';
import type { TypeScriptAsset } from '../project/project-model.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import { createTestDatabase, describeWithService, postgresService } from '../testing/services.js';
import { runTypeScriptAsset, type TypeScriptRunTarget } from './typescript-asset-runner.js';

const physical: RelationRef = { schema: 'main', name: 'built' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real DuckDB adapter, counting the sessions it hands out and those closed again. */
interface CountedEngine {
  engine: EngineAdapter;
  sessions: { opened: number; closed: number };
}

async function countedDuckDB(): Promise<CountedEngine> {
  const real = await openDuckDBAdapter({ path: ':memory:' });
  cleanups.push(() => real.close());
  const sessions = { opened: 0, closed: 0 };
  const engine = new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'session') {
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return async () => {
        const session = await target.session();
        sessions.opened++;
        const close = session.close.bind(session);
        session.close = async () => {
          sessions.closed++;
          await close();
        };
        return session;
      };
    },
  });
  return { engine, sessions };
}

/** Loads a project holding one TypeScript asset, `models/asset.ts`, whose export is `asset`. */
async function loadAsset(source: string): Promise<{ asset: TypeScriptAsset; root: string }> {
  const root = await writeTempProject({ 'weir.yaml': 'name: t\n', 'models/asset.ts': source });
  cleanups.push(() => removeTempProject(root));
  const project = await loadProject(root);
  return { asset: project.assets.get('asset') as TypeScriptAsset, root };
}

function targetFor(root: string, engine: EngineAdapter, log: string[]): TypeScriptRunTarget {
  return {
    engine,
    physical,
    inputVersions: {},
    projectRoot: root,
    runId: 'r-20261121-120000-ab12',
    signal: new AbortController().signal,
    log: (message) => log.push(message),
  };
}

async function rows(engine: EngineAdapter, sql: string): Promise<Record<string, unknown>[]> {
  const session = await engine.session();
  try {
    return await session.query(sql);
  } finally {
    await session.close();
  }
}

describe('a worker that ends without returning', () => {
  for (const code of [0, 3]) {
    it(`rejects with USER_CODE_FAILED naming the file when user code calls process.exit(${code})`, async () => {
      const { engine, sessions } = await countedDuckDB();
      const { asset, root } = await loadAsset(`
        import { defineAsset } from 'weir';
        export const asset = defineAsset({
          columns: { id: 'BIGINT' },
          async run() {
            process.exit(${code});
          },
        });
      `);
      const error = await runTypeScriptAsset(asset, targetFor(root, engine, [])).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WeirError);
      expect(error).toMatchObject({ code: 'USER_CODE_FAILED', location: { file: asset.file } });
      expect((error as WeirError).message).toContain(`exited (code ${code}) before returning`);
      expect(sessions).toEqual({ opened: 1, closed: 1 });
    });
  }
});

describe('user output', () => {
  it("passes the worker's console lines to log and writes none of them to Weir's stdout", async () => {
    const { engine } = await countedDuckDB();
    const { asset, root } = await loadAsset(`
      import { defineAsset } from 'weir';
      export const asset = defineAsset({
        async run() {
          console.log('hello from user code');
          console.log('two\\nlines');
          console.error('a warning from user code');
          for (let i = 0; i < 200; i++) console.log('line ' + i);
          return [{ id: 1 }];
        },
      });
    `);
    const log: string[] = [];
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    // Captures (and still passes on) whatever reaches this process's stdout during the build.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      expect(await runTypeScriptAsset(asset, targetFor(root, engine, log))).toBe(1);
    } finally {
      process.stdout.write = write;
    }
    expect(log).toEqual(expect.arrayContaining(['hello from user code', 'two', 'lines', 'a warning from user code', 'line 0', 'line 199']));
    expect(log.filter((line) => line.startsWith('line '))).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i}`));
    expect(written.join('')).not.toMatch(/hello from user code|a warning from user code|line 199/);
  });
});

describe('user output before a throw', () => {
  it('reaches the log in full: the lines before a failure are the ones that explain it', async () => {
    const { engine } = await countedDuckDB();
    const { asset, root } = await loadAsset(`
      import { defineAsset } from 'weir';
      export const asset = defineAsset({
        async run() {
          for (let i = 0; i < 2000; i++) console.log('step ' + i);
          throw new Error('gave up');
        },
      });
    `);
    // Repeated: an unflushed worker loses its last lines often, but not every time.
    for (let attempt = 0; attempt < 3; attempt++) {
      const log: string[] = [];
      await expect(runTypeScriptAsset(asset, targetFor(root, engine, log))).rejects.toMatchObject({ code: 'USER_CODE_FAILED', message: expect.stringContaining('gave up') });
      expect(log.length, `attempt ${attempt}`).toBe(2000);
      expect(log.at(-1)).toBe('step 1999');
    }
  });
});

describe('writes the asset did not await', () => {
  it('keeps every batch, in order, in a table created once', async () => {
    const { engine, sessions } = await countedDuckDB();
    const { asset, root } = await loadAsset(`
      import { defineAsset } from 'weir';
      const batch = (from: number) => Array.from({ length: 500 }, (_, i) => ({ id: from + i, label: 'row ' + (from + i) }));
      export const asset = defineAsset({
        async run(ctx) {
          void ctx.append(batch(1));
          void ctx.append(batch(501));
          return batch(1001);
        },
      });
    `);
    const progress: number[] = [];
    const target = { ...targetFor(root, engine, []), onRows: (count: number) => progress.push(count) };
    expect(await runTypeScriptAsset(asset, target)).toBe(1500);
    const stored = await rows(engine, 'SELECT id FROM main.built ORDER BY rowid');
    expect(stored.map((row) => Number(row.id))).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    expect(progress).toEqual([500, 1000, 1500]);
    expect(sessions.opened).toBe(sessions.closed);
  });

  it('fails the build, writing nothing after it, when an un-awaited batch is refused', async () => {
    const { engine } = await countedDuckDB();
    const { asset, root } = await loadAsset(`
      import { defineAsset } from 'weir';
      export const asset = defineAsset({
        columns: { id: 'BIGINT' },
        async run(ctx) {
          void ctx.append([{ id: 1 }]).catch(() => undefined);
          void ctx.append([{ id: 2, extra: 'x' }]).catch(() => undefined);
          return [{ id: 3 }];
        },
      });
    `);
    await expect(runTypeScriptAsset(asset, targetFor(root, engine, []))).rejects.toMatchObject({ code: 'USER_CODE_FAILED', message: expect.stringContaining('extra') });
    expect((await rows(engine, 'SELECT id FROM main.built')).map((row) => Number(row.id))).toEqual([1]);
  });
});

describe('sessions', () => {
  it('closes the session when the worker cannot even be started', async () => {
    const { engine, sessions } = await countedDuckDB();
    const { asset, root } = await loadAsset(`
      import { defineAsset } from 'weir';
      export const asset = defineAsset({ run: () => [{ id: 1 }] });
    `);
    // A start message that cannot be cloned makes \`new Worker\` throw synchronously.
    const unstartable = { ...asset, exportName: (() => 'asset') as unknown as string };
    await expect(runTypeScriptAsset(unstartable, targetFor(root, engine, []))).rejects.toThrow();
    expect(sessions).toEqual({ opened: 1, closed: 1 });
  });

  it('closes the session after a successful build', async () => {
    const { engine, sessions } = await countedDuckDB();
    const { asset, root } = await loadAsset(`
      import { defineAsset } from 'weir';
      export const asset = defineAsset({ async run(ctx) { return ctx.sql('select 41 + 1 as id'); } });
    `);
    expect(await runTypeScriptAsset(asset, targetFor(root, engine, []))).toBe(1);
    expect(sessions).toEqual({ opened: 1, closed: 1 });
  });
});

/** Builds an asset whose ctx.sql counts its input `orders`, planned on the older of two versions. */
async function countOrdersThroughSql(engine: EngineAdapter): Promise<Record<string, unknown>[]> {
  for (const [version, n] of [['v1', 3], ['v2', 5]] as const) {
    await rows(engine, `CREATE SCHEMA IF NOT EXISTS weir_versions; CREATE TABLE weir_versions.orders__${version} AS SELECT id FROM generate_series(1, ${n}) AS t(id)`);
  }
  const root = await writeTempProject({
    'weir.yaml': 'name: t\n',
    'models/orders.sql': 'select 1 as id\n',
    'models/asset.ts': `
      import { defineAsset } from 'weir';
      export const asset = defineAsset({
        inputs: ['orders'],
        async run(ctx) { return ctx.sql('select cast(count(*) as integer) as n from orders'); },
      });
    `,
  });
  cleanups.push(() => removeTempProject(root));
  const asset = (await loadProject(root)).assets.get('asset') as TypeScriptAsset;
  const target = { ...targetFor(root, engine, []), physical: { schema: 'public', name: 'built' }, inputVersions: { orders: 'v1' } };
  if (engine.kind === 'duckdb') target.physical = physical;
  expect(await runTypeScriptAsset(asset, target)).toBe(1);
  return await rows(engine, `SELECT n FROM ${engine.quoteRelation(target.physical)}`);
}

describe('ctx.sql', () => {
  it('sees each input by its plain name, as the version this build reads (DuckDB)', async () => {
    const { engine } = await countedDuckDB();
    expect(await countOrdersThroughSql(engine)).toEqual([{ n: 3 }]);
  });
});

await describeWithService(postgresService, 'ctx.sql on PostgreSQL', () => {
  it('sees inputs by plain name, and the pooled connection keeps no view after the build', async () => {
    const database = await createTestDatabase('weir_ts_sql');
    const engine = await openPostgresAdapter({ url: database.url });
    cleanups.push(async () => {
      await engine.close();
      await database.drop();
    });
    expect(await countOrdersThroughSql(engine)).toEqual([{ n: 3 }]);
    // No temporary view is left on any pooled connection: a plain "orders" finds nothing.
    for (let i = 0; i < 3; i++) await expect(rows(engine, 'SELECT count(*) FROM orders')).rejects.toThrow(/orders/);
  });
});
