/**
 * Checks as inert data. A check is declared in a model's header block, in a source's YAML, in a
 * `checks/*.yaml` file, or in TypeScript (`defineAsset({ checks })` / `defineCheck`); all of them
 * produce these specs. Planning and compilation to SQL live in `checks/`; nothing here runs.
 */

/** `error` blocks publication of the asset's new version; `warn` is recorded and the build goes on. */
export type CheckSeverity = 'error' | 'warn';

/**
 * How many failing rows a row-level check tolerates before it fails. `fraction` is a share of
 * the rows the check applies to (non-null values for column checks), so `mostly: 0.95` is
 * `{ fraction: 0.05 }`.
 */
export type CheckTolerance = { rows: number } | { fraction: number };

interface CheckBase {
  /** A stable name, unique within the asset; derived from the type and columns when not given. */
  name: string;
  severity: CheckSeverity;
  /** Failing rows allowed (row-level checks only); none when absent. */
  tolerance?: CheckTolerance;
  /**
   * `quarantine`: failing rows are moved to `<asset>__quarantine` and the rest is published.
   * Only for row-level checks of table and incremental assets.
   */
  onFail?: 'quarantine';
  /** Where the check is written (set by the project loader), for errors about it. */
  declaredAt?: { file: string; line?: number; column?: number };
}

export interface NotNullCheck extends CheckBase {
  type: 'not_null';
  column: string;
}

export interface UniqueCheck extends CheckBase {
  type: 'unique';
  /** One column, or several that are unique together. Rows with a NULL key are not compared (as SQL UNIQUE). */
  columns: string[];
}

export interface ValueSetCheck extends CheckBase {
  /** `accepted_values`: every non-null value is in the list; `not_accepted_values`: none is. */
  type: 'accepted_values' | 'not_accepted_values';
  column: string;
  values: Array<string | number | boolean>;
}

/** Bounds shared by range-like checks. At least one bound is set. */
export interface Bounds {
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  strictMin?: boolean;
  /** Exclusive upper bound. */
  strictMax?: boolean;
}

export interface BetweenCheck extends CheckBase, Bounds {
  type: 'between';
  column: string;
}

export interface RegexCheck extends CheckBase {
  /** `regex`: every non-null value matches; `not_regex`: none does. Engine regex syntax (RE2 on DuckDB, POSIX on PostgreSQL). */
  type: 'regex' | 'not_regex';
  column: string;
  pattern: string;
}

export interface LengthCheck extends CheckBase, Bounds {
  type: 'length';
  column: string;
}

/** What a text value must parse as. */
export type ParseTarget = 'date' | 'timestamp' | 'number' | 'integer' | 'json';

export interface ParseableCheck extends CheckBase {
  type: 'parseable';
  column: string;
  as: ParseTarget;
  /** strptime format for dates and timestamps (`%Y-%m-%d`); ISO 8601 when absent. */
  format?: string;
}

export interface RelationshipsCheck extends CheckBase {
  type: 'relationships';
  /** The foreign-key column of this asset. */
  column: string;
  /** The asset holding the referenced key. */
  to: string;
  /** The key column in `to`. */
  field: string;
  /** A SQL condition on this asset's rows: only rows where it holds are checked. */
  where?: string;
}

export interface RowCountCheck extends CheckBase, Bounds {
  type: 'row_count';
  /** The row count equals this other asset's. */
  equalTo?: string;
  /** The row count is smaller than this other asset's. */
  fewerThan?: string;
}

export interface FreshnessCheck extends CheckBase {
  type: 'freshness';
  /** The timestamp column whose newest value is judged. */
  column?: string;
  /** The newest value of `column` is at most this old. */
  maxAgeSeconds?: number;
  /**
   * New data arrives at least this often: the asset's content must have changed within this
   * interval (judged from its publication history; with `column`, from the newest timestamp).
   */
  expectedEverySeconds?: number;
}

/** Aggregate statistics a check can bound. */
export type ColumnStatistic =
  | 'distinct_count'
  | 'unique_proportion'
  | 'mean'
  | 'median'
  | 'stddev'
  | 'sum'
  | 'minimum'
  | 'maximum'
  | 'quantile'
  | 'null_proportion';

export interface StatisticCheck extends CheckBase, Bounds {
  type: ColumnStatistic;
  column: string;
  /** For `quantile`: which one, between 0 and 1. */
  quantile?: number;
}

export interface ExpressionCheck extends CheckBase {
  type: 'expression';
  /** A SQL boolean expression that must hold for every row; rows where it is false or NULL fail. */
  sql: string;
}

export interface CustomSqlCheck extends CheckBase {
  type: 'custom_sql';
  /**
   * A SELECT returning the failing rows. It names this asset and others by their asset names;
   * each name is read from the version under test (this asset) or the published version (others).
   */
  sql: string;
  /** Assets the SQL names, found when the project is loaded. */
  reads: string[];
}

/** What a schema contract does about columns beyond (or differing from) the contract. */
export type SchemaDriftPolicy = 'fail' | 'warn' | 'allow_additive';

export interface SchemaCheck extends CheckBase {
  type: 'schema';
  /** Required columns and their SQL types (compared by type family, e.g. INT4 = INTEGER); `any` accepts every type. */
  columns: Record<string, string>;
  onDrift: SchemaDriftPolicy;
}

/** Day-of-week seasonality or none. */
export type SpcSeasonality = 'none' | 'day_of_week';

export interface SpcCheck extends CheckBase {
  type: 'spc';
  /** An asset metric (`row_count`, `build_seconds`, `freshness_lag_hours`) or a column metric (`null_rate`, ...). */
  metric: string;
  /** For column metrics. */
  column?: string;
  baselinePoints?: number;
  minPoints?: number;
  /** Western Electric rules to apply, 1 to 4; all when absent. */
  rules?: number[];
  absoluteFloor?: number;
  relativeFloor?: number;
  seasonality?: SpcSeasonality;
}

/** Every check kind. */
export type CheckSpec =
  | NotNullCheck
  | UniqueCheck
  | ValueSetCheck
  | BetweenCheck
  | RegexCheck
  | LengthCheck
  | ParseableCheck
  | RelationshipsCheck
  | RowCountCheck
  | FreshnessCheck
  | StatisticCheck
  | ExpressionCheck
  | CustomSqlCheck
  | SchemaCheck
  | SpcCheck;

/** The type tags of {@link CheckSpec}. */
export type CheckType = CheckSpec['type'];

/** Checks judged row by row: they count failing rows, take a tolerance, and can quarantine. */
export type RowLevelCheck = NotNullCheck | ValueSetCheck | BetweenCheck | RegexCheck | LengthCheck | ParseableCheck | ExpressionCheck;

const ROW_LEVEL_TYPES: ReadonlySet<CheckType> = new Set<CheckType>([
  'not_null',
  'accepted_values',
  'not_accepted_values',
  'between',
  'regex',
  'not_regex',
  'length',
  'parseable',
  'expression',
]);

/**
 * True for checks that judge each row on its own (a predicate per row).
 *
 * @example
 * ```ts
 * isRowLevelCheck({ type: 'not_null', column: 'id', name: 'not_null_id', severity: 'error' }); // true
 * ```
 */
export function isRowLevelCheck(check: CheckSpec): check is RowLevelCheck {
  return ROW_LEVEL_TYPES.has(check.type);
}

/**
 * True for checks that hold for a whole relation when they hold for each new batch of rows on its
 * own (given they held for the rows before): incremental builds judge these on the new rows only.
 */
export function checkableOnNewRows(check: CheckSpec): boolean {
  return isRowLevelCheck(check) || check.type === 'relationships';
}

/** The assets a check reads besides its own (they must be built first). */
export function assetsReadByCheck(check: CheckSpec): string[] {
  switch (check.type) {
    case 'relationships':
      return [check.to];
    case 'row_count':
      return [check.equalTo, check.fewerThan].filter((name): name is string => name !== undefined);
    case 'custom_sql':
      return check.reads;
    default:
      return [];
  }
}

/**
 * The other assets an asset's checks read, which must therefore be built before it (and form
 * edges of the asset graph, so that a cycle through a check is found when the project loads).
 */
export function assetsReadByChecks(asset: { name: string; checks: readonly CheckSpec[] }): string[] {
  return [...new Set(asset.checks.flatMap(assetsReadByCheck))].filter((name) => name !== asset.name);
}

/** The columns of the checked asset a check names (for load-time validation). */
export function columnsNamedByCheck(check: CheckSpec): string[] {
  switch (check.type) {
    case 'unique':
      return check.columns;
    case 'schema':
    case 'expression':
    case 'custom_sql':
    case 'row_count':
      return [];
    case 'freshness':
    case 'spc':
      return check.column === undefined ? [] : [check.column];
    default:
      return [check.column];
  }
}
