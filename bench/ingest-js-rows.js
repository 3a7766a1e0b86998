/**
 * Benchmark 6: rows produced in JavaScript (HTTP API and stream connectors) into DuckDB.
 *
 * Target (ARCHITECTURE.md section 6): Weir's path >= 0.8x the raw appender rate, for 10 narrow
 * columns (three integers, two doubles, three short strings, a boolean, a timestamp string).
 *
 * - **baseline**: `@duckdb/node-api`'s appender used by hand: per micro-batch one appender on a
 *   table of the right types, `appendInteger` / `appendDouble` / `appendVarchar` /
 *   `appendBoolean` per value (the timestamp string too: DuckDB converts it), `flushSync`.
 * - **weir**: what the HTTP and stream connectors do with a batch of parsed JSON records:
 *   `shapeRecords` (flatten, name and type every field, convert the timestamps to UTC, fit the
 *   batch to the table) and `session.appendRows` (`duckdb-bulk-insert.ts`). The HTTP loader adds
 *   per page a describe of its staging table and a transaction around the append: three
 *   statements, not counted here.
 * - **stream landing**, for information: a stream micro-batch's whole warehouse cost without the
 *   broker, as `ingestStream` does it: `StreamLanding.land` on the load's open landing table
 *   (`shapeRecords`, the rows with their message ids, the check for redelivered ids, dead letters
 *   and positions, in one transaction), against the raw appender in the same samples.
 *
 * Rates are from wall-clock medians; the CPU ratio beside them (process CPU time: JavaScript and
 * DuckDB both run in this process) moves much less when other work loads the machine.
 *
 * Each batch's records are made (JSON text, `JSON.parse`) before its clock starts, so only the
 * write is timed, on both sides. Both write into the same DuckDB (in memory, then a file in a temp
 * folder) through the same connection type; each sample writes a fresh table, dropped afterwards.
 * Variants are interleaved (sample s runs them in an order rotated by s) and medians compared. The
 * weir table is compared with the baseline's (EXCEPT ALL) once per database, so a fast wrong
 * answer is an error, not a result.
 *
 * Variables: WEIR_BENCH_JS_ROWS (default 250,000, which keeps the run near 3 minutes on a busy
 * 2-core machine; 1,000,000 for the full measurement), WEIR_BENCH_LANDING_ROWS (default 50,000),
 * WEIR_BENCH_SAMPLES (default 3).
 *
 * Usage: node bench/ingest-js-rows.js (after `npm run build`).
 */
import { join } from 'node:path';
import { formatRatio, formatTable, importCore, isMain, median, withScratch } from './lib/measure.js';

const { openDuckDBAdapter } = await importCore('engines/duckdb/duckdb-adapter.js');
const { shapeRecords } = await importCore('connectors/records/shape-records.js');
const { StreamLanding, ensureLanding } = await importCore('connectors/streams/stream-landing.js');

const ROWS = Number(process.env.WEIR_BENCH_JS_ROWS ?? 250_000);
const LANDING_ROWS = Number(process.env.WEIR_BENCH_LANDING_ROWS ?? 50_000);
const SAMPLES = Number(process.env.WEIR_BENCH_SAMPLES ?? 3);
const BATCHES = [1_000, 10_000];
const TARGET = 0.8;

const COUNTRIES = ['NO', 'SE', 'DK', 'FI', 'DE', 'FR', 'NL', 'BE', 'PL', 'ES'];
const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'returned'];
const EPOCH_MS = Date.UTC(2026, 0, 1);

/** The table both sides write, in the column order and types Weir infers from the records. */
const COLUMNS = [
  ['id', 'BIGINT'],
  ['customer_id', 'BIGINT'],
  ['quantity', 'BIGINT'],
  ['amount', 'DOUBLE'],
  ['discount', 'DOUBLE'],
  ['name', 'VARCHAR'],
  ['country', 'VARCHAR'],
  ['status', 'VARCHAR'],
  ['paid', 'BOOLEAN'],
  ['created_at', 'TIMESTAMP'],
];

/** Records `first` .. `first + count - 1` as an API returns them: JSON text, parsed. */
function makeRecords(first, count) {
  const texts = [];
  for (let i = first; i < first + count; i++) {
    const createdAt = new Date(EPOCH_MS + i * 1000).toISOString().replace('.000Z', 'Z');
    texts.push(
      JSON.stringify({
        id: i,
        customerId: (i * 7919) % 100_000,
        quantity: 1 + (i % 20),
        amount: (i % 100_000) / 100 + 0.005,
        discount: (i % 7) / 10 + 0.05,
        name: `customer ${i % 5000}`,
        country: COUNTRIES[i % 10],
        status: STATUSES[i % 5],
        paid: i % 3 !== 0,
        createdAt,
      }),
    );
  }
  return JSON.parse(`[${texts.join(',')}]`);
}

/** The raw appender: each value straight into a table of the right types. */
async function appendRaw(session, table, records) {
  const appender = await session.connection.createAppender(table, 'bench');
  try {
    for (const record of records) {
      appender.appendInteger(record.id);
      appender.appendInteger(record.customerId);
      appender.appendInteger(record.quantity);
      appender.appendDouble(record.amount);
      appender.appendDouble(record.discount);
      appender.appendVarchar(record.name);
      appender.appendVarchar(record.country);
      appender.appendVarchar(record.status);
      appender.appendBoolean(record.paid);
      appender.appendVarchar(record.createdAt);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Weir's path for a page of API records or a batch of messages. */
async function appendWeir(session, table, records, first, columns) {
  const incoming = records.map((record, index) => ({ id: String(first + index), payload: '', record }));
  const batch = shapeRecords(incoming, columns, 'evolve', table);
  if (batch.added.length > 0 || batch.widened.length > 0 || batch.rejected.length > 0) throw new Error(`the batch did not fit the table: ${JSON.stringify({ ...batch, rows: undefined })}`);
  await session.appendRows({ schema: 'bench', name: table }, batch.columns, batch.rows.map((row) => row.row));
}

/** A stream micro-batch's warehouse write, as `ingestStream` does it (no broker), into the load's open `landing`. */
async function landWeir(landing, asset, records, first) {
  const incoming = records.map((record, index) => ({ id: `bench:${first + index + 1}`, payload: '', record }));
  const subjects = new Map(incoming.map((record) => [record.id, 'bench.orders']));
  await landing.land({ runId: 'bench', shape: (columns) => shapeRecords(incoming, columns, 'evolve', asset), subjects, positions: new Map([['bench', String(first + records.length)]]) });
}

/**
 * Writes `rows` records in batches of `size` with `write`; only the writes are timed. Returns the
 * wall-clock ms and the process's CPU ms (JavaScript and DuckDB's threads alike: all in-process).
 */
async function timedBatches(rows, size, write) {
  let wall = 0;
  let cpu = 0;
  for (let first = 0; first < rows; first += size) {
    const records = makeRecords(first, Math.min(size, rows - first));
    const started = performance.now();
    const used = process.cpuUsage();
    await write(records, first);
    const spent = process.cpuUsage(used);
    wall += performance.now() - started;
    cpu += (spent.user + spent.system) / 1000;
  }
  return { wall, cpu };
}

async function benchDatabase(where, path, log) {
  const engine = await openDuckDBAdapter({ path });
  const session = await engine.session();
  const results = [];
  try {
    await session.execute('CREATE SCHEMA bench');
    const columns = COLUMNS.map(([name, type]) => ({ name, type, nullable: true }));
    const definition = COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
    let tables = 0;
    const fresh = async () => {
      const name = `t_${tables++}`;
      await session.execute(`CREATE TABLE bench.${name} (${definition})`);
      return name;
    };
    let verified = false;
    for (const size of BATCHES) {
      const times = { baseline: [], weir: [] };
      const variants = {
        baseline: (table) => timedBatches(ROWS, size, (records) => appendRaw(session, table, records)),
        weir: (table) => timedBatches(ROWS, size, (records, first) => appendWeir(session, table, records, first, columns)),
      };
      const names = Object.keys(variants);
      for (let sample = 0; sample < SAMPLES; sample++) {
        const made = {};
        for (let i = 0; i < names.length; i++) {
          const which = names[(i + sample) % names.length];
          made[which] = await fresh();
          times[which].push(await variants[which](made[which]));
        }
        const [counted] = await session.query(`SELECT (SELECT count(*) FROM bench.${made.weir}) AS weir, (SELECT count(*) FROM bench.${made.baseline}) AS baseline`);
        if (Number(counted.weir) !== ROWS || Number(counted.baseline) !== ROWS) throw new Error(`${where}: wrote ${counted.weir} (weir) and ${counted.baseline} (baseline) rows, expected ${ROWS}`);
        if (!verified) {
          const [diff] = await session.query(
            `SELECT (SELECT count(*) FROM (SELECT * FROM bench.${made.weir} EXCEPT ALL SELECT * FROM bench.${made.baseline})) AS extra,
                    (SELECT count(*) FROM (SELECT * FROM bench.${made.baseline} EXCEPT ALL SELECT * FROM bench.${made.weir})) AS missing`,
          );
          if (Number(diff.extra) !== 0 || Number(diff.missing) !== 0) throw new Error(`${where}: weir's table differs from the baseline's (${diff.extra} rows extra, ${diff.missing} missing)`);
          verified = true;
        }
        for (const table of Object.values(made)) await session.execute(`DROP TABLE bench.${table}`);
      }
      const result = summarise(where, size, 'shape + append', ROWS, times.weir, times.baseline);
      results.push(result);
      log(`   ${where}, batches of ${size.toLocaleString('en')}: baseline ${rate(result.baseline)}, weir ${rate(result.weir)} -> ${formatRatio(result.ratio)} (CPU ${formatRatio(result.cpuRatio)}) ${result.ratio >= TARGET ? 'PASS' : 'MISS'}`);
    }
    // The stream landing: fewer rows, it does more per batch (ids, redelivery check, positions).
    const landing = [];
    const raw = [];
    for (let sample = 0; sample < SAMPLES; sample++) {
      const asset = `bench_landing_${sample}`;
      await ensureLanding(engine, asset);
      const table = await fresh();
      const pair = [
        async () => {
          // One load: the landing table is opened (its columns looked up) once, as `ingestStream` does.
          const open = await StreamLanding.open(engine, asset);
          landing.push(await timedBatches(LANDING_ROWS, BATCHES[0], (records, first) => landWeir(open, asset, records, first)));
        },
        async () => raw.push(await timedBatches(LANDING_ROWS, BATCHES[0], (records) => appendRaw(session, table, records))),
      ];
      for (let i = 0; i < pair.length; i++) await pair[(i + sample) % pair.length]();
      const [counted] = await session.query(`SELECT count(*) AS n FROM weir_ingest.${asset}__landing`);
      if (Number(counted.n) !== LANDING_ROWS) throw new Error(`${where}: landed ${counted.n} rows, expected ${LANDING_ROWS}`);
      await session.execute(`DROP TABLE weir_ingest.${asset}__landing`);
      await session.execute(`DROP TABLE weir_ingest.${asset}__positions`);
      await session.execute(`DROP TABLE bench.${table}`);
    }
    const result = summarise(where, BATCHES[0], 'stream landing', LANDING_ROWS, landing, raw);
    results.push(result);
    log(`   ${where}, stream landing (StreamLanding.land), batches of ${BATCHES[0].toLocaleString('en')}: baseline ${rate(result.baseline)}, weir ${rate(result.weir)} -> ${formatRatio(result.ratio)} (CPU ${formatRatio(result.cpuRatio)}) (information)`);
  } finally {
    await session.close();
    await engine.close();
  }
  return results;
}

/** Rates from the median times; the CPU ratio is the steadier one when other work loads the machine. */
function summarise(where, size, path, rows, weir, baseline) {
  const rateOf = (samples, key) => rows / (median(samples.map((sample) => sample[key])) / 1000);
  return {
    where,
    size,
    path,
    weir: rateOf(weir, 'wall'),
    baseline: rateOf(baseline, 'wall'),
    ratio: rateOf(weir, 'wall') / rateOf(baseline, 'wall'),
    cpuRatio: rateOf(weir, 'cpu') / rateOf(baseline, 'cpu'),
  };
}

function rate(rowsPerSecond) {
  return `${Math.round(rowsPerSecond).toLocaleString('en')} rows/s`;
}

/**
 * Measures Weir's path for rows made in JavaScript against the raw DuckDB appender.
 *
 * @example
 * ```js
 * const rows = await runJsRowsBench();
 * ```
 */
export async function runJsRowsBench({ log = console.log } = {}) {
  log(`== ingestion of rows made in JavaScript: ${ROWS.toLocaleString('en')} rows x 10 columns; weir (shapeRecords + appendRows) vs the raw DuckDB appender`);
  const results = [
    ...(await benchDatabase('in memory', ':memory:', log)),
    ...(await withScratch('weir-bench-js-rows-', (dir) => benchDatabase('file', join(dir, 'warehouse.duckdb'), log))),
  ];
  log('');
  log(
    formatTable(
      ['database', 'batch', 'path', 'weir rows/s', 'appender rows/s', 'ratio', 'CPU ratio', 'target'],
      results.map((result) => [
        result.where,
        result.size.toLocaleString('en'),
        result.path,
        Math.round(result.weir).toLocaleString('en'),
        Math.round(result.baseline).toLocaleString('en'),
        formatRatio(result.ratio),
        formatRatio(result.cpuRatio),
        result.path === 'stream landing' ? '(info)' : `>= ${TARGET}x ${result.ratio >= TARGET ? 'PASS' : 'MISS'}`,
      ]),
    ),
  );
  log('   (ratio: weir rows/s / appender rows/s, higher is better; CPU ratio: the same from process CPU time)');
  return results.map((result) => ({
    bench: 'js rows',
    measure: `${result.path === 'stream landing' ? 'stream landing' : 'rows from JS'}, ${result.where}, batches of ${result.size.toLocaleString('en')}`,
    value: rate(result.weir),
    baseline: `${rate(result.baseline)} (appender)`,
    // A rate: weir's share of the appender's, so here higher is better.
    ratio: result.ratio,
    target: result.path === 'stream landing' ? '(info)' : `>= ${TARGET}x (rate)`,
  }));
}

if (isMain(import.meta.url)) await runJsRowsBench();
