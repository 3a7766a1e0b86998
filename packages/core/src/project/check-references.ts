/**
 * What a project's checks refer to, resolved once every asset is known: the assets named by
 * relationships, row-count comparisons and custom SQL, the metrics spc checks watch, the checks
 * kept in `checks/*.yaml`, and the columns checks name. Every problem is reported before any
 * build starts, all at once.
 */
import { checkableOnNewRows, columnsNamedByCheck, type CheckSpec } from '../definitions/check-spec.js';
import { ASSET_METRICS, COLUMN_METRICS, isKnownMetric } from '../definitions/metric-names.js';
import { didYouMean } from '../errors/closest-name.js';
import { WeirError } from '../errors/weir-error.js';
import { probeEngineSyntax, serializeSql, type EngineSyntaxProbe } from '../graph/sql-parser.js';
import { tableMentions } from '../graph/table-mentions.js';
import type { ChecksFile } from './checks-file-loader.js';
import type { AssetSpec } from './project-model.js';

/** Known output columns per asset; `complete: false` means more columns may exist than listed. */
export type KnownColumns = ReadonlyMap<string, { columns: readonly string[]; complete: boolean }>;

/**
 * Adds the checks of `checks/*.yaml` files to their assets, then resolves and validates every
 * check's references. Returns the assets with resolved checks; problems are pushed to `problems`.
 *
 * @example
 * ```ts
 * const assets = await resolveCheckReferences(byName, checksFiles, problems);
 * ```
 */
export async function resolveCheckReferences(assets: ReadonlyMap<string, AssetSpec>, checksFiles: readonly ChecksFile[], problems: WeirError[]): Promise<Map<string, AssetSpec>> {
  const lowerNames = new Map([...assets.keys()].map((name) => [name.toLowerCase(), name]));
  const result = new Map([...assets].map(([name, asset]) => [name, { ...asset, checks: [...asset.checks] } as AssetSpec]));
  for (const file of checksFiles) attachChecksFile(file, result, lowerNames, problems);

  const customSql = [...result.values()].flatMap((asset) => asset.checks.filter((check) => check.type === 'custom_sql').map((check) => ({ asset, check })));
  const parsed = await serializeSql(customSql.map(({ check }) => (check.type === 'custom_sql' ? check.sql : '')));
  customSql.forEach(({ asset, check }, index) => {
    if (check.type !== 'custom_sql') return;
    const serialized = parsed[index];
    if (serialized === undefined || serialized.error) {
      problems.push(checkProblem('SQL_SYNTAX', asset, check, `its SQL does not parse: ${serialized?.error === true ? (serialized.error_message ?? 'syntax error') : 'no statement'}`));
      return;
    }
    const mentioned = serialized.statements.flatMap((statement) => tableMentions(statement.node)).filter((mention) => mention.schema === '' && mention.catalog === '');
    check.reads = [...new Set(mentioned.map((mention) => lowerNames.get(mention.name.toLowerCase())).filter((name): name is string => name !== undefined))];
  });

  for (const asset of result.values()) {
    asset.checks = asset.checks.map((check) => resolveNames(asset, check, lowerNames, problems));
    for (const check of asset.checks) validateCheck(asset, check, problems);
  }
  await validateEngineSyntax(result, problems);
  return result;
}

/** Regexes and date formats compile in the engine's syntax (RE2, strptime), judged by DuckDB itself. */
async function validateEngineSyntax(assets: ReadonlyMap<string, AssetSpec>, problems: WeirError[]): Promise<void> {
  const probes: Array<{ asset: AssetSpec; check: CheckSpec; probe: EngineSyntaxProbe; what: string }> = [];
  for (const asset of assets.values()) {
    for (const check of asset.checks) {
      if (check.type === 'regex' || check.type === 'not_regex') probes.push({ asset, check, probe: { kind: 'regex', text: check.pattern }, what: 'the pattern does not compile' });
      if (check.type === 'parseable' && check.format !== undefined) probes.push({ asset, check, probe: { kind: 'strptime', text: check.format }, what: 'the date format is not valid' });
    }
  }
  const answers = await probeEngineSyntax(probes.map((entry) => entry.probe));
  probes.forEach((entry, index) => {
    const answer = answers[index];
    if (answer !== undefined) problems.push(checkProblem('CONFIG_INVALID', entry.asset, entry.check, `${entry.what}: ${answer}`));
  });
}

function attachChecksFile(file: ChecksFile, assets: Map<string, AssetSpec>, lowerNames: Map<string, string>, problems: WeirError[]): void {
  const name = lowerNames.get(file.asset.toLowerCase());
  const asset = name === undefined ? undefined : assets.get(name);
  if (asset === undefined) {
    problems.push(
      new WeirError('ASSET_UNKNOWN', `checks are declared for "${file.asset}", which is not an asset of this project`, { location: file.location, hint: didYouMean(file.asset, lowerNames.values()) }),
    );
    return;
  }
  const taken = new Set(asset.checks.map((check) => check.name));
  for (const check of file.checks) {
    if (taken.has(check.name)) {
      problems.push(
        new WeirError('CONFIG_INVALID', `asset "${asset.name}" already has a check named "${check.name}" (in ${asset.file})`, {
          location: file.location,
          hint: 'give one of them a distinct "name:" in its object form',
        }),
      );
      continue;
    }
    taken.add(check.name);
    asset.checks.push(check);
  }
}

/** Asset names in checks are written by hand: they resolve like table names, ignoring case. */
function resolveNames(asset: AssetSpec, check: CheckSpec, lowerNames: Map<string, string>, problems: WeirError[]): CheckSpec {
  const resolve = (written: string): string => {
    const found = lowerNames.get(written.toLowerCase());
    if (found === undefined) {
      problems.push(checkProblem('ASSET_UNKNOWN', asset, check, `it refers to "${written}", which is not an asset of this project`, didYouMean(written, lowerNames.values())));
      return written;
    }
    return found;
  };
  if (check.type === 'relationships') return { ...check, to: resolve(check.to) };
  if (check.type === 'row_count' && check.equalTo !== undefined) return { ...check, equalTo: resolve(check.equalTo) };
  if (check.type === 'row_count' && check.fewerThan !== undefined) return { ...check, fewerThan: resolve(check.fewerThan) };
  return check;
}

function validateCheck(asset: AssetSpec, check: CheckSpec, problems: WeirError[]): void {
  if (check.type === 'spc' && !isKnownMetric(check.metric, check.column)) {
    const known = check.column === undefined ? ASSET_METRICS : COLUMN_METRICS;
    const other = check.column === undefined ? COLUMN_METRICS : ASSET_METRICS;
    const misplaced = (other as readonly string[]).includes(check.metric);
    const why = misplaced
      ? check.column === undefined
        ? `"${check.metric}" is a column metric: add "column:"`
        : `"${check.metric}" is an asset metric: remove "column:"`
      : `"${check.metric}" is not a metric Weir records`;
    problems.push(checkProblem('CONFIG_INVALID', asset, check, why, misplaced ? undefined : (didYouMean(check.metric, known) ?? `metrics: ${known.join(', ')}`)));
  }
  if (check.onFail === 'quarantine') {
    if (!checkableOnNewRows(check)) problems.push(checkProblem('CONFIG_INVALID', asset, check, 'only checks judged row by row (and relationships) can quarantine rows'));
    else if (asset.materialization === 'view') {
      problems.push(checkProblem('CONFIG_INVALID', asset, check, 'a view cannot quarantine rows (it stores none)', 'materialize the asset as a table or incremental'));
    }
  }
}

/**
 * Reports checks naming columns the asset does not have. Only assets whose columns are known
 * completely are judged: a false "missing column" on a valid project is worse than a late error.
 */
export function validateCheckColumns(assets: ReadonlyMap<string, AssetSpec>, known: KnownColumns, problems: WeirError[]): void {
  for (const asset of assets.values()) {
    const columns = known.get(asset.name);
    if (columns === undefined || !columns.complete) continue;
    const lower = new Set(columns.columns.map((column) => column.toLowerCase()));
    for (const check of asset.checks) {
      for (const column of columnsNamedByCheck(check)) {
        if (lower.has(column.toLowerCase())) continue;
        problems.push(checkProblem('CONFIG_INVALID', asset, check, `column "${column}" is not a column of ${asset.name}`, didYouMean(column, columns.columns) ?? `its columns: ${columns.columns.join(', ')}`));
      }
      if (check.type === 'relationships') {
        const parent = known.get(check.to);
        if (parent?.complete === true && !parent.columns.some((column) => column.toLowerCase() === check.field.toLowerCase())) {
          problems.push(checkProblem('CONFIG_INVALID', asset, check, `column "${check.field}" is not a column of ${check.to}`, didYouMean(check.field, parent.columns)));
        }
      }
    }
  }
}

function checkProblem(code: 'CONFIG_INVALID' | 'ASSET_UNKNOWN' | 'SQL_SYNTAX', asset: AssetSpec, check: CheckSpec, why: string, hint?: string): WeirError {
  const location = check.declaredAt ?? { file: asset.file, line: asset.line };
  return new WeirError(code, `check "${check.name}" of ${asset.name}: ${why}`, { location, ...(hint === undefined ? {} : { hint }) });
}
