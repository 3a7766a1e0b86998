/**
 * Checks as inert data. A check is declared in a model's header block, in a source's YAML, or in a
 * TypeScript asset's definition; all three produce these specs. Compilation to SQL lives in
 * `checks/`; nothing here runs.
 */

/** `error` blocks publication of the asset's new version; `warn` is recorded and the build goes on. */
export type CheckSeverity = 'error' | 'warn';

interface CheckBase {
  /** A stable name, unique within the asset; derived from the type and columns when not given. */
  name: string;
  severity: CheckSeverity;
}

export interface NotNullCheck extends CheckBase {
  type: 'not_null';
  column: string;
}

export interface UniqueCheck extends CheckBase {
  type: 'unique';
  /** One column, or several that are unique together. */
  columns: string[];
}

export interface AcceptedValuesCheck extends CheckBase {
  type: 'accepted_values';
  column: string;
  values: Array<string | number | boolean>;
}

export interface RowCountCheck extends CheckBase {
  type: 'row_count';
  min?: number;
  max?: number;
}

export interface ExpressionCheck extends CheckBase {
  type: 'expression';
  /** A SQL boolean expression that must hold for every row; rows where it is false or NULL fail. */
  sql: string;
}

/** Every check kind of the minimal set. */
export type CheckSpec = NotNullCheck | UniqueCheck | AcceptedValuesCheck | RowCountCheck | ExpressionCheck;

/** The type tags of {@link CheckSpec}. */
export type CheckType = CheckSpec['type'];
