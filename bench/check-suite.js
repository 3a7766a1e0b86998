/**
 * Benchmark 4: a check suite of 20 checks on a generated 10-column table, on DuckDB and PostgreSQL.
 *
 * Targets (ARCHITECTURE.md section 6, issue #3); a DuckDB CPU-time ratio is printed beside each
 * wall-clock one (DuckDB runs in this process), as a view that other load barely moves:
 * - (a) the 14 cheap checks (nulls, ranges, min/max, mean/stddev, lengths) <= 2x one bare
 *   full-width scan;
 * - (b) all 20 checks <= 1.15x the best hand-written SQL plan for the same checks;
 * - (c) all 20 checks >= 1.2x faster than one query per check (the way dbt tests run) on DuckDB,
 *   >= 1.6x on PostgreSQL;
 * - framework overhead per check <= 1 ms;
 * - checks of an incremental asset judge only the new rows where the check allows it (the gain is
 *   printed);
 * - profiling the table <= 3x the bare scan.
 *
 * The table is generated inside each engine (DuckDB `range()`, PostgreSQL `generate_series` into
 * an UNLOGGED table, then VACUUM (FREEZE, ANALYZE)), with pseudo-random columns from hashes of the row
 * number, so every run measures the same data. Every check passes on it: a passing suite is the
 * common case, and no failing-row samples are fetched. "Weir" is `evaluateChecks` end to end
 * (planning, the queries, judging) through the engine adapters; every baseline runs its SQL
 * through the same adapter session, so driver costs are the same on both sides. Samples of the
 * variants compared are interleaved (in a rotating order) and the median is taken.
 *
 * Environment:
 * - WEIR_BENCH_ROWS: rows of the DuckDB table (default 10,000,000);
 * - WEIR_BENCH_PG_ROWS: rows of the PostgreSQL table (default 2,000,000, or WEIR_BENCH_ROWS when
 *   smaller): loading 10M rows into PostgreSQL takes minutes on 2 cores;
 * - WEIR_BENCH_SAMPLES: interleaved samples per measurement (default 3; profiling takes one fewer);
 * - WEIR_BENCH_ENGINES: `duckdb`, `postgres` or both (the default), comma-separated;
 * - WEIR_TEST_POSTGRES_URL: the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 *   the benchmark creates a database of its own there and drops it afterwards. When the server
 *   does not answer, the PostgreSQL half is skipped with a message.
 *
 * Usage: node bench/check-suite.js (after `npm run build`).
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { formatMs, formatRatio, formatTable, importCore, isMain, median, withScratch } from './lib/measure.js';

const { openDuckDBAdapter } = await importCore('engines/duckdb/duckdb-adapter.js');
const { openPostgresAdapter } = await importCore('engines/postgres/postgres-adapter.js');
const { evaluateChecks } = await importCore('checks/evaluate-checks.js');
const { postgresAvailable } = await importCore('testing/services.js');
const { planChecks } = await importCore('checks/plan-checks.js');
const { checkDialectFor } = await importCore('checks/check-dialect.js');
const { columnMetricRequests } = await importCore('checks/column-metrics.js');
const { checkableOnNewRows } = await importCore('definitions/check-spec.js');
const profileRelation = await importCore('checks/profile-relation.js').then(
  (module) => module.profileRelation,
  () => undefined,
);

const DUCKDB_ROWS = positiveInt('WEIR_BENCH_ROWS', 10_000_000);
const POSTGRES_ROWS = positiveInt('WEIR_BENCH_PG_ROWS', Math.min(2_000_000, DUCKDB_ROWS));
const SAMPLES = positiveInt('WEIR_BENCH_SAMPLES', 3);
/** Profiling 10M rows takes several scans' time; two samples of it (and of the bare scan beside it). */
const PROFILE_SAMPLES = Math.max(1, SAMPLES - 1);
/** Rows of the tiny table the framework overhead is measured on, and how many evaluations are timed. */
const TINY_ROWS = 100;
const OVERHEAD_ITERATIONS = 200;
/** New rows of an incremental build, as a share of the table. */
const NEW_ROWS_SHARE = 0.01;
const CUSTOMERS = 100_000;
const ENGINES = (process.env.WEIR_BENCH_ENGINES ?? 'duckdb,postgres').split(',').map((name) => name.trim());
const POSTGRES_SERVER = process.env.WEIR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The table and the checks
// ---------------------------------------------------------------------------------------------

const COLUMNS = ['id', 'customer_id', 'amount', 'quantity', 'discount', 'email', 'name', 'country', 'created_at', 'status'];
const STATUSES = ['placed', 'shipped', 'delivered', 'returned', 'cancelled'];
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'NL', 'SE', 'ES', 'IT', 'PL', 'JP'];
const DOMAINS = ['example.com', 'mail.org', 'shop.net'];
/** RE2 (DuckDB) and POSIX (PostgreSQL) read it alike. */
const EMAIL_PATTERN = '^[a-z0-9._]+@[a-z0-9.-]+\\.[a-z]+$';
/**
 * `id` is a permutation of 0..rows-1 (i * PRIME mod rows, with Knuth's multiplicative-hash prime),
 * so the rows are stored in no particular key order, as after most transformations.
 */
const PRIMES = [2_654_435_761, 2_246_822_519];

/**
 * The SELECT generating rows `first`..`first + count - 1` of the table. `h(k)` is a pseudo-random
 * non-negative BIGINT per row and `k`; `pick(list, k)` one element of a literal list.
 */
export function generateSql(engine, { first, count, permuteOver }) {
  const duck = engine === 'duckdb';
  const h = duck ? (k) => `hash(i, ${k})` : (k) => `abs(hashint8extended(i, ${k}))`;
  const int = duck ? 'INTEGER' : 'integer';
  const double = duck ? 'DOUBLE' : 'double precision';
  const text = duck ? 'VARCHAR' : 'text';
  const list = (values) => (duck ? `[${values.map((v) => `'${v}'`).join(', ')}]` : `(ARRAY[${values.map((v) => `'${v}'`).join(', ')}])`);
  const pick = (values, k) => `${list(values)}[1 + CAST(${h(k)} % ${values.length} AS ${int})]`;
  const seconds = `${h(10)} % 31536000`;
  const prime = PRIMES.find((p) => permuteOver === undefined || permuteOver % p !== 0);
  const id = permuteOver === undefined ? 'i' : `(i * ${prime}) % ${permuteOver}`;
  const rows = duck ? `range(${first}, ${first + count}) AS r(i)` : `generate_series(${first}::bigint, ${first + count - 1}::bigint) AS g(i)`;
  return `SELECT
    ${id} AS id,
    CAST(${h(1)} % ${CUSTOMERS} AS ${int}) AS customer_id,
    CAST(${h(2)} % 100000 AS ${double}) / 100 AS amount,
    CAST(1 + ${h(3)} % 50 AS ${int}) AS quantity,
    CASE WHEN ${h(4)} % 100 = 0 THEN NULL ELSE CAST(${h(5)} % 5000 AS ${double}) / 10000 END AS discount,
    'user' || CAST(${h(6)} % 1000000 AS ${text}) || '@' || ${pick(DOMAINS, 7)} AS email,
    'Customer ' || repeat('x', CAST(${h(8)} % 20 AS ${int})) AS name,
    ${pick(COUNTRIES, 9)} AS country,
    TIMESTAMP '2026-01-01 00:00:00' + ${duck ? `to_seconds(CAST(${seconds} AS BIGINT))` : `make_interval(secs => ${seconds})`} AS created_at,
    ${pick(STATUSES, 11)} AS status
  FROM ${rows}`;
}

let checkCounter = 0;
function check(type, fields) {
  checkCounter += 1;
  const subject = fields.column ?? fields.columns?.join('_') ?? '';
  return { name: `${type}_${subject}_${checkCounter}`.replace(/_+/g, '_'), severity: 'error', type, ...fields };
}

/** The 14 cheap checks of target (a): nulls, ranges, min/max, mean/stddev, lengths, one expression. */
export const CHEAP_CHECKS = [
  check('not_null', { column: 'id' }),
  check('not_null', { column: 'email' }),
  check('not_null', { column: 'created_at' }),
  check('between', { column: 'amount', min: 0, max: 1000 }),
  check('between', { column: 'quantity', min: 1, max: 50 }),
  check('between', { column: 'discount', min: 0, max: 0.5 }),
  check('minimum', { column: 'amount', min: 0 }),
  check('maximum', { column: 'quantity', max: 50 }),
  check('mean', { column: 'amount', min: 400, max: 600 }),
  check('stddev', { column: 'amount', max: 400 }),
  check('length', { column: 'name', min: 9, max: 40 }),
  check('length', { column: 'country', min: 2, max: 2 }),
  check('null_proportion', { column: 'discount', max: 0.05 }),
  check('expression', { sql: 'quantity * amount >= 0' }),
];

/** Five of the six others: exact uniqueness, a regex, a value set, a distinct count, the row count. */
const OTHER_CHECKS = [
  check('unique', { columns: ['id'] }),
  check('regex', { column: 'email', pattern: EMAIL_PATTERN }),
  check('accepted_values', { column: 'status', values: STATUSES }),
  check('distinct_count', { column: 'country', min: 5, max: 50 }),
  check('row_count', { min: 1 }),
];

/** The sixth: a foreign key into a table of 100,000 customers. */
const RELATIONSHIPS_CHECK = check('relationships', { column: 'customer_id', to: 'customers', field: 'customer_id' });

/** Stands in for the foreign key where Weir's relationships query cannot finish (see `probeRelationships`). */
const FRESHNESS_CHECK = check('freshness', { column: 'created_at', maxAgeSeconds: 100 * 365 * 86_400 });

/** The 20 checks; with `foreignKey` false, the freshness check replaces the relationships check. */
export function suiteChecks(foreignKey) {
  return [...CHEAP_CHECKS, ...OTHER_CHECKS, foreignKey ? RELATIONSHIPS_CHECK : FRESHNESS_CHECK];
}

// ---------------------------------------------------------------------------------------------
// Hand-written SQL: the best plans a person would write, and one query per check (dbt style)
// ---------------------------------------------------------------------------------------------

/** The failing-row predicates of the null and range checks, written by hand. */
const SIMPLE_FAILS = [
  'id IS NULL',
  'email IS NULL',
  'created_at IS NULL',
  'NOT (amount >= 0 AND amount <= 1000)',
  'NOT (quantity >= 1 AND quantity <= 50)',
  'NOT (discount >= 0 AND discount <= 0.5)',
];

/**
 * A count of the rows where `predicate` holds, written the fastest way per engine (measured on
 * DuckDB: count_if() costs a quarter of count(*) FILTER (WHERE ...)).
 */
function countWhere(engine, predicate) {
  return engine === 'duckdb' ? `count_if(${predicate})` : `count(*) FILTER (WHERE ${predicate})`;
}

/** The other cheap aggregates written by hand: only what judging needs, each once. */
function otherCheapAggregates(engine) {
  const len = engine === 'duckdb' ? 'length' : 'char_length';
  const where = (predicate) => countWhere(engine, predicate);
  return [
    'min(amount)',
    'max(quantity)',
    'avg(amount)',
    'stddev_samp(amount)',
    where(`NOT (${len}(name) >= 9 AND ${len}(name) <= 40)`),
    where(`NOT (${len}(country) = 2)`),
    'count(discount)',
    where('NOT COALESCE(quantity * amount >= 0, FALSE)'),
    'count(*)',
  ];
}

/**
 * All 14 cheap checks as aggregates of one scan. Nulls are counted as count(*) - count(column)
 * (the count of a column reads only its validity mask; count(*) is in the list already).
 */
function cheapAggregates(engine) {
  const nulls = ['id', 'email', 'created_at'].map((column) => `count(${column})`);
  return [...nulls, ...SIMPLE_FAILS.filter((predicate) => !predicate.endsWith('IS NULL')).map((predicate) => countWhere(engine, predicate)), ...otherCheapAggregates(engine)];
}

function regexFails(engine) {
  return engine === 'duckdb' ? `NOT regexp_matches(email, '${EMAIL_PATTERN}')` : `NOT (email ~ '${EMAIL_PATTERN}')`;
}

const STATUS_LIST = STATUSES.map((status) => `'${status}'`).join(', ');

/** The remaining row-level aggregates (regex, accepted values) that can share the cheap scan. */
function rowAggregates(engine) {
  return [countWhere(engine, regexFails(engine)), countWhere(engine, `status NOT IN (${STATUS_LIST})`)];
}

/**
 * The foreign key written by hand, the fastest way per engine (measured): DuckDB runs a left join
 * keeping the unmatched rows about twice as fast as NOT EXISTS; PostgreSQL turns NOT EXISTS in a
 * WHERE into a hash anti-join, faster than the left join there.
 */
function foreignKeySql(engine, t) {
  return engine === 'duckdb'
    ? `SELECT count(*) FROM ${t.orders} AS o LEFT JOIN ${t.customers} AS c ON c.customer_id = o.customer_id WHERE o.customer_id IS NOT NULL AND c.customer_id IS NULL`
    : `SELECT count(*) FROM ${t.orders} AS o WHERE o.customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${t.customers} AS c WHERE c.customer_id = o.customer_id)`;
}

/**
 * Candidate hand-written plans for all 20 checks, per engine; each is measured and the fastest is
 * the baseline of target (b), so "best" is decided by this run, not assumed.
 */
export function handPlans(engine, t) {
  const select = (aggregates) => `SELECT ${aggregates.join(', ')} FROM ${t.orders}`;
  const freshness = t.foreignKey ? [] : ['max(created_at)'];
  const main = [...cheapAggregates(engine), ...freshness, ...rowAggregates(engine)];
  const foreignKey = t.foreignKey ? [foreignKeySql(engine, t)] : [];
  const plans = {
    // Everything that reads only the table in one scan, the foreign key on its own.
    'one scan': [select([...main, 'count(DISTINCT id)', 'count(id)', 'count(DISTINCT country)']), ...foreignKey],
    // The cheap and row-level aggregates in one scan; each exact distinct count on its own.
    'distincts apart': [select([...main, 'count(id)']), select(['count(DISTINCT id)']), select(['count(DISTINCT country)']), ...foreignKey],
  };
  if (engine === 'duckdb') {
    // An integer key whose range (known from statistics) fits in 2^24 groups by a perfect hash
    // (one array slot per value, no hashing): about twice as fast as count(DISTINCT). DuckDB only
    // does that up to 2^12 unless told; the setting is put back at once.
    plans['unique by perfect hash'] = [
      select([...main, 'count(id)']),
      'SET perfect_ht_threshold = 24',
      `SELECT count(*) FROM (SELECT id FROM ${t.orders} WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1) AS duplicates`,
      'RESET perfect_ht_threshold',
      select(['count(DISTINCT country)']),
      ...foreignKey,
    ];
  } else {
    // PostgreSQL: a DISTINCT aggregate keeps the whole scan in one process (no partial
    // aggregation), and count(DISTINCT) sorts; a low-cardinality column groups by hashing, in
    // parallel, far faster. A unique key sorts faster than it hashes (work_mem is small).
    plans['distincts apart, few values grouped'] = [
      select([...main, 'count(id)']),
      select(['count(DISTINCT id)']),
      `SELECT count(*) FROM (SELECT country FROM ${t.orders} WHERE country IS NOT NULL GROUP BY country) AS d`,
      ...foreignKey,
    ];
  }
  return plans;
}

/**
 * One query per check, as dbt's generic tests (and dbt_utils / dbt_expectations) compile them:
 * each a SELECT of the failing rows (or of the statistic), counted.
 */
export function dbtQueries(engine, t) {
  const o = t.orders;
  const len = engine === 'duckdb' ? 'length' : 'char_length';
  const failures = (where) => `SELECT count(*) AS failures FROM (SELECT * FROM ${o} WHERE ${where}) AS dbt_internal_test`;
  return [
    failures('id IS NULL'),
    failures('email IS NULL'),
    failures('created_at IS NULL'),
    failures('NOT (amount >= 0 AND amount <= 1000)'),
    failures('NOT (quantity >= 1 AND quantity <= 50)'),
    failures('NOT (discount >= 0 AND discount <= 0.5)'),
    `SELECT min(amount) FROM ${o}`,
    `SELECT max(quantity) FROM ${o}`,
    `SELECT avg(amount) FROM ${o}`,
    `SELECT stddev_samp(amount) FROM ${o}`,
    failures(`NOT (${len}(name) >= 9 AND ${len}(name) <= 40)`),
    failures(`NOT (${len}(country) = 2)`),
    `SELECT count(*) FILTER (WHERE discount IS NULL) * 1.0 / count(*) FROM ${o}`,
    failures('NOT COALESCE(quantity * amount >= 0, FALSE)'),
    `SELECT count(*) AS failures FROM (SELECT id AS unique_field, count(*) AS n_records FROM ${o} WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1) AS dbt_internal_test`,
    failures(regexFails(engine)),
    `SELECT count(*) AS failures FROM (SELECT status AS value_field, count(*) AS n_records FROM ${o} GROUP BY status) AS all_values WHERE value_field NOT IN (${STATUS_LIST})`,
    `SELECT count(DISTINCT country) FROM ${o}`,
    `SELECT count(*) FROM ${o}`,
    t.foreignKey
      ? `SELECT count(*) AS failures FROM (SELECT customer_id AS from_field FROM ${o} WHERE customer_id IS NOT NULL) AS child
      LEFT JOIN (SELECT customer_id AS to_field FROM ${t.customers}) AS parent ON child.from_field = parent.to_field WHERE parent.to_field IS NULL`
      : `SELECT max(created_at) FROM ${o}`,
  ];
}

/** One bare full-width scan: min() of every column, so every value of every column is read and compared once. */
export function bareScanSql(t) {
  return `SELECT ${COLUMNS.map((column) => `min(${column})`).join(', ')} FROM ${t.orders}`;
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

/**
 * Times each variant `samples` times, interleaved: sample s runs the variants in an order rotated
 * by s, so load bursts and caches land on all of them. Returns the median wall time per variant
 * and the median CPU time of this process (user + system, ms): DuckDB runs inside the process, so
 * for DuckDB that is the engine's CPU time, which other load on a shared machine barely moves.
 */
async function interleaved(variants, samples) {
  const keys = Object.keys(variants);
  const wall = Object.fromEntries(keys.map((key) => [key, []]));
  const cpu = Object.fromEntries(keys.map((key) => [key, []]));
  for (let sample = 0; sample < samples; sample++) {
    for (let step = 0; step < keys.length; step++) {
      const key = keys[(sample + step) % keys.length];
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      await variants[key]();
      wall[key].push(performance.now() - started);
      const used = process.cpuUsage(cpuStarted);
      cpu[key].push((used.user + used.system) / 1000);
    }
  }
  const medians = (times) => Object.fromEntries(keys.map((key) => [key, median(times[key])]));
  return { wall: medians(wall), cpu: medians(cpu) };
}

/** Runs a list of statements one after the other on `session`, as a script would. */
const runAll = (session, statements) => async () => {
  for (const sql of statements) await session.query(sql);
};

// ---------------------------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------------------------

async function openDuckDB(dir) {
  const engine = await openDuckDBAdapter({ path: join(dir, 'bench.duckdb') });
  return { engine, schema: 'main', rows: DUCKDB_ROWS, close: () => engine.close() };
}

async function onServer(work) {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function openPostgres() {
  const name = `weir_bench_checks_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_SERVER);
  url.pathname = `/${name}`;
  let engine;
  try {
    engine = await openPostgresAdapter({ url: url.toString() });
  } catch (error) {
    await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    throw error;
  }
  return {
    engine,
    schema: 'bench',
    rows: POSTGRES_ROWS,
    database: name,
    close: async () => {
      await engine.close().catch(() => undefined);
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Creates the table, its customers, the new rows of an incremental build and a tiny copy. */
async function createTables(kind, engine, session, schema, rows) {
  const q = (name) => engine.quoteRelation({ schema, name });
  const duck = kind === 'duckdb';
  const table = (name, select) => session.execute(duck ? `CREATE OR REPLACE TABLE ${q(name)} AS ${select}` : `CREATE UNLOGGED TABLE ${q(name)} AS ${select}`);
  if (!duck) await session.execute(`CREATE SCHEMA IF NOT EXISTS ${engine.quoteIdentifier(schema)}`);
  const newRows = Math.max(1, Math.round(rows * NEW_ROWS_SHARE));
  await table('orders', generateSql(kind, { first: 0, count: rows, permuteOver: rows }));
  await table('orders_new', generateSql(kind, { first: rows, count: newRows }));
  await table('orders_tiny', generateSql(kind, { first: 0, count: TINY_ROWS, permuteOver: TINY_ROWS }));
  await table('customers', duck ? `SELECT CAST(i AS INTEGER) AS customer_id FROM range(${CUSTOMERS}) AS r(i)` : `SELECT i::integer AS customer_id FROM generate_series(0, ${CUSTOMERS - 1}) AS g(i)`);
  if (duck) {
    await session.execute('CHECKPOINT');
  } else {
    // Freeze and analyze: set the hint bits now, so that no measured scan writes pages.
    for (const name of ['orders', 'orders_new', 'orders_tiny', 'customers']) await session.execute(`VACUUM (FREEZE, ANALYZE) ${q(name)}`);
  }
  return {
    orders: q('orders'),
    ordersNew: q('orders_new'),
    tiny: q('orders_tiny'),
    customers: q('customers'),
    newRows,
  };
}

// ---------------------------------------------------------------------------------------------
// One engine
// ---------------------------------------------------------------------------------------------

async function benchEngine(kind, opened, log) {
  const { engine, schema, rows } = opened;
  const label = kind === 'duckdb' ? 'DuckDB' : 'PostgreSQL';
  const session = await engine.session();
  try {
    const loadStarted = performance.now();
    const t = await createTables(kind, engine, session, schema, rows);
    log(`-- ${label}: ${rows.toLocaleString('en')} rows x ${COLUMNS.length} columns generated in ${formatMs(performance.now() - loadStarted)} (+ ${t.newRows.toLocaleString('en')} new rows, ${CUSTOMERS.toLocaleString('en')} customers)`);
    const dialect = checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name));
    const columns = (await engine.describe({ schema, name: 'orders' })) ?? [];
    const targetOf = (relationSql) => ({ relationSql, asset: 'orders', relationOf: (name) => engine.quoteRelation({ schema, name }) });
    const weir = (checks, relationSql, extra = {}) => async () => {
      const evaluation = await evaluateChecks(checks, { session, dialect, target: targetOf(relationSql), columns, ...extra });
      // Weir tunes its session for unique keys (dialect.prepare); the dbt-style queries, run on
      // the same session, must not inherit that tuning: dbt would not set it.
      if (kind === 'duckdb') await session.execute('RESET perfect_ht_threshold');
      const failed = evaluation.outcomes.filter((outcome) => !outcome.passed);
      if (failed.length > 0) throw new Error(`checks failed on the generated data: ${failed.map((outcome) => `${outcome.check.name} (${outcome.detail})`).join('; ')}`);
    };
    const metrics = columnMetricRequests(columns, dialect, 'created_at');
    const bare = runAll(session, [bareScanSql(t)]);
    // Warm the caches (DuckDB's buffer manager, PostgreSQL's shared buffers and the OS) once.
    await bare();
    await verifyBaselines(kind, session, t);

    // The foreign key first: where Weir's query for it cannot finish, the suite goes on without it.
    const foreignKey = await probeRelationships(session, weir([RELATIONSHIPS_CHECK], t.orders), foreignKeySql(kind, t));
    t.foreignKey = foreignKey.finished;
    const checks = suiteChecks(t.foreignKey);
    log(
      foreignKey.finished
        ? `   relationships alone: weir ${formatMs(foreignKey.weir)} vs hand-written ${formatMs(foreignKey.hand)} (${formatRatio(foreignKey.weir / foreignKey.hand)})`
        : `   relationships alone: weir did NOT finish in ${formatMs(foreignKey.weir)} (stopped) vs ${formatMs(foreignKey.hand)} hand-written; ` +
            'the suite below uses a freshness check (max(created_at)) in its place, on every side',
    );

    // (a) the cheap checks against one bare scan.
    const { wall: a, cpu: aCpu } = await interleaved(
      { bare, weir: weir(CHEAP_CHECKS, t.orders), 'weir + metrics': weir(CHEAP_CHECKS, t.orders, { metrics }) },
      SAMPLES,
    );
    // DuckDB runs in this process: its CPU time is a second, load-proof view of each ratio.
    const cpuNote = (cpu, value, baseline) => (kind === 'duckdb' ? `, CPU ${formatRatio(cpu[value] / cpu[baseline])}` : '');
    const cpuRatio = (cpu, value, baseline) => (kind === 'duckdb' ? cpu[value] / cpu[baseline] : undefined);
    log(`   (a) bare full-width scan ${formatMs(a.bare)}; weir, 14 cheap checks ${formatMs(a.weir)} (${formatRatio(a.weir / a.bare)}${cpuNote(aCpu, 'weir', 'bare')}); with the ${metrics.length} per-build metrics fused in ${formatMs(a['weir + metrics'])} (${formatRatio(a['weir + metrics'] / a.bare)}${cpuNote(aCpu, 'weir + metrics', 'bare')})`);

    // (b) and (c): the whole suite against the hand-written plans and one query per check; and
    // the same suite as an incremental build runs it.
    const plans = handPlans(kind, t);
    const rowLevel = checks.filter(checkableOnNewRows);
    const rest = checks.filter((one) => !checkableOnNewRows(one));
    const incremental = async () => {
      await weir(rowLevel, t.ordersNew)();
      await weir(rest, t.orders)();
    };
    const { wall: suite, cpu: suiteCpu } = await interleaved(
      {
        weir: weir(checks, t.orders),
        ...Object.fromEntries(Object.entries(plans).map(([name, statements]) => [`hand: ${name}`, runAll(session, statements)])),
        dbt: runAll(session, dbtQueries(kind, t)),
        incremental,
      },
      SAMPLES,
    );
    const handNames = Object.keys(plans).map((name) => `hand: ${name}`);
    const best = handNames.reduce((one, other) => (suite[other] < suite[one] ? other : one));
    const weirPlan = planChecks(checks, [], targetOf(t.orders), dialect);
    log(`   (b) weir, all 20 checks ${formatMs(suite.weir)} in ${weirPlan.queries.length} queries; hand-written plans: ${handNames.map((name) => `${name.slice(6)} ${formatMs(suite[name])}`).join(', ')}; best: ${best.slice(6)} -> ${formatRatio(suite.weir / suite[best])}${cpuNote(suiteCpu, 'weir', best)}`);
    log(`   (c) one query per check (dbt style, 20 queries) ${formatMs(suite.dbt)} -> weir is ${formatRatio(suite.dbt / suite.weir)} faster${kind === 'duckdb' ? ` (CPU ${formatRatio(suiteCpu.dbt / suiteCpu.weir)})` : ''}`);

    // Incremental: the row-level checks on the new rows alone, against the same checks on the table.
    const { wall: onNew, cpu: onNewCpu } = await interleaved({ table: weir(rowLevel, t.orders), 'new rows': weir(rowLevel, t.ordersNew) }, SAMPLES);
    log(
      `   incremental (${t.newRows.toLocaleString('en')} new rows = ${NEW_ROWS_SHARE * 100}%): the ${rowLevel.length} row-level checks on the new rows ${formatMs(onNew['new rows'])} vs on the table ${formatMs(onNew.table)} (${formatRatio(onNew.table / onNew['new rows'])} faster); ` +
        `the suite as an incremental build runs it (those on the new rows, the ${rest.length} others on the table) ${formatMs(suite.incremental)} vs ${formatMs(suite.weir)} (${formatRatio(suite.weir / suite.incremental)} faster)`,
    );

    // Framework overhead: Weir on a tiny table against its own planned SQL run bare.
    const overhead = await frameworkOverhead(session, dialect, targetOf(t.tiny), columns, checks);
    log(`   framework overhead: ${overhead.perCheck.toFixed(3)} ms per check (${formatMs(overhead.weir)} per evaluation of 20 checks on ${TINY_ROWS} rows vs ${formatMs(overhead.raw)} for its ${overhead.queries} queries run bare; planning alone ${(overhead.planning * 1000).toFixed(0)} us)`);

    // Profiling.
    let profile;
    let profileCpu;
    let profileError;
    if (profileRelation === undefined) {
      log('   profiling: skipped (packages/core/dist/checks/profile-relation.js exports no profileRelation)');
    } else {
      const target = { session, kind: engine.kind, quoteIdentifier: (name) => engine.quoteIdentifier(name), relation: t.orders, columns };
      try {
        ({ wall: profile, cpu: profileCpu } = await interleaved({ bare, profile: () => profileRelation(target) }, PROFILE_SAMPLES));
        log(`   profiling the table ${formatMs(profile.profile)} vs the bare scan ${formatMs(profile.bare)} -> ${formatRatio(profile.profile / profile.bare)}${cpuNote(profileCpu, 'profile', 'bare')}`);
      } catch (error) {
        profileError = error instanceof Error ? error.message : String(error);
        log(`   profiling FAILED: ${profileError}`);
      }
    }

    const on = `${label} ${abbreviate(rows)}`;
    const speedup = kind === 'duckdb' ? 1.2 : 1.6;
    const fewer = (ms) => `${formatRatio(ms)} faster`;
    return [
      foreignKey.finished
        ? result(on, 'relationships check alone', foreignKey.weir, foreignKey.hand, kind === 'duckdb' ? 'left join' : 'anti-join', '(info)')
        : { ...result(on, 'relationships check alone', foreignKey.weir, foreignKey.hand, 'anti-join', 'finishes', false), value: `> ${formatMs(foreignKey.weir)}`, note: 'did not finish' },
      { ...result(on, '(a) 14 cheap checks', a.weir, a.bare, 'bare scan', '<= 2x', a.weir / a.bare <= 2), cpu: cpuRatio(aCpu, 'weir', 'bare') },
      { ...result(on, '(a) 14 cheap + build metrics', a['weir + metrics'], a.bare, 'bare scan', '(info)'), cpu: cpuRatio(aCpu, 'weir + metrics', 'bare') },
      { ...result(on, `(b) 20 checks${t.foreignKey ? '' : ' (freshness for fk)'}`, suite.weir, suite[best], best, '<= 1.15x', suite.weir / suite[best] <= 1.15), cpu: cpuRatio(suiteCpu, 'weir', best) },
      {
        ...result(on, `(c) 20 checks${t.foreignKey ? '' : ' (freshness for fk)'}`, suite.weir, suite.dbt, 'dbt style', `>= ${speedup}x faster (<= ${(1 / speedup).toFixed(2)}x)`, suite.dbt / suite.weir >= speedup),
        note: fewer(suite.dbt / suite.weir),
        cpu: cpuRatio(suiteCpu, 'weir', 'dbt'),
      },
      { engine: on, measure: 'overhead per check', value: `${overhead.perCheck.toFixed(3)} ms`, baseline: formatMs(overhead.raw), baselineName: 'raw planned SQL', ratio: overhead.weir / overhead.raw, target: '<= 1 ms', verdict: overhead.perCheck <= 1 ? 'PASS' : 'MISS' },
      { ...result(on, `row-level checks, ${NEW_ROWS_SHARE * 100}% new rows`, onNew['new rows'], onNew.table, 'whole table', '(info)'), note: fewer(onNew.table / onNew['new rows']), cpu: cpuRatio(onNewCpu, 'new rows', 'table') },
      { ...result(on, 'suite, incremental build', suite.incremental, suite.weir, 'full check', '(info)'), note: fewer(suite.weir / suite.incremental), cpu: cpuRatio(suiteCpu, 'incremental', 'weir') },
      profile === undefined
        ? { engine: on, measure: 'profiling', value: profileError === undefined ? 'skipped' : 'FAILED', baseline: '-', baselineName: '-', ratio: undefined, target: '<= 3x', verdict: profileError === undefined ? '-' : 'MISS' }
        : { ...result(on, 'profiling', profile.profile, profile.bare, 'bare scan', '<= 3x', profile.profile / profile.bare <= 3), cpu: cpuRatio(profileCpu, 'profile', 'bare') },
    ];
  } finally {
    await session.close();
  }
}

/**
 * Times Weir's relationships check alone against the hand-written query (the best of two runs
 * each), and stops Weir's query (`session.interrupt()`) when it takes more than 20 times as long
 * plus 2 s: a plan that is quadratic in the rows (a correlated subquery run once per row) would
 * otherwise hold the whole benchmark for hours.
 */
async function probeRelationships(session, weirCheck, handSql) {
  const handTimes = [];
  for (let sample = 0; sample < 2; sample++) {
    const started = performance.now();
    await session.query(handSql);
    handTimes.push(performance.now() - started);
  }
  const hand = Math.min(...handTimes);
  const limit = 20 * hand + 2_000;
  // The best of two on each side; a second try only if the first finished.
  const weirTimes = [];
  for (let sample = 0; sample < 2; sample++) {
    let stopped = false;
    const timer = setTimeout(() => {
      stopped = true;
      void session.interrupt();
    }, limit);
    const started = performance.now();
    try {
      await weirCheck();
    } catch (error) {
      if (!stopped) throw error;
    } finally {
      clearTimeout(timer);
    }
    if (stopped) return { finished: false, weir: performance.now() - started, hand };
    weirTimes.push(performance.now() - started);
  }
  return { finished: true, weir: Math.min(...weirTimes), hand };
}

function result(engine, measure, value, baseline, baselineName, target, passed) {
  return { engine, measure, value: formatMs(value), baseline: formatMs(baseline), baselineName, ratio: value / baseline, target, verdict: passed === undefined ? '' : passed ? 'PASS' : 'MISS' };
}

function abbreviate(rows) {
  if (rows >= 1_000_000 && rows % 100_000 === 0) return `${rows / 1_000_000}M`;
  if (rows >= 1_000 && rows % 100 === 0) return `${rows / 1_000}k`;
  return String(rows);
}

/**
 * A fast wrong answer is no result: the hand-written cheap aggregates must find no failing row,
 * as the checks do (every Weir evaluation throws when a check fails on the generated data).
 */
async function verifyBaselines(kind, session, t) {
  const [row] = await session.query(`SELECT ${SIMPLE_FAILS.map((predicate, index) => `count(*) FILTER (WHERE ${predicate}) AS c${index}`).join(', ')} FROM ${t.orders}`);
  if (Object.values(row ?? {}).some((count) => Number(count) !== 0)) throw new Error(`the hand-written predicates find failing rows the checks do not: ${JSON.stringify(row)}`);
}

/**
 * Weir's cost beyond the engine's: `evaluateChecks` of the 20 checks on a tiny table (so the
 * engine's work is next to nothing) against the very queries it plans, run bare on the same
 * session. Interleaved in blocks of 10; the difference over 20 checks is the overhead per check.
 */
async function frameworkOverhead(session, dialect, target, columns, checks) {
  const plan = planChecks(checks, [], target, dialect);
  const weirOnce = async () => {
    await evaluateChecks(checks, { session, dialect, target, columns });
  };
  const rawOnce = async () => {
    for (const query of plan.queries) await session.query(query.sql, query.params);
  };
  for (let warm = 0; warm < 10; warm++) {
    await weirOnce();
    await rawOnce();
  }
  const weirTimes = [];
  const rawTimes = [];
  const block = 10;
  for (let done = 0; done < OVERHEAD_ITERATIONS; done += block) {
    for (const [run, times] of done % (2 * block) === 0 ? [[weirOnce, weirTimes], [rawOnce, rawTimes]] : [[rawOnce, rawTimes], [weirOnce, weirTimes]]) {
      const started = performance.now();
      for (let index = 0; index < block; index++) await run();
      times.push((performance.now() - started) / block);
    }
  }
  const planningStarted = performance.now();
  for (let index = 0; index < 1_000; index++) planChecks(checks, [], target, dialect);
  const planning = (performance.now() - planningStarted) / 1_000;
  const weir = median(weirTimes);
  const raw = median(rawTimes);
  return { weir, raw, queries: plan.queries.length, perCheck: Math.max(0, weir - raw) / checks.length, planning };
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/**
 * Runs the check-suite benchmark on DuckDB and, when reachable, PostgreSQL; returns summary rows
 * `{ bench, measure, value, baseline, ratio, target }`.
 *
 * @example
 * ```js
 * const rows = await runCheckSuiteBench();
 * ```
 */
export async function runCheckSuiteBench({ log = console.log } = {}) {
  const started = performance.now();
  log(`== check suite: 20 checks on a generated ${COLUMNS.length}-column table; weir (evaluateChecks) vs a bare scan, the best hand-written SQL and one query per check`);
  log(`   rows: DuckDB ${DUCKDB_ROWS.toLocaleString('en')}, PostgreSQL ${POSTGRES_ROWS.toLocaleString('en')} (WEIR_BENCH_ROWS, WEIR_BENCH_PG_ROWS); medians of ${SAMPLES} interleaved samples (${PROFILE_SAMPLES} for profiling)`);
  log(`   machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} at the start`);
  const results = [];
  if (ENGINES.includes('duckdb')) {
    await withScratch('weir-bench-checks-', async (dir) => {
      const duck = await openDuckDB(dir);
      try {
        results.push(...(await benchEngine('duckdb', duck, log)));
      } finally {
        await duck.close();
      }
    });
  }
  if (!ENGINES.includes('postgres')) {
    log('-- PostgreSQL: not selected (WEIR_BENCH_ENGINES)');
  } else if (await postgresAvailable(POSTGRES_SERVER)) {
    const postgres = await openPostgres();
    try {
      log(`-- PostgreSQL: database ${postgres.database} (dropped afterwards)`);
      results.push(...(await benchEngine('postgres', postgres, log)));
    } finally {
      await postgres.close();
    }
  } else {
    log(`-- PostgreSQL: SKIPPED, no server answers at ${redact(POSTGRES_SERVER)} (set WEIR_TEST_POSTGRES_URL)`);
  }
  log('');
  log(
    formatTable(
      ['engine', 'measure', 'weir', 'baseline', 'vs', 'ratio', 'cpu ratio', 'target', ''],
      results.map((row) => [
        row.engine,
        row.measure,
        row.value,
        row.baseline,
        row.baselineName,
        row.ratio === undefined ? '-' : row.note ?? formatRatio(row.ratio),
        row.cpu === undefined ? '-' : row.note === undefined ? formatRatio(row.cpu) : `${formatRatio(1 / row.cpu)} faster`,
        row.target,
        row.verdict,
      ]),
    ),
  );
  log(`   (${formatMs(performance.now() - started)} in all; load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} at the end)`);
  return results.map((row) => ({
    bench: 'checks',
    measure: `${row.engine}: ${row.measure}`,
    value: row.value,
    baseline: row.baseline === '-' ? '-' : `${row.baseline} (${row.baselineName})`,
    ratio: row.ratio,
    target: row.verdict === '' || row.verdict === '-' ? row.target : `${row.target} ${row.verdict}`,
  }));
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

if (isMain(import.meta.url)) {
  await runCheckSuiteBench();
}
