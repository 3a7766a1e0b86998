/**
 * Reading local files with DuckDB's own readers (no JavaScript in the data path), and turning the
 * reader's complaints into errors that name the file and the line.
 */
import { readFileSync } from 'node:fs';
import { WeirError, messageOf } from '../../errors/weir-error.js';
import type { FileReadOptions } from '../engine-adapter.js';
import { assertSqlTypeName } from '../sql-type-name.js';
import type { DuckDBSession } from './duckdb-session.js';

/** A table function call with its bound parameters. */
export interface ReaderCall {
  sql: string;
  params: unknown[];
}

/**
 * The `read_*` call for a file source. Paths are bound; option names are fixed by Weir; column
 * types are validated as plain type names before they reach SQL.
 */
export function readerCall(options: FileReadOptions): ReaderCall {
  const params: unknown[] = [options.paths];
  const args: string[] = ['$1'];
  const bind = (name: string, value: unknown): void => {
    params.push(value);
    args.push(`${name} = $${params.length}`);
  };
  if (options.format === 'parquet') {
    args.push('union_by_name = true');
    return { sql: `read_parquet(${args.join(', ')})`, params };
  }
  if (options.format === 'json' || options.format === 'ndjson') {
    args.push(options.format === 'ndjson' ? "format = 'newline_delimited'" : "format = 'auto'");
    if (options.columns) args.push(`columns = ${columnsStruct(options.columns)}`);
    if (options.dateFormat) bind('dateformat', options.dateFormat);
    if (options.timestampFormat) bind('timestampformat', options.timestampFormat);
    return { sql: `read_json(${args.join(', ')})`, params };
  }
  bind('delim', options.delimiter ?? ',');
  bind('header', options.header ?? true);
  args.push('strict_mode = true');
  if (options.nullStrings) bind('nullstr', options.nullStrings);
  if (options.dateFormat) bind('dateformat', options.dateFormat);
  if (options.timestampFormat) bind('timestampformat', options.timestampFormat);
  // `types` fixes the listed columns and still detects the others; `columns` would demand all.
  if (options.columns) args.push(`types = ${columnsStruct(options.columns)}`);
  return { sql: `read_csv(${args.join(', ')})`, params };
}

/** `{'col': 'TYPE', ...}` for the `columns` reader option; rejects anything that is not a type name. */
function columnsStruct(columns: Record<string, string>): string {
  const entries = Object.entries(columns).map(([name, type]) => `'${name.replaceAll("'", "''")}': '${assertSqlTypeName(type, name)}'`);
  return `{${entries.join(', ')}}`;
}

/**
 * Turns a reader error into a {@link WeirError} naming the file and line. When DuckDB's sniffer
 * gives up (it does on ragged rows, without saying where), a strict second pass with every column
 * read as text finds the first bad line.
 */
export async function explainReadError(session: DuckDBSession, options: FileReadOptions, error: unknown): Promise<WeirError> {
  let message = messageOf(error);
  if (options.format === 'csv' && /sniffing file/i.test(message)) {
    message = (await diagnoseCsv(session, options)) ?? message;
  }
  // The sniffer says `file "..."`; a conversion error lists the reader's settings as `file = ...`.
  const file = (/file "([^"]+)"/.exec(message) ?? /^\s*file = (.+)$/m.exec(message))?.[1] ?? options.paths[0] ?? 'source file';
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const headline = message
    .split('\n')
    .filter((part) => part.trim() !== '' && !part.startsWith('*') && !part.startsWith('Possible fixes') && !part.startsWith('LINE 1'))
    .slice(0, 4)
    .join('; ');
  return new WeirError('SOURCE_READ_FAILED', `cannot read ${file}: ${headline}`, {
    location: { file, ...(line ? { line: Number(line) } : {}) },
    cause: error,
  });
}

async function diagnoseCsv(session: DuckDBSession, options: FileReadOptions): Promise<string | undefined> {
  for (const file of await session.query('SELECT file FROM glob($1) ORDER BY file', [options.paths])) {
    const path = String(file.file);
    const delimiter = options.delimiter ?? ',';
    const headerLine = readFileSync(path, 'utf8').split(/\r?\n/, 1)[0] ?? '';
    const names = headerLine.split(delimiter).map((name, index) => (options.header === false ? `column${index}` : name.replace(/^"|"$/g, '')));
    const columns = Object.fromEntries(names.map((name) => [name, 'VARCHAR']));
    try {
      await session.query(
        `SELECT count(*) FROM read_csv($1, delim = $2, header = $3, quote = '"', escape = '"', auto_detect = false, strict_mode = true, columns = ${columnsStruct(columns)})`,
        [path, delimiter, options.header ?? true],
      );
    } catch (error) {
      return `${messageOf(error)}\nfile "${path}"`;
    }
  }
  return undefined;
}
