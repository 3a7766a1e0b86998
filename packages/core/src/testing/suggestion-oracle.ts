/**
 * An independent judge of suggested checks, for tests: given one item of a checks file as YAML
 * reads it (`{ between: { column: amount, min: 0, max: 500, mostly: 0.99 } }`), SQL written here,
 * not by the code under test, counts the rows that break it, and a verdict says whether the check
 * passes. Values are spliced in as quoted literals so that the SQL also runs through `weir query`.
 * Used only by tests.
 */

/** The numbers a verdict is made of. */
export interface OracleVerdict {
  passed: boolean;
  /** Rows breaking the condition (nulls for null_proportion, duplicated rows for unique). */
  failing: number;
  /** The base: non-null rows of the column, or all rows. */
  total: number;
}

/** SQL returning one row, and how to judge that row. */
export interface OracleQuery {
  sql: string;
  judge(row: Record<string, unknown>): OracleVerdict;
}

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (value: unknown): string => (typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`);

/** strptime to PostgreSQL's to_char/to_date template, for the formats suggestions use. */
function pgTemplate(format: string): string {
  return format.replace('%Y', 'YYYY').replace('%m', 'MM').replace('%d', 'DD').replace('%H', 'HH24').replace('%M', 'MI').replace('%S', 'SS').replace('T', '"T"');
}

/** A strptime format with every field as "some digits": the shape a value must have before PostgreSQL parses it. */
function loose(format: string): string {
  return `^${format.replace('%Y', '[0-9]{4}').replace(/%[mdHMS]/g, '[0-9]{2}').replaceAll('.', '[.]')}$`;
}

function unparseable(kind: 'duckdb' | 'postgres', column: string, as: string, format: string | undefined): string {
  if (kind === 'duckdb') {
    if ((as === 'date' || as === 'timestamp') && format) return `try_strptime(${column}, ${literal(format)}) IS NULL`;
    if (as === 'date' || as === 'timestamp') return `TRY_CAST(${column} AS TIMESTAMP) IS NULL`;
    if (as === 'integer') return `TRY_CAST(${column} AS BIGINT) IS NULL`;
    if (as === 'number') return `TRY_CAST(${column} AS DOUBLE) IS NULL`;
    return `NOT json_valid(${column})`;
  }
  // PostgreSQL has no non-failing cast: values of the right shape are parsed for real (a value that
  // cannot be parsed stops the statement, and so fails the test), and must print back the same.
  if ((as === 'date' || as === 'timestamp') && format) {
    const parse = as === 'date' ? 'to_date' : 'to_timestamp';
    return `CASE WHEN ${column} ~ ${literal(loose(format))} THEN to_char(${parse}(${column}, ${literal(pgTemplate(format))}), ${literal(pgTemplate(format))}) <> ${column} ELSE true END`;
  }
  if (as === 'timestamp') return `CAST(${column} AS timestamptz) IS NULL`;
  if (as === 'integer') return `CASE WHEN ${column} ~ '^ *[+-]?[0-9]+ *$' THEN CAST(${column} AS bigint) IS NULL ELSE true END`;
  if (as === 'number') return `CASE WHEN ${column} ~ '^ *[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)? *$' THEN CAST(${column} AS double precision) IS NULL ELSE true END`;
  return `CASE WHEN ${column} ~ '^\\s*[[{]' THEN CAST(${column} AS jsonb) IS NULL ELSE true END`;
}

/** Hours in a `max_age` such as `36h` or `5d`. */
function hoursOf(maxAge: string): number {
  const found = /^(\d+)([hd])$/.exec(maxAge);
  if (!found) throw new Error(`max_age ${maxAge} is not Nh or Nd`);
  return Number(found[1]) * (found[2] === 'd' ? 24 : 1);
}

/**
 * The oracle for one checks-file item on `relation` (a quoted relation name or a plain view name).
 *
 * @example
 * ```ts
 * const oracle = oracleFor({ not_null: ['id', 'email'] }, 'duckdb', '"main"."orders"');
 * const [row] = await session.query(oracle.sql);
 * expect(oracle.judge(row!).passed).toBe(true);
 * ```
 */
export function oracleFor(item: Record<string, unknown>, kind: 'duckdb' | 'postgres', relation: string, now = new Date()): OracleQuery {
  const [type, raw] = Object.entries(item)[0] ?? [];
  const args: Record<string, unknown> = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : { column: raw };
  const mostly = typeof args.mostly === 'number' ? args.mostly : 1;
  const columns = ([] as unknown[]).concat(args.column ?? args.columns ?? []).map(String);
  const column = ident(columns[0] ?? '');
  const tolerated = (failing: number, total: number): boolean => total === 0 || (total - failing) / total >= mostly - 1e-12;
  const counts = (failingSql: string, base = `count(${column})`): OracleQuery => ({
    sql: `SELECT ${base} AS total, count(*) FILTER (WHERE ${column} IS NOT NULL AND (${failingSql})) AS failing FROM ${relation}`,
    judge: (row) => {
      const [failing, total] = [Number(row.failing), Number(row.total)];
      return { passed: tolerated(failing, total), failing, total };
    },
  });
  switch (type) {
    case 'row_count':
      return {
        sql: `SELECT count(*) AS total FROM ${relation}`,
        judge: (row) => {
          const total = Number(row.total);
          const passed = total >= Number(args.min ?? 0) && (args.max === undefined || total <= Number(args.max));
          return { passed, failing: passed ? 0 : total, total };
        },
      };
    case 'not_null':
      return {
        sql: `SELECT count(*) AS total, ${columns.map((name) => `count(*) FILTER (WHERE ${ident(name)} IS NULL)`).join(' + ')} AS failing FROM ${relation}`,
        judge: (row) => {
          const [failing, total] = [Number(row.failing), Number(row.total)];
          return { passed: tolerated(failing, total), failing, total };
        },
      };
    case 'unique': {
      const keys = columns.map(ident).join(', ');
      const present = columns.map((name) => `${ident(name)} IS NOT NULL`).join(' AND ');
      return {
        sql: `SELECT (SELECT count(*) FROM ${relation} WHERE ${present}) AS total,
                     (SELECT COALESCE(sum(n), 0) FROM (SELECT count(*) AS n FROM ${relation} WHERE ${present} GROUP BY ${keys} HAVING count(*) > 1) AS d) AS failing`,
        judge: (row) => {
          const [failing, total] = [Number(row.failing), Number(row.total)];
          return { passed: tolerated(failing, total), failing, total };
        },
      };
    }
    case 'accepted_values':
      return counts(`CAST(${column} AS VARCHAR) NOT IN (${(args.values as unknown[]).map((value) => literal(String(value))).join(', ')})`);
    case 'between': {
      const below = args.min === undefined ? 'false' : `${column} ${args.strict_min ? '<=' : '<'} ${literal(args.min)}`;
      const above = args.max === undefined ? 'false' : `${column} ${args.strict_max ? '>=' : '>'} ${literal(args.max)}`;
      return counts(`${below} OR ${above}`);
    }
    case 'regex':
      return counts(kind === 'duckdb' ? `NOT regexp_matches(${column}, ${literal(args.pattern)})` : `NOT (${column} ~ ${literal(args.pattern)})`);
    case 'length':
      return counts(`length(${column}) < ${literal(args.min ?? 0)} OR length(${column}) > ${literal(args.max ?? 2 ** 31)}`);
    case 'parseable':
      return counts(unparseable(kind, column, String(args.as), typeof args.format === 'string' ? args.format : undefined));
    case 'null_proportion':
      return {
        sql: `SELECT count(*) AS total, count(*) FILTER (WHERE ${column} IS NULL) AS failing FROM ${relation}`,
        judge: (row) => {
          const [failing, total] = [Number(row.failing), Number(row.total)];
          return { passed: total === 0 || failing / total <= Number(args.max), failing, total };
        },
      };
    case 'freshness':
      return {
        sql: `SELECT max(${column}) AS newest, count(*) AS total FROM ${relation}`,
        judge: (row) => {
          const newest = row.newest instanceof Date ? row.newest : new Date(String(row.newest));
          const passed = (now.getTime() - newest.getTime()) / 3_600_000 <= hoursOf(String(args.max_age));
          return { passed, failing: passed ? 0 : 1, total: Number(row.total) };
        },
      };
    default:
      throw new Error(`the oracle does not know the check type ${String(type)}`);
  }
}
