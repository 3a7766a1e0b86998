/**
 * Reading local files with DuckDB's own readers (no JavaScript in the data path), and turning the
 * reader's complaints into errors that name the file and the line.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
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
  const mismatch = /Schema mismatch between globbed files\.\s*Main file schema: (.+)\s*Current file: (.+)/.exec(message);
  if (mismatch) return await explainSchemaMismatch(session, options, mismatch[1]!.trim(), mismatch[2]!.trim(), error);
  const pattern = /No files found that match the pattern "([^"]+)"/.exec(message)?.[1];
  if (pattern !== undefined) {
    return new WeirError('SOURCE_READ_FAILED', `no file matches ${pattern}`, { location: { file: pattern }, hint: 'paths are relative to the project root', cause: error });
  }
  if (options.format === 'csv' && /sniffing file/i.test(message)) {
    message = (await diagnoseCsv(session, options)) ?? message;
  }
  // The sniffer says `file "..."`, the Parquet reader `file '...'`; a conversion error lists the reader's settings as `file = ...`.
  const file = (/file "([^"]+)"/.exec(message) ?? /file '([^']+)'/.exec(message) ?? /^\s*file = (.+)$/m.exec(message))?.[1] ?? options.paths[0] ?? 'source file';
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const headline = message
    .split('\n')
    .filter((part) => part.trim() !== '' && !part.startsWith('*') && !part.startsWith('Possible fixes') && !part.startsWith('LINE 1') && !/^\s*\^\s*$/.test(part) && !/^\s+[a-z_]+ = /.test(part))
    .slice(0, 4)
    .join('; ');
  const notParquet = options.format === 'parquet' && /magic bytes|not a parquet file/i.test(message);
  return new WeirError('SOURCE_READ_FAILED', `cannot read ${file}: ${notParquet ? 'not a Parquet file (or cut short): ' : ''}${headline}`, {
    location: { file, ...(line ? { line: Number(line) } : {}) },
    ...(notParquet ? { hint: 'a Parquet file ends with the bytes PAR1; check the file was written completely, or give its real format' } : {}),
    cause: error,
  });
}

/**
 * Files of one load whose columns differ (the reader takes the first file's and refuses the
 * others): names the file that differs and the columns, found by reading each file's header.
 */
async function explainSchemaMismatch(session: DuckDBSession, options: FileReadOptions, main: string, current: string, error: unknown): Promise<WeirError> {
  const columnsOf = async (path: string): Promise<string[]> => {
    const call = readerCall({ ...options, paths: [path] });
    return (await session.query(`DESCRIBE SELECT * FROM ${call.sql}`, call.params)).map((row) => String(row.column_name));
  };
  let detail = '';
  try {
    const [expected, found] = [await columnsOf(main), await columnsOf(current)];
    const missing = expected.filter((name) => !found.includes(name));
    const extra = found.filter((name) => !expected.includes(name));
    detail = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `not in ${main}: ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
  } catch {
    // The file cannot even be described: DuckDB's own words follow.
  }
  const headline = detail === '' ? messageOf(error).split('\n').slice(0, 4).join('; ') : detail;
  return new WeirError('SOURCE_READ_FAILED', `cannot read ${current}: its columns differ from those of ${main} (${headline})`, {
    location: { file: current },
    hint: 'every file of one table needs the same columns; fix or move the file that differs',
    cause: error,
  });
}

async function diagnoseCsv(session: DuckDBSession, options: FileReadOptions): Promise<string | undefined> {
  for (const file of await session.query('SELECT file FROM glob($1) ORDER BY file', [options.paths])) {
    const path = String(file.file);
    const delimiter = options.delimiter ?? ',';
    const headerLine = await firstLine(path);
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

/** The first line of a text file, decompressing a gzip file; what could be read when it cannot be read to a line end. */
async function firstLine(path: string): Promise<string> {
  const input = createReadStream(path);
  const gunzip = /\.(gz|gzip)$/i.test(path) ? createGunzip() : undefined;
  const text = gunzip ? input.pipe(gunzip) : input;
  // pipe() does not pass a read error on: without this the decompressor would wait forever.
  if (gunzip) input.on('error', (error) => gunzip.destroy(error));
  text.setEncoding('utf8');
  let head = '';
  try {
    for await (const chunk of text) {
      head += String(chunk);
      if (/\r?\n/.test(head) || head.length > 1 << 20) break;
    }
  } catch {
    // A file that ends badly still has its header.
  } finally {
    input.destroy();
    gunzip?.destroy();
  }
  return head.split(/\r?\n/, 1)[0] ?? '';
}
