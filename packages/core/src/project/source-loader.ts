/**
 * `sources/*.yaml`: file sources, one asset per table. Literal paths must exist when the project
 * loads; globs are checked when the source is built (new files may arrive before then), and URLs
 * (`s3://...`, `https://...`) are the engine's business.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { WeirError } from '../errors/weir-error.js';
import type { FileFormat, FileReadOptions } from '../engines/engine-adapter.js';
import { parseChecks } from './check-parser.js';
import { fromZodIssues, issuesToErrors, yamlLocator, type ConfigIssue } from './config-issues.js';
import { failedLoad, type FileLoadResult } from './loaded-asset.js';
import { columnDescriptions } from './model-header-schema.js';
import { FORMAT_BY_EXTENSION, sourceFileSchema, sourceTableSchema } from './source-schema.js';
import type { DatabaseSourceAsset, FileSourceAsset, HttpSourceAsset, StreamSourceAsset } from './project-model.js';
import { databaseConnection, databaseTableRead } from './database-source-table.js';
import { httpTableRead } from './http-source-table.js';
import { isStreamConnectionType, streamKeysOutsideStreams, streamTableRead } from './stream-source-table.js';
import { stripBom } from './text-position.js';
import { parseYamlSource } from './yaml-source.js';

/**
 * Loads one `sources/*.yaml` file.
 *
 * @param file - the path relative to the project root, with `/` separators.
 */
export async function loadSourceFile(root: string, file: string, env: Record<string, string | undefined> = process.env): Promise<FileLoadResult> {
  const text = stripBom(await readFile(path.join(root, file), 'utf8'));
  const { source, problems } = parseYamlSource(text, file);
  if (source === undefined) return failedLoad(problems);
  const locator = yamlLocator(source);
  const data: unknown = source.doc.toJS() ?? {};
  const parsedFile = sourceFileSchema.safeParse(data);
  if (!parsedFile.success) return failedLoad(issuesToErrors(fromZodIssues(parsedFile.error.issues, data), locator));
  const group = parsedFile.data.source ?? path.posix.basename(file).replace(/\.ya?ml$/, '');
  const required = parsedFile.data.requires_env;
  const missing = (required === undefined ? [] : Array.isArray(required) ? required : [required]).filter((name) => (env[name] ?? '') === '');
  if (missing.length > 0) {
    const tables = parsedFile.data.tables.map((table) => (typeof table === 'object' && table !== null && 'name' in table ? String(table.name) : '?'));
    return { assets: [], declaredInputs: new Map(), problems: [], disabled: [{ file, tables, missing }] };
  }

  const assets: (FileSourceAsset | DatabaseSourceAsset | StreamSourceAsset | HttpSourceAsset)[] = [];
  const connection = parsedFile.data.connection;
  const errors: WeirError[] = [];
  for (const [index, table] of parsedFile.data.tables.entries()) {
    const tablePath = ['tables', index];
    const parsed = sourceTableSchema.safeParse(table);
    if (!parsed.success) {
      errors.push(...issuesToErrors(fromZodIssues(parsed.error.issues, table, tablePath), locator));
      continue;
    }
    const config = parsed.data;
    const issues: ConfigIssue[] = [];
    const { checks, issues: checkIssues } = parseChecks(config.checks, [...tablePath, 'checks'], locator);
    issues.push(...checkIssues);
    const common = {
      name: config.name,
      file,
      line: locator.locate(tablePath).line ?? 1,
      source: group,
      materialization: 'table' as const,
      inputs: [] as [],
      tags: config.tags ?? [],
      columns: columnDescriptions(config.columns),
      checks,
      ...(config.description === undefined ? {} : { description: config.description }),
      ...(config.owner === undefined ? {} : { owner: config.owner }),
      ...(config.retries === undefined ? {} : { retries: config.retries }),
      ...(config.timeout_seconds === undefined ? {} : { timeoutSeconds: config.timeout_seconds }),
    };
    issues.push(...fileLoadKeyIssues(config, tablePath, connection !== undefined));
    if (config.http !== undefined) {
      const read = httpTableRead(config, { file, tablePath, locator, hasConnection: connection !== undefined });
      issues.push(...read.issues);
      if (issues.length > 0 || !('request' in read)) errors.push(...issuesToErrors(issues, locator), ...read.errors);
      else assets.push({ ...common, kind: 'http', request: read.request, schemaPolicy: read.schemaPolicy, primaryKey: read.primaryKey });
      continue;
    }
    if (config.primary_key !== undefined) {
      issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'primary_key'], message: `table "${config.name}": "primary_key" is for HTTP tables`, hint: 'a database table gives its key under incremental: { primary_key }' });
    }
    if (connection !== undefined && isStreamConnectionType(connection.type)) {
      const read = streamTableRead(config, connection.type, tablePath);
      issues.push(...read.issues);
      if (issues.length > 0 || !('read' in read)) errors.push(...issuesToErrors(issues, locator));
      else {
        const { read: where, batch, schemaPolicy, idField } = read;
        const stream = { read: where, batch, schemaPolicy, ...(idField === undefined ? {} : { idField }) };
        assets.push({ ...common, kind: 'stream', connection: { type: connection.type, url: connection.url }, ...stream });
      }
      continue;
    }
    issues.push(...streamKeysOutsideStreams(config, tablePath, connection !== undefined));
    if (connection !== undefined && !isStreamConnectionType(connection.type)) {
      const read = databaseTableRead(config, tablePath, connection.type);
      issues.push(...read.issues);
      if (issues.length > 0 || !('from' in read)) errors.push(...issuesToErrors(issues, locator));
      else assets.push({ ...common, kind: 'database', connection: databaseConnection({ type: connection.type, url: connection.url }), from: read.from, ...(read.incremental ? { incremental: read.incremental } : {}), ...(read.cdc ? { cdc: read.cdc } : {}), ...(config.schema === 'freeze' ? { schemaPolicy: 'freeze' as const } : {}) });
      continue;
    }
    for (const key of ['table', 'query', 'incremental', 'cdc'] as const) {
      if (config[key] !== undefined) issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, key], message: `table "${config.name}": "${key}" needs a database connection in this file`, hint: 'add connection: { type: postgres (or mysql), url: ${SOURCE_DB_URL} } at the top of the file' });
    }

    const written = config.paths ?? (config.path === undefined ? [] : [config.path]);
    if (written.length === 0 || (config.path !== undefined && config.paths !== undefined)) {
      issues.push({ code: 'CONFIG_INVALID', path: tablePath, message: `table "${config.name}": give exactly one of "path" or "paths"` });
    }
    const format = config.format ?? formatFromPaths(written);
    if (format === undefined && written.length > 0) {
      issues.push({
        code: 'CONFIG_INVALID',
        path: [...tablePath, config.paths === undefined ? 'path' : 'paths'],
        message: `table "${config.name}": cannot tell the file format from the extension`,
        hint: 'add "format: csv" (or json, ndjson, parquet)',
      });
    }
    const pathsKey = config.paths === undefined ? 'path' : 'paths';
    const resolved: string[] = [];
    for (const [pathIndex, written_] of written.entries()) {
      const where = config.paths === undefined ? [...tablePath, pathsKey] : [...tablePath, pathsKey, pathIndex];
      if (isUrl(written_)) {
        resolved.push(written_);
        continue;
      }
      const absolute = path.resolve(root, written_);
      resolved.push(absolute);
      if (!isGlob(written_) && !(await exists(absolute))) {
        issues.push({ code: 'CONFIG_INVALID', path: where, message: `table "${config.name}": file "${written_}" does not exist`, hint: 'paths are relative to the project root (the folder of weir.yaml)' });
      }
    }
    if (issues.length > 0) {
      errors.push(...issuesToErrors(issues, locator));
      continue;
    }

    const options = config.options ?? {};
    const read: FileReadOptions = {
      format: format as FileFormat,
      paths: resolved,
      ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
      ...(options.header === undefined ? {} : { header: options.header }),
      ...(options.columns === undefined ? {} : { columns: options.columns }),
      ...(options.null_strings === undefined ? {} : { nullStrings: options.null_strings }),
      ...(options.date_format === undefined ? {} : { dateFormat: options.date_format }),
      ...(options.timestamp_format === undefined ? {} : { timestampFormat: options.timestamp_format }),
    };
    if (read.delimiter === undefined && written.every((one) => stripCompression(one).toLowerCase().endsWith('.tsv'))) read.delimiter = '\t';
    const newFiles = config.load === 'new_files' ? { newFiles: { onDeletedFile: config.on_deleted_file ?? ('keep' as const) } } : {};
    assets.push({ ...common, kind: 'source', read, ...newFiles });
  }
  return { assets, declaredInputs: new Map(), problems: errors };
}

/**
 * `load` and `on_deleted_file` belong to file tables, and `load: new_files` to local files: Weir
 * must list and hash them to know which are new.
 */
function fileLoadKeyIssues(config: { name: string; load?: string; on_deleted_file?: string; http?: unknown; path?: string; paths?: string[] }, tablePath: (string | number)[], hasConnection: boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.http !== undefined || hasConnection) {
    for (const key of ['load', 'on_deleted_file'] as const) {
      if (config[key] !== undefined) issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, key], message: `table "${config.name}": "${key}" is for file tables`, hint: 'a database table loads only new rows with incremental: { cursor }' });
    }
    return issues;
  }
  if (config.on_deleted_file !== undefined && config.load !== 'new_files') {
    issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'on_deleted_file'], message: `table "${config.name}": "on_deleted_file" needs load: new_files`, hint: 'with load: all every build reads the files there are' });
  }
  const urls = (config.paths ?? (config.path === undefined ? [] : [config.path])).filter(isUrl);
  if (config.load === 'new_files' && urls.length > 0) {
    issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'load'], message: `table "${config.name}": load: new_files reads local files only (${urls[0]} is a URL)`, hint: 'Weir lists and hashes the files to know which are new; use load: all for remote paths' });
  }
  return issues;
}

/** The format every path implies, or undefined when they disagree or none is known. */
function formatFromPaths(paths: string[]): FileFormat | undefined {
  const formats = new Set(
    paths.map((one) => {
      const extension = path.posix.extname(stripCompression(one)).slice(1).toLowerCase();
      return (FORMAT_BY_EXTENSION as Record<string, FileFormat>)[extension];
    }),
  );
  const [only] = formats;
  return formats.size === 1 ? only : undefined;
}

/** DuckDB reads `.csv.gz` and `.csv.zst` directly; the format is the extension before. */
function stripCompression(file: string): string {
  return file.replace(/\.(gz|gzip|zst)$/i, '');
}

function isGlob(file: string): boolean {
  return /[*?[\]{}]/.test(file);
}

function isUrl(file: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(file);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
