/**
 * The columns an asset produces, as far as Weir can tell without building it. Used to validate
 * checks at load time and, per column, as the first hop of column-level lineage.
 */

/** One upstream column that feeds an output column. */
export interface ColumnSource {
  /** The upstream asset, as named in the project. */
  asset: string;
  /** The upstream column, as DuckDB spells it when the upstream's columns are known, else as written. */
  column: string;
  /** True when values are copied unchanged (`a`, `t.a AS b`, a UNION branch); false when transformed. */
  exact: boolean;
}

/** One column of an asset's output. */
export interface OutputColumn {
  /**
   * The column's name as DuckDB will name it in the built table or view. Names compare ignoring
   * case, as DuckDB's identifiers do; use {@link columnPresence} rather than `===`.
   */
  name: string;
  /** The SQL type, upper-cased as DuckDB prints it, where it is obvious (declared, cast, passed through). */
  type?: string;
  /** False when the name is Weir's best guess (an unaliased expression DuckDB may print differently). */
  nameCertain: boolean;
  /**
   * Upstream columns whose values this column is computed from (the direct inputs of this asset
   * only, never further up); `[]` for constants; undefined when they cannot be told.
   */
  sources?: ColumnSource[];
}

/** What is known about an asset's output columns. */
export interface AssetColumns {
  /** Known columns in output order; every certain name here exists in the built asset. */
  columns: OutputColumn[];
  /**
   * True when `columns` is the whole output with certain names. False means the asset may have
   * more columns than listed (a `*` over an unknown relation, an undeclared TypeScript asset, ...)
   * so a name missing from `columns` is not an error.
   */
  complete: boolean;
  /** When not complete: the first reason, for people (`stg_orders: * over "raw_orders", whose columns are not known`). */
  reason?: string;
  /**
   * Whether columns may exist that are not listed at all (a `*` over unknown columns), as opposed
   * to an incomplete list only because some names are guesses. Set for SQL models; when absent,
   * read it as `!complete`.
   */
  unlisted?: boolean;
}

/**
 * Whether an asset has a column: `present` (listed with a certain name), `missing` (the list is
 * complete and does not hold it: a real error), or `unknown` (the list is incomplete). Names are
 * compared ignoring case, as DuckDB does.
 *
 * @example
 * ```ts
 * const columns = await inferOutputColumns(project.assets, buildAssetGraph(project));
 * if (columnPresence(columns.get('stg_orders'), 'order_id') === 'missing') reportError();
 * ```
 */
export function columnPresence(columns: AssetColumns | undefined, name: string): 'present' | 'missing' | 'unknown' {
  if (columns === undefined) return 'unknown';
  const wanted = name.toLowerCase();
  if (columns.columns.some((column) => column.nameCertain && column.name.toLowerCase() === wanted)) return 'present';
  return columns.complete ? 'missing' : 'unknown';
}
