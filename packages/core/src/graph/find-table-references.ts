/**
 * Which assets each SQL model reads, and where in its text: DuckDB parses, Weir resolves the
 * names. Unqualified names must be assets (or CTEs); schema-qualified names and quoted file paths
 * (`from 'data/x.csv'`) are outside the project and are left alone.
 */
import { didYouMean } from '../errors/closest-name.js';
import { WeirError, type SourceLocation } from '../errors/weir-error.js';
import type { SqlAsset, TableReference } from '../project/project-model.js';
import { lineColumnAt, lineText, offsetConverter, utf8OffsetConverter } from '../project/text-position.js';
import { serializeSql, type SerializedSql } from './sql-parser.js';
import { tableMentions } from './table-mentions.js';

/** What parsing found for one model. */
export interface ModelInputs {
  /** Upstream assets: parsed ones in order of first reference, then declared ones. */
  inputs: string[];
  /** True when the parser could not read the query and the header's `inputs:` were used. */
  inputsDeclared: boolean;
  references: TableReference[];
}

/**
 * Parses every model in one DuckDB query and resolves the tables each reads against `assetNames`.
 *
 * `declaredInputs` holds each model's header `inputs:` (by model name). A model with declared
 * inputs that the parser cannot read (SQL of another dialect) keeps them, with no references;
 * otherwise a parser error is `SQL_SYNTAX`. When the parser can read it, declared inputs are
 * added to the parsed ones.
 *
 * @returns the inputs per model name, and one problem per syntax error or unknown table
 *   (`SQL_SYNTAX`, `ASSET_UNKNOWN`), each at the model's `file:line:column`; `statements` holds
 *   the parsed AST node of every model DuckDB could read, for `inferOutputColumns` (one parse).
 * @example
 * ```ts
 * const { byModel, problems } = await findTableReferences(sqlAssets, ['orders', 'revenue']);
 * byModel.get('revenue')?.references; // [{ asset: 'orders', offset: 21, length: 6 }]
 * ```
 */
export async function findTableReferences(
  models: readonly SqlAsset[],
  assetNames: Iterable<string>,
  declaredInputs: ReadonlyMap<string, readonly string[]> = new Map(),
): Promise<{ byModel: Map<string, ModelInputs>; problems: WeirError[]; statements: Map<string, unknown> }> {
  const names = new Map([...assetNames].map((name) => [name.toLowerCase(), name]));
  const parsed = await serializeSql(models.map((model) => model.sql));
  const byModel = new Map<string, ModelInputs>();
  const problems: WeirError[] = [];
  const statements = new Map<string, unknown>();
  models.forEach((model, index) => {
    const serialized = parsed[index];
    const result = resolveModel(model, serialized, declaredInputs.get(model.name) ?? [], names, problems);
    if (result !== undefined) byModel.set(model.name, result);
    if (serialized !== undefined && !serialized.error && serialized.statements.length === 1) statements.set(model.name, serialized.statements[0]?.node);
  });
  return { byModel, problems, statements };
}

function resolveModel(
  model: SqlAsset,
  parsed: SerializedSql | undefined,
  declared: readonly string[],
  names: Map<string, string>,
  problems: WeirError[],
): ModelInputs | undefined {
  if (parsed === undefined || parsed.error || parsed.statements.length !== 1) {
    if (declared.length > 0) return { inputs: [...declared], inputsDeclared: true, references: [] };
    problems.push(syntaxError(model, parsed));
    return undefined;
  }
  const toChar = utf8OffsetConverter(model.sql);
  const found: Array<{ asset: string; offset: number | undefined; length: number | undefined; aliased: boolean }> = [];
  let failed = false;
  for (const mention of tableMentions(parsed.statements[0]?.node)) {
    if (mention.catalog !== '' || mention.schema !== '') continue;
    const offset = mention.byteOffset === undefined ? undefined : toChar(mention.byteOffset);
    if (offset !== undefined && model.sql[offset] === "'") continue;
    const asset = names.get(mention.name.toLowerCase());
    if (asset === undefined) {
      failed = true;
      problems.push(
        new WeirError('ASSET_UNKNOWN', `model "${model.name}" reads "${mention.name}", which is neither an asset of this project nor a CTE`, {
          location: sqlLocation(model, offset),
          hint: didYouMean(mention.name, names.values()) ?? 'tables outside the project must be qualified with their schema, like main.my_table',
        }),
      );
      continue;
    }
    found.push({ asset, offset, length: offset === undefined ? undefined : nameLengthAt(model.sql, offset, asset), aliased: mention.aliased });
  }
  if (failed) return undefined;
  found.sort((left, right) => (left.offset ?? Infinity) - (right.offset ?? Infinity));
  const references = found
    .filter((entry): entry is TableReference => entry.offset !== undefined && entry.length !== undefined)
    .map(({ asset, offset, length, aliased }) => ({ asset, offset, length, aliased }));
  const inputs = [...new Set([...found.map((entry) => entry.asset), ...declared])];
  return { inputs, inputsDeclared: false, references };
}

/**
 * The length of `name` written at `offset`, plain or double-quoted, ignoring case; undefined when
 * the text there is not the name. The builder rewrites exactly these spans, so a span is recorded
 * only when it is certain.
 */
export function nameLengthAt(sql: string, offset: number, name: string): number | undefined {
  const quoted = sql[offset] === '"';
  const start = quoted ? offset + 1 : offset;
  if (sql.slice(start, start + name.length).toLowerCase() !== name.toLowerCase()) return undefined;
  const after = sql[start + name.length] ?? '';
  if (quoted) return after === '"' ? name.length + 2 : undefined;
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(after) ? undefined : name.length;
}

/** The file location of a character offset in a model's query. */
export function sqlLocation(model: SqlAsset, offset: number | undefined): SourceLocation {
  if (offset === undefined) return { file: model.file, line: model.sqlStartLine };
  const { line, column } = lineColumnAt(model.sql, offset);
  return { file: model.file, line: model.sqlStartLine + line - 1, column };
}

function syntaxError(model: SqlAsset, parsed: SerializedSql | undefined): WeirError {
  if (parsed === undefined || !parsed.error) {
    const count = parsed?.statements.length ?? 0;
    return new WeirError('SQL_SYNTAX', `model "${model.name}" must hold exactly one query, found ${count}`, { location: sqlLocation(model, undefined) });
  }
  // Unlike AST locations (UTF-8 bytes), DuckDB counts error positions in code points, as PostgreSQL does.
  const position = parsed.position === undefined ? Number.NaN : Number(parsed.position);
  const offset = Number.isNaN(position) ? undefined : offsetConverter(model.sql, 'codepoint')(position);
  const location = sqlLocation(model, offset);
  const engineMessage = parsed.error_message ?? 'unknown parser error';
  if (parsed.error_type !== 'parser') {
    return new WeirError('SQL_SYNTAX', `DuckDB cannot read model "${model.name}": ${engineMessage}`, {
      location,
      hint: 'a model is one SELECT query; for SQL in another dialect, declare "inputs: [...]" in the header',
    });
  }
  return new WeirError('SQL_SYNTAX', `syntax error in model "${model.name}": ${engineMessage}${excerpt(model, offset)}`, { location });
}

/** The offending line with a caret under the column, as compilers show it. */
function excerpt(model: SqlAsset, offset: number | undefined): string {
  if (offset === undefined) return '';
  const { line, column } = lineColumnAt(model.sql, offset);
  const fileLine = String(model.sqlStartLine + line - 1);
  const text = lineText(model.sql, line);
  return `\n  ${fileLine} | ${text}\n  ${' '.repeat(fileLine.length)} | ${' '.repeat(Math.max(0, column - 1))}^`;
}
