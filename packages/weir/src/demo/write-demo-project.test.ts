/**
 * The demo project, tested without Weir's executor: the data is loaded into an in-memory DuckDB
 * the way the sources file describes it, every model runs in dependency order, the TypeScript
 * asset runs on the result, and every declared check is evaluated by SQL written here. The planted
 * problems must trip exactly the checks they were planted for, and every other check must pass.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
// The demo's asset imports 'weir', which is core's definitions entry; the test reads it from source.
import * as weirDefinitions from '../../../core/src/definitions/index.js';
import type { AssetContext, AssetRow } from '../../../core/src/definitions/index.js';
import { DEMO_SIZE_SPECS } from './demo-data-generator.js';
import { writeDemoProject, type DemoProjectSummary } from './write-demo-project.js';

/** The SQL models in an order where every model comes after the models it reads. */
const MODEL_ORDER = [
  'stg_customers',
  'stg_products',
  'stg_orders',
  'stg_order_items',
  'stg_payments',
  'daily_revenue',
  'daily_channel_revenue',
  'customer_lifetime_value',
  'product_performance',
];

/** Check id (`asset/check name`) of every check that must fail, with its severity and failing rows (seed 42, small). */
const PLANTED_FAILURES = {
  'raw_customers/not_null_email': { severity: 'warn', rows: 4 },
  'stg_customers/email_is_well_formed': { severity: 'warn', rows: 4 },
  'stg_orders/accepted_values_status': { severity: 'warn', rows: 5 },
  'raw_payments/non_negative_amount': { severity: 'warn', rows: 5 },
  'product_performance/unique_product_id': { severity: 'error', rows: 6 },
};

/** Row counts of the small size with the default seed, as the demo README documents them. */
const SMALL_ROW_COUNTS = { customers: 1_000, products: 203, orders: 5_000, order_items: 12_557, payments: 5_000 };

interface DeclaredCheck {
  asset: string;
  name: string;
  severity: 'error' | 'warn';
  type: string;
  columns: string[];
  values: unknown[];
  min?: number;
  max?: number;
  sql?: string;
}

let workDir: string;
let first: DemoProjectSummary;
let second: DemoProjectSummary;
let otherSeed: DemoProjectSummary;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'weir-demo-'));
  const progress: string[] = [];
  first = await writeDemoProject(join(workDir, 'first'), { size: 'small', seed: 42, onProgress: (line) => progress.push(line) });
  second = await writeDemoProject(join(workDir, 'second'), { size: 'small' });
  otherSeed = await writeDemoProject(join(workDir, 'other'), { size: 'small', seed: 7 });
  expect(progress.some((line) => line.startsWith('wrote data/orders.parquet'))).toBe(true);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('writeDemoProject', () => {
  it('writes the files it reports, and nothing else', async () => {
    const listed = (await readdir(first.dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(first.dir.length + 1).split('\\').join('/'))
      .sort();
    expect(listed).toEqual(first.files);
    expect(first.files).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'weir.yaml',
        'sources/shop.yaml',
        'data/customers.csv',
        'data/products.csv',
        'data/orders.parquet',
        'data/order_items.parquet',
        'data/payments.csv',
        'models/marts/customer_segments.ts',
        ...MODEL_ORDER.map((model) => `models/${model.startsWith('stg_') ? 'staging' : 'marts'}/${model}.sql`),
      ]),
    );
    expect(await readFile(join(first.dir, '.gitignore'), 'utf8')).toMatch(/^\.weir\/$/m);
    expect(parseYaml(await readFile(join(first.dir, 'weir.yaml'), 'utf8'))).toMatchObject({ name: 'shop', warehouse: { engine: 'duckdb' } });
  });

  it('writes byte-identical files for the same seed', async () => {
    expect(second.files).toEqual(first.files);
    for (const file of first.files) {
      const a = await readFile(join(first.dir, file));
      const b = await readFile(join(second.dir, file));
      expect(a.equals(b), file).toBe(true);
    }
  });

  it('writes different data for a different seed', async () => {
    for (const file of first.files.filter((name) => name.startsWith('data/'))) {
      const a = await readFile(join(first.dir, file));
      const b = await readFile(join(otherSeed.dir, file));
      expect(a.equals(b), file).toBe(false);
    }
  });

  it('generates the documented row counts for the small size', async () => {
    expect(first.rowCounts).toEqual(SMALL_ROW_COUNTS);
    // Only the number of lines per order depends on the seed.
    expect(otherSeed.rowCounts).toEqual({ ...SMALL_ROW_COUNTS, order_items: expect.any(Number) });
    expect(otherSeed.rowCounts.order_items).toBeGreaterThan(2.3 * 5_000);
    expect(otherSeed.rowCounts.order_items).toBeLessThan(2.7 * 5_000);
    expect(DEMO_SIZE_SPECS.medium.orders).toBe(1_000_000);
    expect(DEMO_SIZE_SPECS.large.orders).toBe(10_000_000);
    const readme = await readFile(join(first.dir, 'README.md'), 'utf8');
    expect(readme).toContain('| data/order_items.parquet | 12,557 | raw_order_items |');
  });

  it('plants the same problems whatever the seed', async () => {
    const negative = await writeDemoProject(join(workDir, 'negative'), { size: 'small', seed: -7 });
    const big = await writeDemoProject(join(workDir, 'big'), { size: 'small', seed: 123_456_789 });
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      for (const project of [first, otherSeed, negative, big]) {
        const file = (name: string): string => quote(join(project.dir, 'data', name));
        const planted = {
          nullEmails: await scalar(db, `SELECT count(*) FROM read_csv(${file('customers.csv')}) WHERE email IS NULL`),
          malformedEmails: await scalar(db, `SELECT count(*) FROM read_csv(${file('customers.csv')}) WHERE email NOT LIKE '%@%'`),
          onHold: await scalar(db, `SELECT count(*) FROM read_parquet(${file('orders.parquet')}) WHERE status = 'on_hold'`),
          negativePayments: await scalar(db, `SELECT count(*) FROM read_csv(${file('payments.csv')}) WHERE amount < 0`),
          duplicatedProducts: await scalar(db, `SELECT count(*) - count(DISTINCT product_id) FROM read_csv(${file('products.csv')})`),
        };
        expect(planted, `seed ${project.seed}`).toEqual({ nullEmails: 4, malformedEmails: 4, onHold: 5, negativePayments: 5, duplicatedProducts: 3 });
      }
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });

  it('refuses to overwrite a project and keeps an existing .gitignore', async () => {
    await expect(writeDemoProject(first.dir, { size: 'small' })).rejects.toThrow(/already has/);
    const dir = join(workDir, 'with-gitignore');
    await mkdir(dir);
    await writeFile(join(dir, '.gitignore'), 'node_modules/');
    await writeDemoProject(dir, { size: 'small' });
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n\n# Weir keeps its local state and the embedded warehouse here\n.weir/\n');
    await expect(writeDemoProject(dir, { size: 'huge' as 'small' })).rejects.toThrow(/unknown demo size/);
    await expect(writeDemoProject(dir, { size: 'small', seed: 1.5 })).rejects.toThrow(/whole number/);
  });
});

describe('the demo models and checks (without the executor)', () => {
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  const checks: DeclaredCheck[] = [];
  const headers = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
    const sources = parseYaml(await readFile(join(first.dir, 'sources/shop.yaml'), 'utf8')) as { tables: Array<Record<string, unknown>> };
    for (const table of sources.tables) {
      const name = String(table.name);
      await db.run(`CREATE TABLE ${name} AS SELECT * FROM ${readerSql(first.dir, table)}`);
      headers.set(name, table);
      checks.push(...declaredChecks(name, table.checks));
    }
    for (const model of MODEL_ORDER) {
      const file = first.files.find((path) => path.endsWith(`/${model}.sql`));
      const text = await readFile(join(first.dir, String(file)), 'utf8');
      const match = /^\/\*---\n([\s\S]*?)\n---\*\/\n/.exec(text);
      expect(match, `${model} has a header block`).not.toBeNull();
      const header = parseYaml(match?.[1] ?? '') as Record<string, unknown>;
      headers.set(model, header);
      checks.push(...declaredChecks(model, header.checks));
      await db.run(`CREATE TABLE ${model} AS ${text.slice(match?.[0].length ?? 0)}`);
    }
  });

  afterAll(() => {
    db.closeSync();
    instance.closeSync();
  });

  it('runs every SQL model the project has', () => {
    const sqlModels = first.files.filter((file) => file.endsWith('.sql')).map((file) => file.replace(/^.*\/|\.sql$/g, ''));
    expect([...sqlModels].sort()).toEqual([...MODEL_ORDER].sort());
  });

  it('documents every model and checks every layer', () => {
    for (const model of MODEL_ORDER) {
      const header = headers.get(model) ?? {};
      expect(header.description, model).toEqual(expect.any(String));
      expect(header.owner, model).toEqual(expect.any(String));
      expect(header.tags, model).toContain(model.startsWith('stg_') ? 'staging' : 'marts');
      expect(Object.keys(header.columns ?? {}).length, model).toBeGreaterThan(0);
    }
    expect(headers.get('daily_revenue')).toMatchObject({
      materialization: 'incremental',
      incremental: { strategy: 'merge', unique_key: 'order_date', cursor: 'last_updated_at' },
    });
    for (const asset of headers.keys()) expect(checks.some((check) => check.asset === asset), asset).toBe(true);
    // Exactly one check of severity error is planted to fail, and it sits on a mart.
    const failingErrors = Object.entries(PLANTED_FAILURES).filter(([, failure]) => failure.severity === 'error');
    expect(failingErrors.map(([id]) => id)).toEqual(['product_performance/unique_product_id']);
  });

  it('fails exactly the planted checks, with their severities, and passes every other', async () => {
    await runCustomerSegments(db, first.dir, checks);
    const failures: Record<string, { severity: string; rows: number }> = {};
    for (const check of checks) {
      const rows = await failingRows(db, check);
      if (rows > 0) failures[`${check.asset}/${check.name}`] = { severity: check.severity, rows };
    }
    expect(failures).toEqual(PLANTED_FAILURES);
    expect(checks.length).toBeGreaterThan(40);
  });

  it('opens the gate once stg_products is fixed as its comment says', async () => {
    const text = await readFile(join(first.dir, 'models/staging/stg_products.sql'), 'utf8');
    const fixed = text
      .replace(/^\/\*---[\s\S]*?---\*\/\n/, '')
      .replace(
        /^from raw_products$/m,
        `from (select *, row_number() over (partition by product_id order by updated_at desc) as version_rank
              from raw_products) as latest`,
      )
      .replace(/^where product_id is not null$/m, 'where product_id is not null and version_rank = 1');
    expect(fixed).toContain('version_rank = 1');
    await db.run(`CREATE SCHEMA fixed; CREATE TABLE fixed.stg_products AS ${fixed}`);
    const mart = await readFile(join(first.dir, 'models/marts/product_performance.sql'), 'utf8');
    await db.run(`SET search_path = 'fixed,main'; CREATE TABLE fixed.product_performance AS ${mart}; SET search_path = 'main'`);
    const gate = checks.find((check) => check.asset === 'product_performance' && check.name === 'unique_product_id');
    expect(gate).toBeDefined();
    expect(await failingRows(db, gate as DeclaredCheck, 'fixed.product_performance')).toBe(0);
    // The fix keeps the newer price of each duplicated product.
    expect(await scalar(db, 'SELECT count(*) FROM fixed.stg_products')).toBe(200);
  });

  it('produces marts with plausible content', async () => {
    const days = await scalar(db, 'SELECT count(*) FROM daily_revenue');
    expect(days).toBeGreaterThan(700);
    expect(days).toBeLessThanOrEqual(731);
    // Revenue agrees across marts: the duplicated products are exactly what product_performance adds.
    const daily = await scalar(db, 'SELECT sum(revenue) FROM daily_revenue');
    const byCustomer = await scalar(db, 'SELECT sum(lifetime_revenue) FROM customer_lifetime_value');
    const byProduct = await scalar(db, 'SELECT sum(revenue) FROM (SELECT DISTINCT product_id, revenue FROM product_performance)');
    expect(byCustomer).toBeCloseTo(daily, 2);
    expect(byProduct).toBeCloseTo(daily, 2);
    const segments = await scalar(db, 'SELECT count(DISTINCT segment) FROM customer_segments');
    expect(segments).toBeGreaterThanOrEqual(6);
  });
});

describe('the customer_segments TypeScript asset', () => {
  it('type-checks against the real defineAsset', async () => {
    const file = join(first.dir, 'models/marts/customer_segments.ts');
    const definitions = fileURLToPath(new URL('../../../core/src/definitions/index.ts', import.meta.url));
    const program = ts.createProgram([file], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts'],
      types: [],
      paths: { weir: [definitions] },
    });
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => `${diagnostic.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    expect(messages).toEqual([]);
  });
});

/** The `read_csv` / `read_parquet` call for a source table, following its options in shop.yaml. */
function readerSql(root: string, table: Record<string, unknown>): string {
  const path = quote(join(root, String(table.path)));
  if (table.format === 'parquet') return `read_parquet(${path})`;
  const options = (table.options ?? {}) as Record<string, unknown>;
  const args = [path, `header = ${options.header === false ? 'false' : 'true'}`, 'auto_detect = false'];
  if (Array.isArray(options.null_strings)) args.push(`nullstr = [${options.null_strings.map((value) => quote(String(value))).join(', ')}]`);
  if (typeof options.timestamp_format === 'string') args.push(`timestampformat = ${quote(options.timestamp_format)}`);
  const columns = Object.entries((options.columns ?? {}) as Record<string, string>).map(([name, type]) => `${quote(name)}: ${quote(type)}`);
  args.push(`columns = {${columns.join(', ')}}`);
  return `read_csv(${args.join(', ')})`;
}

/** Checks as declared (shorthand or object form) turned into one shape, named as the format doc describes. */
function declaredChecks(asset: string, list: unknown): DeclaredCheck[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry: Record<string, unknown>) => {
    const [type, value] = Object.entries(entry)[0] ?? ['', undefined];
    const spec = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { column: value }) as Record<string, unknown>;
    const columnValue = spec.columns ?? spec.column;
    const columns = columnValue === undefined ? [] : Array.isArray(columnValue) ? columnValue.map(String) : [String(columnValue)];
    const name = typeof spec.name === 'string' ? spec.name : [type, ...columns].join('_');
    if (type === 'expression') expect(spec.name, `${asset}: expression checks are named`).toEqual(expect.any(String));
    return {
      asset,
      name,
      type,
      columns,
      severity: spec.severity === 'warn' ? 'warn' : 'error',
      values: Array.isArray(spec.values) ? spec.values : [],
      ...(typeof spec.min === 'number' ? { min: spec.min } : {}),
      ...(typeof spec.max === 'number' ? { max: spec.max } : {}),
      ...(typeof spec.sql === 'string' ? { sql: spec.sql } : {}),
    };
  });
}

/** Rows that break a check (for row_count: 1 when the count is out of range). Hand-written SQL per check type. */
async function failingRows(db: DuckDBConnection, check: DeclaredCheck, table = `"${check.asset}"`): Promise<number> {
  const columns = check.columns.map((column) => `"${column}"`);
  switch (check.type) {
    case 'not_null':
      return scalar(db, `SELECT count(*) FROM ${table} WHERE ${columns.map((column) => `${column} IS NULL`).join(' OR ')}`);
    case 'unique':
      return scalar(
        db,
        `SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM ${table} WHERE ${columns.map((column) => `${column} IS NOT NULL`).join(' AND ')}
         GROUP BY ${columns.join(', ')} HAVING count(*) > 1)`,
      );
    case 'accepted_values': {
      const values = check.values.map((value) => quote(String(value))).join(', ');
      return scalar(db, `SELECT count(*) FROM ${table} WHERE ${columns[0]} IS NOT NULL AND CAST(${columns[0]} AS VARCHAR) NOT IN (${values})`);
    }
    case 'row_count': {
      const rows = await scalar(db, `SELECT count(*) FROM ${table}`);
      return rows < (check.min ?? 0) || rows > (check.max ?? Number.POSITIVE_INFINITY) ? 1 : 0;
    }
    case 'expression':
      return scalar(db, `SELECT count(*) FROM ${table} WHERE NOT coalesce((${check.sql}), false)`);
    default:
      throw new Error(`${check.asset}: check type "${check.type}" is not one of the five the demo may use`);
  }
}

/**
 * Runs the TypeScript asset the way a worker would: transpiled, with `weir` resolved to core's
 * definitions, reading its input in batches from DuckDB; its rows land in a table typed by its
 * declared columns, and its checks join the others.
 */
async function runCustomerSegments(db: DuckDBConnection, root: string, checks: DeclaredCheck[]): Promise<void> {
  const source = await readFile(join(root, 'models/marts/customer_segments.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const moduleExports: Record<string, unknown> = {};
  const requireWeir = (name: string): unknown => {
    if (name !== 'weir') throw new Error(`the asset imports "${name}"; only "weir" is available to it`);
    return weirDefinitions;
  };
  new Function('exports', 'require', outputText)(moduleExports, requireWeir);
  const definitions = Object.values(moduleExports).filter(weirDefinitions.isAssetDefinition);
  expect(Object.keys(moduleExports)).toEqual(['customer_segments']);
  const asset = definitions[0];
  if (!asset) throw new Error('customer_segments.ts exports no defineAsset');
  expect(asset.inputs).toEqual(['customer_lifetime_value']);

  const logs: string[] = [];
  let batches = 0;
  const context: AssetContext = {
    asset: 'customer_segments',
    runId: 'test',
    sql: async (query) => plainRows((await db.runAndReadAll(query)).getRowObjectsJS()),
    read: async function* (input, options) {
      const rows = plainRows((await db.runAndReadAll(`SELECT * FROM "${input}"`)).getRowObjectsJS());
      const size = options?.batchSize ?? 128;
      for (let start = 0; start < rows.length; start += size) {
        batches += 1;
        yield rows.slice(start, start + size);
      }
    },
    append: async () => {
      throw new Error('the demo asset returns its rows');
    },
    log: (message) => logs.push(message),
  };
  const rows = (await asset.run(context)) ?? [];
  expect(batches).toBeGreaterThan(1);
  expect(logs).toEqual([expect.stringMatching(/^scored \d+ customers with orders; \d+ prospects$/)]);
  expect(rows).toHaveLength(1_000);

  const columns = asset.columns ?? {};
  for (const row of rows) expect(Object.keys(row).sort()).toEqual(Object.keys(columns).sort());
  const file = join(root, '.weir-test-segments.ndjson');
  await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
  const struct = Object.entries(columns).map(([name, type]) => `${quote(name)}: ${quote(type)}`).join(', ');
  await db.run(`CREATE TABLE customer_segments AS SELECT * FROM read_json(${quote(file)}, format = 'newline_delimited', columns = {${struct}})`);
  await rm(file);
  checks.push(...declaredChecks('customer_segments', asset.checks));
}

function plainRows(rows: Array<Record<string, unknown>>): AssetRow[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value])));
}

async function scalar(db: DuckDBConnection, sql: string): Promise<number> {
  const rows = (await db.runAndReadAll(sql)).getRows();
  return Number(rows[0]?.[0] ?? Number.NaN);
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
