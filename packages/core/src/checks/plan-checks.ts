/**
 * The check planner: an asset's checks (and its build metrics) compiled to as few queries as the
 * engine runs fastest. Everything cheap shares ONE scan of the relation as filtered counts and
 * aggregates; exact distinct counts are fused or split per engine (`CheckDialect.fuseDistinct`);
 * checks that read other relations (relationships, row counts of other assets, custom SQL) run as
 * their own small queries. Identical expressions are computed once: `unique: id` and
 * `distinct_count: id` share one `count(DISTINCT id)`.
 */
import { isRowLevelCheck, type CheckSpec, type StatisticCheck } from '../definitions/check-spec.js';
import type { CheckDialect } from './check-dialect.js';
import type { MetricRequest } from './column-metrics.js';
import { applicableRowsSql, BoundValues, failingRowPredicate } from './row-predicates.js';

/** What a measured number means for its check. */
export type MeasureRole = 'failing' | 'applicable' | 'value';

/** One output column of a planned query and what it measures. */
export interface Measure {
  alias: string;
  /** The check it belongs to, or a metric key (`metric:<name>[:<column>]`). */
  subject: string;
  role: MeasureRole;
}

/** One query of a plan. */
export interface PlannedQuery {
  sql: string;
  params: unknown[];
  /** For error messages: which checks the query evaluates. */
  purpose: string;
  measures: Measure[];
}

/** The queries evaluating an asset's checks against one relation. The first query is the main scan. */
export interface CheckPlan {
  queries: PlannedQuery[];
}

/** The relation under test and how to read the other assets a check names. */
export interface PlanTarget {
  /** The quoted relation under test. */
  relationSql: string;
  /** The asset under test (a check that names it reads `relationSql`). */
  asset: string;
  /** The quoted relation to read for another asset (its published version). */
  relationOf(asset: string): string;
}

/** The key under which a metric's value is measured. */
export function metricSubject(metric: string, column?: string): string {
  return column === undefined ? `metric:${metric}` : `metric:${metric}:${column}`;
}

/** The rows of the relation, measured by every main scan. */
export const ROWS_SUBJECT = 'rows';

/** A SELECT list that computes each distinct expression once. */
class SelectList {
  readonly measures: Measure[] = [];
  private readonly aliases = new Map<string, string>();
  readonly expressions: string[] = [];

  constructor(
    private readonly prefix: string,
    private readonly dialect: CheckDialect,
  ) {}

  add(expression: string, subject: string, role: MeasureRole): void {
    let alias = this.aliases.get(expression);
    if (alias === undefined) {
      alias = `${this.prefix}${this.aliases.size}`;
      this.aliases.set(expression, alias);
      this.expressions.push(`${expression} AS ${this.dialect.quote(alias)}`);
    }
    this.measures.push({ alias, subject, role });
  }
}

/**
 * Plans the queries for `checks` and the metrics in `metrics` against `target`.
 *
 * @example
 * ```ts
 * const dialect = checkDialectFor('duckdb', (n) => `"${n}"`);
 * const plan = planChecks(asset.checks, [], { relationSql: '"weir_versions"."orders__ab12"', asset: 'orders', relationOf: (a) => `"prod"."${a}"` }, dialect);
 * // plan.queries[0].sql: SELECT count(*) AS "s0", (count(*) - count("id")) AS "s1" FROM ...
 * ```
 */
export function planChecks(checks: readonly CheckSpec[], metrics: readonly MetricRequest[], target: PlanTarget, dialect: CheckDialect): CheckPlan {
  const params = new BoundValues();
  const scan = new SelectList('s', dialect);
  const own: PlannedQuery[] = [];
  scan.add('count(*)', ROWS_SUBJECT, 'value');
  const read = (asset: string): string => (asset === target.asset ? target.relationSql : target.relationOf(asset));

  for (const check of checks) {
    if (isRowLevelCheck(check)) {
      const failing = check.type === 'not_null' ? dialect.countNulls(dialect.quote(check.column)) : dialect.countWhere(failingRowPredicate(check, dialect, params));
      scan.add(failing, check.name, 'failing');
      scan.add(applicableRowsSql(check, dialect), check.name, 'applicable');
      continue;
    }
    switch (check.type) {
      case 'unique': {
        const { keys, notNull } = uniqueKeys(check.columns, dialect);
        if (dialect.uniqueByGroups) {
          const grouped = check.columns.map((column) => dialect.quote(column)).join(', ');
          own.push({
            sql: `SELECT COALESCE(sum(n), 0) AS ${dialect.quote('f')} FROM (SELECT count(*) AS n FROM ${target.relationSql} WHERE ${notNull} GROUP BY ${grouped} HAVING count(*) > 1) AS ${dialect.quote('repeated')}`,
            params: [],
            purpose: check.name,
            measures: [{ alias: 'f', subject: check.name, role: 'failing' }],
          });
          scan.add(check.columns.length === 1 ? `count(${keys})` : dialect.countWhere(notNull), check.name, 'applicable');
          break;
        }
        // One column needs no filter (aggregates skip NULLs), and then shares its count with distinct_count.
        const single = check.columns.length === 1;
        const distinct = single ? `count(DISTINCT ${keys})` : `count(DISTINCT ${keys}) FILTER (WHERE ${notNull})`;
        const nonNull = single ? `count(${keys})` : dialect.countWhere(notNull);
        placeDistinct(distinct, check.name, 'value', { scan, own, target, dialect, purpose: check.name });
        scan.add(nonNull, check.name, 'applicable');
        break;
      }
      case 'distinct_count':
      case 'unique_proportion': {
        const column = dialect.quote(check.column);
        if (dialect.fuseDistinct) scan.add(`count(DISTINCT ${column})`, check.name, 'value');
        else placeOwn(dialect.distinctValuesQuery(column, target.relationSql, 'v'), check.name, own);
        scan.add(`count(${column})`, check.name, 'applicable');
        break;
      }
      case 'null_proportion': {
        const column = dialect.quote(check.column);
        scan.add(dialect.countNulls(column), check.name, 'failing');
        scan.add('count(*)', check.name, 'applicable');
        break;
      }
      case 'mean':
      case 'median':
      case 'stddev':
      case 'sum':
      case 'minimum':
      case 'maximum':
      case 'quantile':
        scan.add(statisticSql(check, dialect), check.name, 'value');
        break;
      case 'freshness':
        if (check.column !== undefined) scan.add(dialect.epochSeconds(`max(${dialect.quote(check.column)})`), check.name, 'value');
        break;
      case 'row_count': {
        const other = check.equalTo ?? check.fewerThan;
        if (other !== undefined) own.push(singleValueQuery(`SELECT count(*) AS ${dialect.quote('v')} FROM ${read(other)}`, check.name));
        break;
      }
      case 'relationships': {
        own.push(relationshipQuery(check, read(check.to), target.relationSql, dialect));
        const column = dialect.quote(check.column);
        scan.add(check.where === undefined ? `count(${column})` : dialect.countWhere(`${column} IS NOT NULL AND (${check.where})`), check.name, 'applicable');
        break;
      }
      case 'custom_sql':
        own.push(customSqlQuery(check.sql, check.reads, read, check.name, dialect));
        break;
      case 'schema':
      case 'spc':
        // Judged from the relation's columns and the metric history, not from a query of their own.
        break;
    }
  }
  for (const request of metrics) scan.add(request.sql, metricSubject(request.metric, request.column), 'value');

  const main: PlannedQuery = {
    sql: `SELECT ${scan.expressions.join(', ')} FROM ${target.relationSql}`,
    params: params.values,
    purpose: [...new Set(scan.measures.map((measure) => measure.subject).filter((subject) => subject !== ROWS_SUBJECT && !subject.startsWith('metric:')))].join(', ') || 'row count and metrics',
    measures: scan.measures,
  };
  return { queries: [main, ...own] };
}

/** The key expression and not-null condition of a (possibly compound) unique key. */
export function uniqueKeys(columns: readonly string[], dialect: CheckDialect): { keys: string; notNull: string } {
  const quoted = columns.map((column) => dialect.quote(column));
  return {
    keys: quoted.length === 1 ? (quoted[0] as string) : `(${quoted.join(', ')})`,
    notNull: quoted.map((column) => `${column} IS NOT NULL`).join(' AND '),
  };
}

interface Placement {
  scan: SelectList;
  own: PlannedQuery[];
  target: PlanTarget;
  dialect: CheckDialect;
  purpose: string;
}

/** Puts an exact distinct count in the main scan or in a query of its own, as the engine prefers. */
function placeDistinct(expression: string, subject: string, role: MeasureRole, placement: Placement): void {
  const { scan, own, target, dialect, purpose } = placement;
  if (dialect.fuseDistinct) {
    scan.add(expression, subject, role);
    return;
  }
  const existing = own.find((query) => query.sql.startsWith(`SELECT ${expression} AS`) && query.sql.endsWith(`FROM ${target.relationSql}`));
  if (existing !== undefined) {
    existing.measures.push({ alias: 'v', subject, role });
    existing.purpose = `${existing.purpose}, ${purpose}`;
    return;
  }
  own.push({ sql: `SELECT ${expression} AS ${dialect.quote('v')} FROM ${target.relationSql}`, params: [], purpose, measures: [{ alias: 'v', subject, role }] });
}

/** A query of its own measuring one value, shared by every check that plans the same SQL. */
function placeOwn(sql: string, subject: string, own: PlannedQuery[]): void {
  const existing = own.find((query) => query.sql === sql);
  if (existing !== undefined) {
    existing.measures.push({ alias: 'v', subject, role: 'value' });
    existing.purpose = `${existing.purpose}, ${subject}`;
    return;
  }
  own.push({ sql, params: [], purpose: subject, measures: [{ alias: 'v', subject, role: 'value' }] });
}

function statisticSql(check: StatisticCheck, dialect: CheckDialect): string {
  const column = dialect.quote(check.column);
  switch (check.type) {
    case 'mean':
      return `avg(${dialect.asDouble(column)})`;
    case 'median':
      return dialect.quantile(column, 0.5);
    case 'quantile':
      return dialect.quantile(column, check.quantile ?? 0.5);
    case 'stddev':
      return `stddev_samp(${dialect.asDouble(column)})`;
    case 'sum':
      return `sum(${dialect.asDouble(column)})`;
    case 'minimum':
      return `min(${column})`;
    default:
      return `max(${column})`;
  }
}

function singleValueQuery(sql: string, check: string): PlannedQuery {
  return { sql, params: [], purpose: check, measures: [{ alias: 'v', subject: check, role: 'value' }] };
}

/**
 * The rows of a relationship that have no parent, as the engine runs an anti-join fastest: a
 * LEFT JOIN on DuckDB, NOT EXISTS in the WHERE clause on PostgreSQL (inside an aggregate FILTER
 * PostgreSQL would run the subquery once per child row).
 */
function relationshipQuery(
  check: Extract<CheckSpec, { type: 'relationships' }>,
  parentSql: string,
  childSql: string,
  dialect: CheckDialect,
): PlannedQuery {
  const column = `${dialect.quote('child')}.${dialect.quote(check.column)}`;
  const field = `${dialect.quote('parent')}.${dialect.quote(check.field)}`;
  const scope = [`${dialect.quote(check.column)} IS NOT NULL`, ...(check.where === undefined ? [] : [`(${check.where})`])].join(' AND ');
  // The filter runs on the child alone, so its unqualified columns can never bind to the parent.
  const children = `(SELECT * FROM ${childSql} WHERE ${scope}) AS ${dialect.quote('child')}`;
  const parent = `${parentSql} AS ${dialect.quote('parent')}`;
  const sql = dialect.antiJoinByLeftJoin
    ? `SELECT count(*) AS ${dialect.quote('f')} FROM ${children} LEFT JOIN ${parent} ON ${field} = ${column} WHERE ${field} IS NULL`
    : `SELECT count(*) AS ${dialect.quote('f')} FROM ${children} WHERE NOT EXISTS (SELECT 1 FROM ${parent} WHERE ${field} = ${column})`;
  return {
    sql,
    params: [],
    purpose: check.name,
    measures: [{ alias: 'f', subject: check.name, role: 'failing' }],
  };
}

/**
 * Custom SQL names assets by their names; a CTE per name makes each read the right version
 * (CTEs shadow tables of the same name), without rewriting the user's SQL.
 */
export function customSqlWith(sql: string, reads: readonly string[], read: (asset: string) => string, dialect: CheckDialect): string {
  const ctes = reads.map((asset) => `${dialect.quote(asset)} AS (SELECT * FROM ${read(asset)})`);
  return ctes.length === 0 ? sql : `WITH ${ctes.join(', ')} ${sql}`;
}

function customSqlQuery(sql: string, reads: readonly string[], read: (asset: string) => string, check: string, dialect: CheckDialect): PlannedQuery {
  const failingRows = customSqlWith(`SELECT count(*) AS ${dialect.quote('f')} FROM (${stripSemicolon(sql)}) AS ${dialect.quote('failing_rows')}`, reads, read, dialect);
  return { sql: failingRows, params: [], purpose: check, measures: [{ alias: 'f', subject: check, role: 'failing' }] };
}

/** User SQL may end with a semicolon; inside a subquery it must not. */
export function stripSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}
