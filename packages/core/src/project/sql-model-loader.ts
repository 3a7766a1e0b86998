/**
 * `models/**\/*.sql`: one asset per file, named after the file, configured by its header block.
 * Inputs and references are found later, for all models at once, by DuckDB's parser; declared
 * `inputs:` are handed back beside the asset for that step.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WeirError } from '../errors/weir-error.js';
import { parseChecks } from './check-parser.js';
import { fromZodIssues, issuesToErrors, yamlLocator, type ConfigIssue } from './config-issues.js';
import { failedLoad, type FileLoadResult } from './loaded-asset.js';
import { columnDescriptions, modelHeaderSchema } from './model-header-schema.js';
import type { IncrementalConfig, ProjectDefaults, SqlAsset } from './project-model.js';
import { readPartitionedBy } from './partitioned-by.js';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import { normaliseModelQuery, splitModelFile } from './sql-model-text.js';
import { stripBom } from './text-position.js';
import { assetNameSchema } from './strict-object.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/**
 * Loads one SQL model file.
 *
 * @param file - the path relative to the project root, with `/` separators.
 */
export async function loadSqlModel(root: string, file: string, defaults: ProjectDefaults): Promise<FileLoadResult> {
  const text = stripBom(await readFile(path.join(root, file), 'utf8'));
  const name = path.posix.basename(file, '.sql');
  if (!assetNameSchema.safeParse(name).success) {
    return failedLoad([new WeirError('CONFIG_INVALID', `"${name}" is not a valid asset name: rename the file to letters, digits, "_" and "-"`, { location: { file, line: 1 } })]);
  }
  const parts = splitModelFile(text);
  if ('message' in parts) {
    return failedLoad([new WeirError('CONFIG_INVALID', parts.message, { location: { file, line: parts.line, column: parts.column } })]);
  }
  const query = normaliseModelQuery(parts.sql);
  if ('message' in query) {
    const location = { file, line: parts.sqlStartLine + query.line - 1, column: query.column };
    return failedLoad([new WeirError('SQL_SYNTAX', query.message, { location })]);
  }

  let header: unknown = {};
  let source: YamlSource | undefined;
  if (parts.headerYaml !== undefined) {
    const parsed = parseYamlSource(parts.headerYaml, file, { firstLine: parts.headerLine, firstLineColumnShift: headerColumn(text, parts.headerLine) });
    if (parsed.source === undefined) return failedLoad(parsed.problems);
    source = parsed.source;
    header = source.doc.toJS() ?? {};
  }
  const locator = source === undefined ? { locate: () => ({ file, line: 1 }) } : yamlLocator(source);
  const validated = modelHeaderSchema.safeParse(header);
  if (!validated.success) return failedLoad(issuesToErrors(fromZodIssues(validated.error.issues, header), locator));
  const config = validated.data;

  const issues: ConfigIssue[] = [];
  const { checks, issues: checkIssues } = parseChecks(config.checks, ['checks'], locator);
  issues.push(...checkIssues);
  let partitionedBy: PartitionSpec | undefined;
  if (config.partitioned_by !== undefined) {
    const read = readPartitionedBy(config.partitioned_by);
    issues.push(...read.issues);
    partitionedBy = read.spec;
    if (config.materialization !== undefined && config.materialization !== 'table') {
      issues.push({ code: 'CONFIG_INVALID', path: ['materialization'], message: `a partitioned model is a table (each partition replaces its slice of it), not a ${config.materialization}` });
    }
  }
  // A partitioned model is always a table, whatever the project's default.
  const materialization = partitionedBy !== undefined ? 'table' : (config.materialization ?? defaults.materialization);
  let incremental: IncrementalConfig | undefined;
  if (config.incremental !== undefined && materialization !== 'incremental') {
    issues.push({ code: 'CONFIG_INVALID', path: ['incremental'], atKey: true, message: `"incremental" applies only to "materialization: incremental" (this model is a ${materialization})` });
  } else if (materialization === 'incremental') {
    const block = config.incremental ?? {};
    incremental = { strategy: block.strategy ?? 'append', uniqueKey: block.unique_key ?? [], ...(block.cursor === undefined ? {} : { cursor: block.cursor }) };
    if (incremental.strategy === 'merge' && incremental.uniqueKey.length === 0) {
      issues.push({ code: 'CONFIG_INVALID', path: ['incremental', 'strategy'], message: '"incremental.unique_key" is required for "strategy: merge" (a column or a list of columns)' });
    }
  }
  if (issues.length > 0) return failedLoad(issuesToErrors(issues, locator));

  const declared = config.inputs ?? [];
  const asset: SqlAsset = {
    kind: 'sql',
    name,
    file,
    line: 1,
    tags: config.tags ?? [],
    columns: columnDescriptions(config.columns),
    checks,
    materialization,
    sql: query.sql,
    sqlStartLine: parts.sqlStartLine,
    // Filled in by loadProject once every model is parsed.
    inputs: [],
    inputsDeclared: false,
    references: [],
    ...(incremental === undefined ? {} : { incremental }),
    ...(partitionedBy === undefined ? {} : { partitionedBy, partitionedAt: locator.locate(['partitioned_by'], true) }),
    ...(config.pool === undefined ? {} : { pool: config.pool, poolAt: locator.locate(['pool']) }),
    ...(config.description === undefined ? {} : { description: config.description }),
    ...(config.owner === undefined ? {} : { owner: config.owner }),
    ...(config.retries === undefined ? {} : { retries: config.retries }),
    ...(config.timeout_seconds === undefined ? {} : { timeoutSeconds: config.timeout_seconds }),
  };
  const declaredInputs = declared.map((input, index) => ({ name: input, location: locator.locate(['inputs', index]) }));
  return { assets: [asset], declaredInputs: new Map([[name, declaredInputs]]), problems: [] };
}

/** Columns before the header's YAML on its first line (`/*---` and whatever precedes it). */
function headerColumn(text: string, headerLine: number): number {
  const line = text.split('\n')[headerLine - 1] ?? '';
  return line.indexOf('/*---') + '/*---'.length;
}
