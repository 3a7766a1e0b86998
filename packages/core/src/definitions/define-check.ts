/**
 * `defineCheck`: checks written in TypeScript, typed to the same shapes as a model header's
 * `checks:` list. The result is that list's item (`{ not_null: 'id' }`), validated by the same
 * parser when the project loads, so YAML and TypeScript can never mean different things.
 */

interface CommonArguments {
  severity?: 'error' | 'warn';
  name?: string;
}

interface RowArguments extends CommonArguments {
  /** The fraction of checked rows that must pass (0.95 tolerates 5%). */
  mostly?: number;
  /** Failing rows tolerated: a number of rows, or a percentage like `'2%'`. */
  max_failures?: number | `${number}%`;
  /** Hold failing rows in `<asset>__quarantine` and publish the rest. */
  on_fail?: 'quarantine';
}

interface BoundArguments {
  min?: number;
  max?: number;
  strict_min?: boolean;
  strict_max?: boolean;
}

type Columns = string | string[];
type Statistic = CommonArguments & BoundArguments & { column: string };

/** The arguments of each check type, as in YAML. */
export interface CheckArguments {
  not_null: Columns | (RowArguments & { column: Columns });
  unique: Columns | (CommonArguments & { column: Columns; mostly?: number; max_failures?: number | `${number}%` });
  accepted_values: RowArguments & { column: string; values: Array<string | number | boolean> };
  not_accepted_values: RowArguments & { column: string; values: Array<string | number | boolean> };
  between: RowArguments & BoundArguments & { column: string };
  regex: RowArguments & { column: string; pattern: string };
  not_regex: RowArguments & { column: string; pattern: string };
  length: RowArguments & BoundArguments & { column: string };
  parseable: RowArguments & { column: string; as: 'date' | 'timestamp' | 'number' | 'integer' | 'json'; format?: string };
  relationships: RowArguments & { column: string; to: string; field: string; where?: string };
  row_count: CommonArguments & BoundArguments & { equal_to?: string; fewer_than?: string };
  freshness: CommonArguments & { column?: string; max_age?: string | number; expected_every?: string | number };
  distinct_count: Statistic;
  unique_proportion: Statistic;
  mean: Statistic;
  median: Statistic;
  stddev: Statistic;
  sum: Statistic;
  minimum: Statistic;
  maximum: Statistic;
  quantile: Statistic & { quantile: number };
  null_proportion: Statistic;
  expression: string | (RowArguments & { sql: string });
  custom_sql: string | (CommonArguments & { sql: string; max_failures?: number | `${number}%` });
  schema: CommonArguments & { columns: Record<string, string>; on_drift?: 'fail' | 'warn' | 'allow_additive' };
  spc:
    | string
    | (CommonArguments & {
        metric: string;
        column?: string;
        baseline_points?: number;
        min_points?: number;
        rules?: Array<1 | 2 | 3 | 4>;
        absolute_floor?: number;
        relative_floor?: number;
        seasonality?: 'none' | 'day_of_week';
      });
}

/** One declared check: the item a `checks:` list holds. */
export type CheckDeclaration = { readonly [Type in keyof CheckArguments]?: CheckArguments[Type] };

/**
 * Declares a check for a TypeScript asset's `checks` list.
 *
 * @example
 * ```ts
 * export const payments = defineAsset({
 *   checks: [defineCheck('not_null', 'payment_id'), defineCheck('between', { column: 'amount', min: 0, mostly: 0.99 })],
 *   run: async () => rows,
 * });
 * ```
 */
export function defineCheck<Type extends keyof CheckArguments>(type: Type, args: CheckArguments[Type]): CheckDeclaration {
  return { [type]: args } as CheckDeclaration;
}
