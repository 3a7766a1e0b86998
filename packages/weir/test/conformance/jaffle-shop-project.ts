/**
 * Turns dbt's classic jaffle_shop (the conformance corpus, read in place) into a Weir project in
 * a folder made by the test. Nothing of jaffle_shop is kept in this repository: the seeds are
 * copied into the project's `data/` at test time and the models are rendered from the corpus.
 *
 * The mapping, dbt to Weir:
 * - `seeds/*.csv` become file sources in `sources/seeds.yaml`, one table per seed, named as dbt
 *   names them (`raw_orders`), so models read them by the same name;
 * - `models/**\/*.sql` keep their paths; `{{ ref('x') }}` becomes `x` and the Jinja of the marts is
 *   rendered (see `render-dbt-jinja.ts`); the result is plain SQL with a `/*--- ---*\/` header;
 * - `materialized` from `dbt_project.yml` (table, staging: view) becomes `materialization`;
 * - descriptions from `schema.yml` become `description` and `columns` (with `doc()` resolved);
 * - every `schema.yml` test becomes a Weir check: `unique`, `not_null`, `accepted_values` and
 *   `relationships` map one to one.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { readDocBlocks, renderDbtJinja } from './render-dbt-jinja.js';

/** What was written, for the test to compare the run against. */
export interface JaffleShopProject {
  root: string;
  seeds: string[];
  models: Array<{ name: string; materialization: 'view' | 'table'; checks: number }>;
  /** Every test declared in the schema.yml files, counted before any mapping. */
  declaredTests: number;
  /** Weir checks written into model headers. */
  mappedChecks: number;
}

interface DbtColumn {
  name: string;
  description?: string;
  tests?: unknown[];
  data_tests?: unknown[];
}

interface DbtModelEntry {
  name: string;
  description?: string;
  columns?: DbtColumn[];
}

/**
 * Writes the Weir version of the jaffle_shop corpus at `corpusDir` into the empty folder `root`.
 *
 * @example
 * ```ts
 * const project = await writeJaffleShopProject('../shared/conformance/jaffle_shop_classic', tmp);
 * // then: weir run -C tmp
 * ```
 */
export async function writeJaffleShopProject(corpusDir: string, root: string): Promise<JaffleShopProject> {
  await mkdir(join(root, 'data'), { recursive: true });
  await mkdir(join(root, 'sources'), { recursive: true });
  await writeFile(join(root, 'weir.yaml'), 'name: jaffle_shop\n');

  const seeds = (await readdir(join(corpusDir, 'seeds'))).filter((file) => file.endsWith('.csv')).sort();
  for (const seed of seeds) await copyFile(join(corpusDir, 'seeds', seed), join(root, 'data', seed));
  const sources = { source: 'seeds', tables: seeds.map((seed) => ({ name: basename(seed, '.csv'), path: `data/${seed}`, tags: ['seed'] })) };
  await writeFile(join(root, 'sources', 'seeds.yaml'), stringifyYaml(sources));

  const modelsDir = join(corpusDir, 'models');
  const files = await listFiles(modelsDir);
  const docs = new Map<string, string>();
  for (const file of files.filter((name) => name.endsWith('.md'))) {
    for (const [name, text] of readDocBlocks(await readFile(file, 'utf8'))) docs.set(name, text);
  }
  const entries = new Map<string, DbtModelEntry>();
  for (const file of files.filter((name) => basename(name) === 'schema.yml')) {
    const schema = parseYaml(await readFile(file, 'utf8')) as { models?: DbtModelEntry[] };
    for (const entry of schema.models ?? []) entries.set(entry.name, entry);
  }
  const projectConfig = parseYaml(await readFile(join(corpusDir, 'dbt_project.yml'), 'utf8')) as DbtProjectConfig;

  const result: JaffleShopProject = { root, seeds: seeds.map((seed) => basename(seed, '.csv')), models: [], declaredTests: 0, mappedChecks: 0 };
  for (const entry of entries.values()) {
    for (const column of entry.columns ?? []) result.declaredTests += testsOf(column).length;
  }

  for (const file of files.filter((name) => name.endsWith('.sql'))) {
    const name = basename(file, '.sql');
    const folder = relative(modelsDir, dirname(file));
    const entry = entries.get(name);
    const materialization = materializationOf(projectConfig, folder);
    const checks: unknown[] = [];
    const columns: Record<string, string> = {};
    for (const column of entry?.columns ?? []) {
      if (column.description !== undefined) columns[column.name] = renderDbtJinja(column.description, { docs });
      for (const test of testsOf(column)) {
        checks.push(mapTest(name, column.name, test));
      }
    }
    const header: Record<string, unknown> = { materialization };
    if (entry?.description !== undefined) header.description = renderDbtJinja(entry.description, { docs });
    if (Object.keys(columns).length > 0) header.columns = columns;
    if (checks.length > 0) header.checks = checks;
    const sql = renderDbtJinja(await readFile(file, 'utf8'), { docs });
    await mkdir(join(root, 'models', folder), { recursive: true });
    await writeFile(join(root, 'models', folder, `${name}.sql`), `/*---\n${stringifyYaml(header)}---*/\n${sql}`);
    result.models.push({ name, materialization, checks: checks.length });
    result.mappedChecks += checks.length;
  }
  const unmatched = [...entries.keys()].filter((name) => !result.models.some((model) => model.name === name));
  if (unmatched.length > 0) throw new Error(`schema.yml describes models that have no .sql file: ${unmatched.join(', ')}`);
  return result;
}

/** dbt 1.x accepts both spellings; jaffle_shop classic uses `tests`. */
function testsOf(column: DbtColumn): unknown[] {
  return [...(column.tests ?? []), ...(column.data_tests ?? [])];
}

/** One dbt generic test as a Weir check. */
function mapTest(model: string, column: string, test: unknown): unknown {
  if (test === 'unique') return { unique: column };
  if (test === 'not_null') return { not_null: column };
  if (typeof test === 'object' && test !== null && Object.keys(test).length === 1) {
    const [type, args] = Object.entries(test)[0] as [string, Record<string, unknown> | undefined];
    if (type === 'accepted_values' && Array.isArray(args?.values)) {
      return { accepted_values: { column, values: args.values } };
    }
    if (type === 'relationships' && typeof args?.to === 'string' && typeof args.field === 'string') {
      // `to` is itself Jinja (`ref('customers')`): render it to the plain model name.
      return { relationships: { column, to: renderDbtJinja(`{{ ${args.to} }}`), field: args.field } };
    }
  }
  throw new Error(`${model}.${column}: no Weir mapping for the dbt test ${JSON.stringify(test)}`);
}

/** The `models:` part of dbt_project.yml: config keys and, nested, one object per folder. */
interface DbtProjectConfig {
  name: string;
  models?: Record<string, Record<string, unknown>>;
}

/**
 * The `materialized` config that applies to a model in `folder` (relative to models/): the
 * deepest folder that sets it wins, as in dbt. dbt's default is `view`.
 */
function materializationOf(config: DbtProjectConfig, folder: string): 'view' | 'table' {
  let level: Record<string, unknown> | undefined = config.models?.[config.name];
  let materialized: unknown = 'view';
  for (const segment of ['', ...folder.split(/[\\/]/).filter(Boolean)]) {
    if (segment !== '') level = level?.[segment] as Record<string, unknown> | undefined;
    const value = level?.materialized ?? level?.['+materialized'];
    if (value !== undefined) materialized = value;
  }
  if (materialized !== 'view' && materialized !== 'table') throw new Error(`materialized: ${String(materialized)} has no mapping in this test`);
  return materialized;
}

async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(path)));
    else found.push(path);
  }
  return found.sort();
}
