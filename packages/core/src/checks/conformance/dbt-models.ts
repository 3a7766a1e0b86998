/**
 * The data of the dbt packages' integration tests as engine tables: seed CSVs loaded with the
 * engine's own reader, and models rendered from the small subset of Jinja they use (refs, type
 * macros, `current_timestamp` arithmetic, date spines) into plain SQL for the engine Weir runs
 * on, as dbt's adapter for that engine (`dbt-duckdb`) would render them.
 *
 * "Now" is fixed by the caller: the recency models are relative to the clock, and freezing it
 * makes the freshness cases reproducible.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { EngineAdapter } from '../../engines/engine-adapter.js';

/** What rendering needs: the frozen clock. */
export interface RenderContext {
  now: Date;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as a SQL timestamp literal. */
function timestampLiteral(date: Date): string {
  return `TIMESTAMP '${date.toISOString().slice(0, 19).replace('T', ' ')}'`;
}

/** Midnight (UTC) of the clock's day. */
function today(context: RenderContext): Date {
  return new Date(Date.UTC(context.now.getUTCFullYear(), context.now.getUTCMonth(), context.now.getUTCDate()));
}

/** dbt_date's `get_base_dates(n_dateparts=N, datepart='day')`: days from today - N to today. */
function baseDates(parts: number, context: RenderContext): string {
  const start = timestampLiteral(new Date(today(context).getTime() - parts * 86_400_000));
  const end = timestampLiteral(new Date(today(context).getTime() + 86_400_000));
  return `SELECT CAST(range AS TIMESTAMP) AS date_day FROM range(${start}, ${end}, INTERVAL 1 DAY)`;
}

/** Models whose Jinja is a program (`{% set %}` over Python's datetime) rather than a template. */
const MODEL_OVERRIDES: Record<string, (context: RenderContext) => string> = {
  // 10 days of hours up to (not including) today's midnight, as the model's `{% set %}` lines compute.
  timeseries_hourly: (context) => {
    const end = today(context);
    const start = new Date(end.getTime() - 10 * 86_400_000);
    return `SELECT CAST(range AS TIMESTAMP) AS date_hour FROM range(${timestampLiteral(start)}, ${timestampLiteral(end)}, INTERVAL 1 HOUR)`;
  },
};

/** `{{ ... }}` expressions the models use, with their rendering. */
const EXPRESSIONS: Array<[RegExp, (context: RenderContext, ...groups: string[]) => string]> = [
  [/^config\(.*\)$/s, () => ''],
  [/^ref\(\s*['"]([\w]+)['"]\s*\)$/, (_context, name) => name as string],
  [/^dbt\.type_float\(\)$/, () => 'DOUBLE'],
  [/^dbt\.type_string\(\)$/, () => 'VARCHAR'],
  [/^dbt\.type_int\(\)$/, () => 'INTEGER'],
  [/^(dbt|dbt_expectations)\.type_(timestamp|datetime)\(\)$/, () => 'TIMESTAMP'],
  [/^dbt\.current_timestamp\(\)$/, (context) => timestampLiteral(context.now)],
  [/^dbt\.dateadd\(\s*'(\w+)',\s*(-?\d+),\s*dbt\.current_timestamp\(\)\s*\)$/, (context, part, amount) => `(${timestampLiteral(context.now)} + INTERVAL (${amount}) ${part})`],
  [/^dbt\.date_trunc\(\s*'(\w+)',\s*'(\w+)'\s*\)$/, (_context, part, column) => `date_trunc('${part}', ${column})`],
  [/^dbt_expectations\.rand\(\)$/, () => 'random()'],
  [/^dbt_expectations\.log_natural\(\s*'([^']*)'\s*\)$/, (_context, expression) => `ln(${expression})`],
  [/^dbt_date\.generate_series\(\s*upper_bound\s*=\s*(\d+)\s*\)$/, (_context, upper) => `SELECT CAST(range AS INTEGER) AS generated_number FROM range(1, ${Number(upper) + 1})`],
  [/^dbt_date\.get_base_dates\(\s*n_dateparts\s*=\s*(\d+),\s*datepart\s*=\s*'day'\s*\)$/, (context, parts) => baseDates(Number(parts), context)],
];

/**
 * Renders a model's Jinja-SQL. Anything outside the known subset is an error, never passed on.
 *
 * @example
 * ```ts
 * renderDbtSql("select * from {{ ref('seed_a') }}", { now }); // 'select * from seed_a'
 * ```
 */
export function renderDbtSql(sql: string, context: RenderContext): string {
  const rendered = sql.replace(/\{\{(.*?)\}\}/gs, (whole, inner: string) => {
    const expression = inner.trim();
    for (const [pattern, render] of EXPRESSIONS) {
      const match = pattern.exec(expression);
      if (match !== null) return render(context, ...match.slice(1));
    }
    throw new Error(`unsupported Jinja in model: ${whole}`);
  });
  if (/\{%|\{\{/.test(rendered)) throw new Error('unsupported Jinja statement in model');
  return rendered;
}

/**
 * The models a model's SQL refers to with `ref()`.
 *
 * @example
 * ```ts
 * refsOf("select * from {{ ref('a') }} join {{ ref(\"b\") }}"); // ['a', 'b']
 * ```
 */
export function refsOf(sql: string): string[] {
  return [...sql.matchAll(/ref\(\s*['"](\w+)['"]\s*\)/g)].map((match) => match[1] as string);
}

/**
 * The name of a model or seed a `ref('x')` argument points to (test arguments spell it as text).
 *
 * @example
 * ```ts
 * refName("ref('data_people')"); // 'data_people'
 * ```
 */
export function refName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\s*ref\(\s*['"](\w+)['"]\s*\)\s*$/.exec(value)?.[1] ?? undefined;
}

/**
 * Files below `folder` (recursively) whose name ends with `suffix`, sorted; none when it is absent.
 *
 * @example
 * ```ts
 * filesBelow('/work/shared/conformance/dbt_utils/data', '.csv');
 * ```
 */
export function filesBelow(folder: string, suffix: string): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...filesBelow(path, suffix));
    else if (entry.name.endsWith(suffix)) found.push(path);
  }
  return found.sort();
}

/** `+column_types` of each seed in dbt_project.yml (dbt-utils pins timestamps and floats there). */
function seedColumnTypes(projectFile: string): Map<string, Record<string, string>> {
  const types = new Map<string, Record<string, string>>();
  let project: unknown;
  try {
    project = parseYaml(readFileSync(projectFile, 'utf8'));
  } catch {
    return types;
  }
  const visit = (node: unknown, name: string | undefined): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '+column_types' && name !== undefined) types.set(name, value as Record<string, string>);
      else if (!key.startsWith('+')) visit(value, key);
    }
  };
  visit((project as { seeds?: unknown } | undefined)?.seeds, undefined);
  return types;
}

/** What was built: the relations that exist, and the models that failed with why. */
export interface BuiltProject {
  relations: Set<string>;
  failures: Map<string, string>;
}

/**
 * Loads the seeds (`<package>/data/**.csv`) and builds the models (`<package>/models/**.sql`) of a
 * dbt package's integration tests as tables in `schema`, models in dependency order.
 *
 * @example
 * ```ts
 * const built = await buildDbtProject(engine, 'main', '/work/shared/conformance/dbt_utils', { now });
 * ```
 */
export async function buildDbtProject(engine: EngineAdapter, schema: string, folder: string, context: RenderContext): Promise<BuiltProject> {
  const relations = new Set<string>();
  const failures = new Map<string, string>();
  const columnTypes = seedColumnTypes(join(folder, 'dbt_project.yml'));
  for (const file of filesBelow(join(folder, 'data'), '.csv')) {
    const name = basename(file, '.csv');
    const columns = columnTypes.get(name);
    try {
      await engine.loadFiles({ schema, name }, { format: 'csv', paths: [file], ...(columns === undefined ? {} : { columns }) });
      relations.add(name);
    } catch (error) {
      failures.set(name, (error as Error).message);
    }
  }
  const pending = new Map(filesBelow(join(folder, 'models'), '.sql').map((file) => [basename(file, '.sql'), readFileSync(file, 'utf8')]));
  // Build what is ready until nothing more is: a model waits for the models it refs.
  for (let progress = true; progress && pending.size > 0; ) {
    progress = false;
    for (const [name, sql] of pending) {
      if (!refsOf(sql).every((ref) => relations.has(ref) || !pending.has(ref))) continue;
      pending.delete(name);
      progress = true;
      try {
        const rendered = MODEL_OVERRIDES[name]?.(context) ?? renderDbtSql(sql, context);
        await engine.createTableAs({ schema, name }, rendered, schema);
        relations.add(name);
      } catch (error) {
        failures.set(name, (error as Error).message);
      }
    }
  }
  for (const name of pending.keys()) failures.set(name, 'depends on a model that could not be built');
  return { relations, failures };
}
