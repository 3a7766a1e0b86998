/**
 * Benchmark 5: loading a PostgreSQL table into DuckDB.
 *
 * Target (issue #4): Weir's load <= 1.5x draining `COPY (SELECT ...) TO STDOUT (FORMAT csv)` from
 * the same table into nothing, in the same run. The drain is the least any load must do: the
 * source produces every row once and the bytes cross the socket once.
 *
 * "Weir" is the PostgreSQL connector's `readCsv` (the same COPY) streamed into the DuckDB
 * adapter's `loadCsvStream` (DuckDB's CSV reader on a named pipe), creating a table in a DuckDB
 * file: what a whole load of a database source does. The table is the check-suite's generated
 * 10-column table (`generateSql` in `check-suite.js`). The two are interleaved (sample s runs
 * them in an order rotated by s) and the medians compared.
 *
 * Variables: WEIR_BENCH_INGEST_ROWS (default 5,000,000), WEIR_BENCH_SAMPLES (default 3),
 * WEIR_TEST_POSTGRES_URL (a database `weir_bench_ingest_<random>` is created there and dropped).
 * Without a server the bench says so and is skipped.
 *
 * Usage: node bench/ingest-postgres.js (after `npm run build`).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { generateSql } from './check-suite.js';
import { formatMs, formatRatio, importCore, isMain, median, withScratch } from './lib/measure.js';

const { openDuckDBAdapter } = await importCore('engines/duckdb/duckdb-adapter.js');
const { openPostgresConnector } = await importCore('connectors/postgres/postgres-connector.js');
const { postgresAvailable } = await importCore('testing/services.js');

const ROWS = Number(process.env.WEIR_BENCH_INGEST_ROWS ?? 5_000_000);
const SAMPLES = Number(process.env.WEIR_BENCH_SAMPLES ?? 3);
const SERVER = process.env.WEIR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function onServer(sql) {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Bytes of the table as COPY writes it, read and thrown away. */
async function drain(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let bytes = 0;
    const stream = client.query(copyStreams.to('COPY (SELECT * FROM public.orders) TO STDOUT (FORMAT csv)'));
    stream.on('data', (chunk) => {
      bytes += chunk.length;
    });
    await new Promise((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    return bytes;
  } finally {
    await client.end();
  }
}

/**
 * Times a whole load of a generated PostgreSQL table into DuckDB against draining its COPY.
 *
 * @example
 * ```js
 * const rows = await runIngestBench();
 * ```
 */
export async function runIngestBench({ log = console.log } = {}) {
  log(`== ingestion: PostgreSQL -> DuckDB, ${ROWS.toLocaleString('en')} rows x 10 columns; weir's load vs draining COPY TO STDOUT`);
  if (!(await postgresAvailable(SERVER))) {
    log(`   skipped: PostgreSQL at ${SERVER} does not answer`);
    return [{ bench: 'ingestion', measure: 'PostgreSQL -> DuckDB load', value: 'skipped', baseline: '-', ratio: undefined, target: '<= 1.5x' }];
  }
  const name = `weir_bench_ingest_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  try {
    const started = performance.now();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(`CREATE UNLOGGED TABLE public.orders AS ${generateSql('postgres', { first: 0, count: ROWS, permuteOver: ROWS })}`);
    await client.query('VACUUM (FREEZE, ANALYZE) public.orders');
    await client.end();
    log(`   table generated in ${formatMs(performance.now() - started)}`);
    return await withScratch('weir-bench-ingest-', async (dir) => {
      const engine = await openDuckDBAdapter({ path: join(dir, 'warehouse.duckdb') });
      const connector = await openPostgresConnector({ url: url.toString() });
      try {
        await engine.createSchema('raw');
        const columns = await connector.describe('"public"."orders"');
        let loads = 0;
        const variants = {
          drain: async () => {
            if ((await drain(url.toString())) === 0) throw new Error('COPY produced nothing');
          },
          weir: async () => {
            const target = { schema: 'raw', name: `orders_${loads++}` };
            await engine.loadCsvStream(target, columns, await connector.readCsv({ from: '"public"."orders"' }, columns));
            const loaded = await engine.rowCount(target);
            if (loaded !== ROWS) throw new Error(`loaded ${loaded} rows, expected ${ROWS}`);
            await engine.drop(target, 'table');
          },
        };
        const times = { drain: [], weir: [] };
        const names = Object.keys(variants);
        for (let sample = 0; sample < SAMPLES; sample++) {
          for (let i = 0; i < names.length; i++) {
            const which = names[(i + sample) % names.length];
            const begun = performance.now();
            await variants[which]();
            times[which].push(performance.now() - begun);
          }
        }
        const [drained, loaded] = [median(times.drain), median(times.weir)];
        const ratio = loaded / drained;
        const rate = Math.round(ROWS / (loaded / 1000));
        log(`   drain ${formatMs(drained)}; weir ${formatMs(loaded)} (${rate.toLocaleString('en')} rows/s) -> ${formatRatio(ratio)} ${ratio <= 1.5 ? 'PASS' : 'MISS'} (target <= 1.5x)`);
        return [{ bench: 'ingestion', measure: `PostgreSQL -> DuckDB load, ${(ROWS / 1e6).toLocaleString('en')}M rows`, value: formatMs(loaded), baseline: `${formatMs(drained)} (COPY drained)`, ratio, target: '<= 1.5x' }];
      } finally {
        await connector.close();
        await engine.close();
      }
    });
  } finally {
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

if (isMain(import.meta.url)) await runIngestBench();
