/**
 * Runs the state store conformance suite against SQLite (a file in a temp folder) and the local
 * PostgreSQL (a database created for this run and dropped after it), plus the checks that only make
 * sense for one of them. When PostgreSQL cannot be reached the PostgreSQL part is skipped with a
 * message, except on CI (`CI=true`), where that is a failure (see `testing/services.ts`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeirEvent } from '../events/weir-event.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { describeStateStoreConformance } from '../testing/state-store-conformance.js';
import { openPostgresStateStore } from './postgres/open-postgres-state-store.js';
import { openSqliteStateStore } from './sqlite/open-sqlite-state-store.js';
import { stateSchemaVersion } from './state-migrations.js';

const at = '2025-01-01T00:00:00.000Z';
const runStarted = (runId: string): WeirEvent => ({
  type: 'run_started', at, runId, environment: 'prod', pid: 1, host: 'h', command: 'run', selection: [], exclusion: [], plannedAssets: [],
});

const scratch = mkdtempSync(join(tmpdir(), 'weir-state-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
const newFile = (): string => join(scratch, `db-${++files}`, 'state.db');

describeStateStoreConformance('SQLite', {
  async emptyDatabase() {
    const file = newFile();
    return { open: () => openSqliteStateStore(file) };
  },
});

describe('SQLite state store', () => {
  it('creates its folder and runs in WAL mode', async () => {
    const file = newFile();
    const store = await openSqliteStateStore(file);
    await store.append([runStarted('r')]);
    const outside = new Database(file, { readonly: true });
    try {
      expect(outside.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(outside.prepare('select max(version) as v from schema_version').get()).toEqual({ v: stateSchemaVersion });
    } finally {
      outside.close();
      await store.close();
    }
  });

  it('reports a file it cannot open as STATE_UNAVAILABLE', async () => {
    const notAFolder = join(scratch, 'plain-file');
    writeFileSync(notAFolder, 'x');
    await expect(openSqliteStateStore(join(notAFolder, 'state.db'))).rejects.toMatchObject({ name: 'WeirError', code: 'STATE_UNAVAILABLE' });
    const garbage = join(scratch, 'garbage.db');
    writeFileSync(garbage, 'this is not a database, it is just long enough to have a header '.repeat(20));
    await expect(openSqliteStateStore(garbage)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining(garbage) });
  });

  it('refuses a database written by a newer Weir', async () => {
    const file = newFile();
    await (await openSqliteStateStore(file)).close();
    const outside = new Database(file);
    outside.prepare('insert into schema_version (version, applied_at) values (99, ?)').run(at);
    outside.close();
    await expect(openSqliteStateStore(file)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('schema version 99') });
  });

  it('waits for another process holding the write lock, and gives up after the busy timeout', async () => {
    const file = newFile();
    const store = await openSqliteStateStore(file, { busyTimeoutMs: 5_000 });
    const impatient = await openSqliteStateStore(file, { busyTimeoutMs: 100 });
    try {
      const holder = await holdWriteLock(file, 600);
      const started = Date.now();
      await store.append([runStarted('waited')]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      await holder.exited;

      const second = await holdWriteLock(file, 1_000);
      await expect(impatient.append([runStarted('gave-up')])).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', hint: expect.stringContaining('write lock') });
      await second.exited;
      expect((await store.runs()).map((run) => run.runId)).toEqual(['waited']);
    } finally {
      await store.close();
      await impatient.close();
    }
  });

  it('several processes migrating and appending at once all succeed', async () => {
    const file = newFile();
    const bundle = join(scratch, 'open-sqlite.mjs');
    const require = createRequire(import.meta.url);
    await build({
      entryPoints: [fileURLToPath(new URL('./sqlite/open-sqlite-state-store.ts', import.meta.url))],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      plugins: [
        {
          name: 'native-from-repo',
          setup(builder) {
            builder.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: require.resolve('better-sqlite3'), external: true }));
          },
        },
      ],
    });
    const script = `
      const { openSqliteStateStore } = await import(${JSON.stringify(bundle)});
      const store = await openSqliteStateStore(process.argv[1]);
      const runId = 'proc-' + process.pid;
      const events = [];
      for (let i = 0; i < 50; i++) events.push({ type: 'step_started', at: ${JSON.stringify(at)}, runId, asset: 'a' + i, version: 'v', attempt: 1 });
      await store.append([{ type: 'run_started', at: ${JSON.stringify(at)}, runId, environment: 'prod', pid: process.pid, host: 'h', command: 'run', selection: [], exclusion: [], plannedAssets: [] }]);
      await Promise.all(events.map((event) => store.append([event])));
      await store.close();
    `;
    const results = await Promise.all(Array.from({ length: 4 }, () => runNode(['--input-type=module', '-e', script, file])));
    for (const result of results) expect(result).toEqual({ code: 0, stderr: '' });
    const store = await openSqliteStateStore(file);
    try {
      const runs = await store.runs();
      expect(runs).toHaveLength(4);
      for (const run of runs) expect(await store.steps(run.runId)).toHaveLength(50);
      const events = await store.events();
      expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
    } finally {
      await store.close();
    }
  });
});

// --- PostgreSQL ----------------------------------------------------------------------------------

await describeWithService(postgresService, 'PostgreSQL state store', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('weir_state_test');
  });
  afterAll(async () => {
    await database?.drop();
  });

  let schemas = 0;
  describeStateStoreConformance('PostgreSQL', {
    async emptyDatabase() {
      const schema = `conformance_${++schemas}`;
      return { open: () => openPostgresStateStore(database.url, { schema }) };
    },
  });

  it('uses the weir_state schema by default, with typed columns', async () => {
    const store = await openPostgresStateStore(database.url);
    try {
      await store.append([runStarted('typed')]);
      const types = await adminQuery(
        database.url,
        `select table_name, column_name, data_type from information_schema.columns
          where table_schema = 'weir_state' and (table_name, column_name) in
            (('events', 'payload'), ('runs', 'started_at'), ('pointers', 'pinned'), ('events', 'id'))
          order by table_name, column_name`,
      );
      expect(types).toEqual([
        { table_name: 'events', column_name: 'id', data_type: 'bigint' },
        { table_name: 'events', column_name: 'payload', data_type: 'jsonb' },
        { table_name: 'pointers', column_name: 'pinned', data_type: 'boolean' },
        { table_name: 'runs', column_name: 'started_at', data_type: 'timestamp with time zone' },
      ]);
      expect(await store.run('typed')).toMatchObject({ startedAt: at });
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable server as STATE_UNAVAILABLE without the password', async () => {
    const error = await openPostgresStateStore('postgres://weir:hunter2-secret@127.0.0.1:1/state', { connectTimeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WeirError', code: 'STATE_UNAVAILABLE', message: expect.stringContaining('weir:***@127.0.0.1:1') });
    expect(inspect(error, { depth: 10 })).not.toContain('hunter2');
  });

  it('reports a missing database as STATE_UNAVAILABLE without the password', async () => {
    const missing = new URL(database.url);
    missing.password = 'hunter2-secret';
    missing.pathname = `${missing.pathname}_missing`;
    const error = await openPostgresStateStore(missing.toString()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('does not exist') });
    expect(inspect(error, { depth: 10 })).not.toContain('hunter2');
  });

  it('never leaks a password from a connection string it cannot parse', async () => {
    const error = await openPostgresStateStore('postgres://weir:hunter2-secret@bad host:x/state').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_UNAVAILABLE' });
    expect(inspect(error, { depth: 10 })).not.toContain('hunter2');
  });
});

async function adminQuery(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** Starts a process that holds SQLite's write lock on `file` for `ms`; resolves once it holds it. */
async function holdWriteLock(file: string, ms: number): Promise<{ exited: Promise<void> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('begin immediate');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('commit'); db.close(); }, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ['-e', script, file, String(ms)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`))));
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.on('exit', () => reject(new Error('lock holder exited before locking')));
  });
  return { exited };
}

function runNode(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}
