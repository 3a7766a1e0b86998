/**
 * The SQL types of inline fixture rows. A fixture is written as YAML values, which know only
 * numbers, text, booleans and null; the model's SQL needs real column types. A declared type
 * always wins; otherwise the values decide, and values that could mean two things are an error
 * rather than a guess that makes a test pass or fail for the wrong reason.
 */
import type { ConfigIssue } from '../project/config-issues.js';
import type { ValuePath } from '../project/yaml-source.js';
import type { Row } from '../engines/engine-adapter.js';
import type { FixtureColumn } from './model-test-spec.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

type ValueKind = 'integer' | 'fraction' | 'boolean' | 'date' | 'timestamp' | 'text' | 'nested';

/** What {@link inferFixtureColumns} needs to know about the rows beyond their values. */
export interface FixtureRowsSource {
  /** Where the list of rows sits in its file. */
  path: ValuePath;
  /** Types declared under `types:`, by column. */
  declared: Record<string, string>;
  /**
   * Whether the number at a row and column was written with a fraction or an exponent (`5.0`,
   * `1e3`): YAML reads `5.0` as the number 5, yet whoever wrote it meant a decimal column.
   */
  writtenAsFraction(rowIndex: number, column: string): boolean;
}

/**
 * The columns of `rows`, in order of first appearance (declared-only columns last), each with
 * its SQL type: the declared one, else BIGINT for whole numbers, DOUBLE when any number has a
 * fraction, BOOLEAN, DATE for `YYYY-MM-DD` text, TIMESTAMP for `YYYY-MM-DD HH:MM[:SS[.f]]` text
 * (a mix of the two is TIMESTAMP), VARCHAR for other text and for columns that are always null.
 *
 * @example
 * ```ts
 * const { columns } = inferFixtureColumns([{ id: 1, day: '2024-01-01' }], { path: [], declared: {}, writtenAsFraction: () => false });
 * // [{ name: 'id', type: 'BIGINT' }, { name: 'day', type: 'DATE' }]
 * ```
 */
export function inferFixtureColumns(rows: readonly Row[], source: FixtureRowsSource): { columns: FixtureColumn[]; issues: ConfigIssue[] } {
  const names: string[] = [];
  for (const row of rows) for (const name of Object.keys(row)) if (!names.includes(name)) names.push(name);
  for (const name of Object.keys(source.declared)) if (!names.includes(name)) names.push(name);

  const issues: ConfigIssue[] = [];
  const columns = names.map((name): FixtureColumn => {
    const declared = source.declared[name];
    if (declared !== undefined) return { name, type: declared };
    const kinds = new Map<ValueKind, number>();
    rows.forEach((row, rowIndex) => {
      const kind = kindOf(row[name], () => source.writtenAsFraction(rowIndex, name));
      if (kind !== undefined && !kinds.has(kind)) kinds.set(kind, rowIndex);
    });
    const type = typeOf(kinds);
    if (type !== undefined) return { name, type };
    const where = [...kinds.values()].at(-1) ?? 0;
    const held = [...new Set([...kinds.keys()].map(describe))];
    issues.push({
      code: 'CONFIG_INVALID',
      path: [...source.path, where, name],
      message: kinds.has('nested')
        ? `column "${name}" holds lists or mappings; declare its SQL type under "types" (e.g. INTEGER[], JSON, STRUCT(a INTEGER))`
        : `column "${name}" holds ${held.join(' and ')}; write one kind of value, or declare the column's SQL type under "types"`,
    });
    return { name, type: 'VARCHAR' };
  });
  return { columns, issues };
}

function kindOf(value: unknown, writtenAsFraction: () => boolean): ValueKind | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) && !writtenAsFraction() ? 'integer' : 'fraction';
  if (typeof value === 'string') return DATE.test(value) ? 'date' : TIMESTAMP.test(value) ? 'timestamp' : 'text';
  return 'nested';
}

/** The one type the kinds of a column's values agree on, or undefined when they do not. */
function typeOf(kinds: Map<ValueKind, number>): string | undefined {
  const set = new Set(kinds.keys());
  if (set.size === 0) return 'VARCHAR';
  if (set.has('nested')) return undefined;
  const only = (...allowed: ValueKind[]): boolean => [...set].every((kind) => allowed.includes(kind));
  if (only('integer')) return 'BIGINT';
  if (only('integer', 'fraction')) return 'DOUBLE';
  if (only('boolean')) return 'BOOLEAN';
  if (only('date')) return 'DATE';
  if (only('date', 'timestamp')) return 'TIMESTAMP';
  // Dates among other text are text: "2024-01-01" and "n/a" in one column is a VARCHAR column.
  if (only('date', 'timestamp', 'text')) return 'VARCHAR';
  return undefined;
}

function describe(kind: ValueKind): string {
  if (kind === 'integer' || kind === 'fraction') return 'numbers';
  if (kind === 'boolean') return 'booleans';
  return 'text';
}
