/**
 * Fixture tables of a test file. A table is written either as a list of rows or as a mapping
 * with `rows:` or `csv:` (a file next to the test file, or CSV text written inline) and, for
 * inputs, `types:`. Every problem is placed on the exact row or key it is about.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isScalar } from 'yaml';
import { isWeirError } from '../errors/weir-error.js';
import { assertSqlTypeName } from '../engines/sql-type-name.js';
import type { Row } from '../engines/engine-adapter.js';
import { fromZodIssues, type ConfigIssue } from '../project/config-issues.js';
import { formatPath, locatePath, type ValuePath, type YamlSource } from '../project/yaml-source.js';
import { inferFixtureColumns } from './fixture-columns.js';
import type { Fixture } from './model-test-spec.js';
import { existingFixtureSchema, inputFixtureSchema, rowsSchema } from './model-test-schema.js';

/** What a fixture is for: only inputs carry their own column types. */
export type FixtureRole = 'input' | 'existing' | 'expect';

/** Where the fixture is written. */
export interface FixtureContext {
  source: YamlSource;
  /** Absolute folder of the test file: CSV paths are relative to it. */
  folder: string;
}

/**
 * Parses one fixture table written at `at` in the test file. For `expect`, `value` is the
 * `expect:` mapping itself (its `rows:` or `csv:`).
 *
 * @example
 * ```ts
 * const { fixture, issues } = await parseFixture([{ id: 1 }], ['tests', 0, 'given', 'orders'], 'input', context);
 * ```
 */
export async function parseFixture(value: unknown, at: ValuePath, role: FixtureRole, context: FixtureContext): Promise<{ fixture?: Fixture; issues: ConfigIssue[] }> {
  const location = locatePath(context.source, at);
  if (Array.isArray(value) && role !== 'expect') return parseRows(value, at, {}, role, context);
  const schema = role === 'input' ? inputFixtureSchema : existingFixtureSchema;
  const parsed = role === 'expect' ? { success: true as const, data: value as { rows?: unknown; csv?: string } } : schema.safeParse(value);
  if (!parsed.success) {
    const issues = fromZodIssues(parsed.error.issues, value, at);
    // A scalar (or nothing) where a table belongs: say both forms rather than zod's "a mapping".
    if (value === null || typeof value !== 'object') {
      return { issues: [{ code: 'CONFIG_INVALID', path: at, message: `${label(at)}: expected a list of rows, or a mapping with "rows:" or "csv:"` }] };
    }
    return { issues };
  }
  const data = parsed.data as { rows?: unknown; csv?: string; types?: Record<string, string> };
  const types = data.types ?? {};
  const typeIssues = Object.entries(types).flatMap(([column, type]): ConfigIssue[] => {
    try {
      assertSqlTypeName(type, column);
      return [];
    } catch (error) {
      return [{ code: 'CONFIG_INVALID', path: [...at, 'types', column], message: isWeirError(error) ? error.message : String(error), hint: 'use a plain type such as BIGINT, DOUBLE, DECIMAL(18,2), VARCHAR, BOOLEAN, DATE or TIMESTAMP' }];
    }
  });
  if (data.rows !== undefined && data.csv !== undefined) {
    return { issues: [...typeIssues, { code: 'CONFIG_INVALID', path: [...at, 'csv'], message: `${label(at)}: give "rows" or "csv", not both` }] };
  }
  if (data.csv !== undefined) {
    const csv = await parseCsv(data.csv, [...at, 'csv'], context);
    if (csv.issues.length > 0 || typeIssues.length > 0) return { issues: [...typeIssues, ...csv.issues] };
    return { fixture: { kind: 'csv', ...csv.where, types, location }, issues: [] };
  }
  if (data.rows === undefined) {
    if (role === 'input' && Object.keys(types).length > 0) return parseRows([], at, types, role, context, typeIssues);
    const wanted = role === 'input' ? '"rows", "csv", or "types" alone for an empty table' : '"rows" or "csv"';
    return { issues: [...typeIssues, { code: 'CONFIG_INVALID', path: at, message: `${label(at)}: expected ${wanted}` }] };
  }
  return parseRows(data.rows, [...at, 'rows'], types, role, context, typeIssues);
}

function parseRows(value: unknown, at: ValuePath, declared: Record<string, string>, role: FixtureRole, context: FixtureContext, earlier: ConfigIssue[] = []): { fixture?: Fixture; issues: ConfigIssue[] } {
  const parsed = rowsSchema.safeParse(value);
  if (!parsed.success) return { issues: [...earlier, ...fromZodIssues(parsed.error.issues, value, at)] };
  const rows = parsed.data as Row[];
  const issues = [...earlier];
  if (role === 'input') {
    if (rows.length === 0 && Object.keys(declared).length === 0) {
      issues.push({
        code: 'CONFIG_INVALID',
        path: at,
        message: `${label(at)}: an empty table needs its columns`,
        hint: 'write it as { types: { column: TYPE, ... } }: the model still reads its columns',
      });
    }
    const { columns, issues: typeIssues } = inferFixtureColumns(rows, {
      path: at,
      declared,
      writtenAsFraction: (rowIndex, column) => writtenAsFraction(context.source, [...at, rowIndex, column]),
    });
    issues.push(...typeIssues);
    return issues.length > 0 ? { issues } : { fixture: { kind: 'rows', rows, columns, location: locatePath(context.source, at) }, issues };
  }
  const names: string[] = [];
  for (const row of rows) for (const name of Object.keys(row)) if (!names.includes(name)) names.push(name);
  return { fixture: { kind: 'rows', rows, columns: names.map((name) => ({ name, type: '' })), location: locatePath(context.source, at) }, issues };
}

async function parseCsv(csv: string, at: ValuePath, context: FixtureContext): Promise<{ where: { path?: string; text?: string }; issues: ConfigIssue[] }> {
  // CSV text has at least a header line and a line break (a `|` block ends with one); a path has neither.
  if (csv.includes('\n')) return { where: { text: csv }, issues: [] };
  const file = path.resolve(context.folder, csv);
  const found = await stat(file).then((info) => info.isFile(), () => false);
  if (found) return { where: { path: file }, issues: [] };
  return {
    where: {},
    issues: [{ code: 'CONFIG_INVALID', path: at, message: `CSV file "${csv}" does not exist`, hint: 'paths are relative to the folder of the test file; inline CSV text needs a header line and a line break (use "csv: |")' }],
  };
}

function writtenAsFraction(source: YamlSource, at: ValuePath): boolean {
  const node = source.doc.getIn(at as unknown[], true);
  // `source` is the text as written; hex and octal integers have no fraction to speak of.
  return isScalar(node) && typeof node.source === 'string' && !/^[+-]?0[xo]/i.test(node.source) && /[.eE]|inf|nan/i.test(node.source);
}

function label(at: ValuePath): string {
  return `"${formatPath(at)}"`;
}
