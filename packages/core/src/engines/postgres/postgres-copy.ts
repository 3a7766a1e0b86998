/**
 * Bulk loading into PostgreSQL with `COPY ... FROM STDIN`: rows from JavaScript encoded in COPY's
 * text format, or a CSV file streamed as it is. One statement per load, never one INSERT per row.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '../engine-adapter.js';

/** A column as COPY writes it: its name and its PostgreSQL type (which decides how a value is spelled). */
export interface CopyColumn {
  name: string;
  postgresType: string;
}

// Rows are sent in chunks of about this many characters: large enough that stream overhead
// vanishes, small enough that a big batch is never one giant string.
const CHUNK_CHARS = 1 << 16;

/**
 * Sends `rows` with one `COPY` statement. `copySql` is the complete `COPY "s"."t" (...) FROM STDIN`
 * built by the adapter; values are spelled in COPY's text format for `columns`, in that order.
 *
 * @example
 * ```ts
 * await copyRows(client, 'COPY "raw"."orders" ("id", "name") FROM STDIN', columns, rows);
 * ```
 */
export async function copyRows(client: PoolClient, copySql: string, columns: CopyColumn[], rows: Row[]): Promise<void> {
  const kinds = columns.map((column) => kindOf(column.postgresType));
  function* chunks(): Generator<Buffer> {
    let chunk = '';
    for (const row of rows) {
      chunk += `${columns.map((column, index) => copyText(row[column.name], kinds[index] ?? 'plain')).join('\t')}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        yield Buffer.from(chunk);
        chunk = '';
      }
    }
    if (chunk !== '') yield Buffer.from(chunk);
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(copySql)));
}

/** Streams a file into `COPY ... FROM STDIN` byte for byte; `copySql` says its format. */
export async function copyFile(client: PoolClient, copySql: string, path: string): Promise<void> {
  await copyStream(client, copySql, createReadStream(path));
}

/** Streams `source` into `COPY ... FROM STDIN` byte for byte; a source that fails part-way fails the COPY. */
export async function copyStream(client: PoolClient, copySql: string, source: Readable): Promise<void> {
  await pipeline(source, client.query(copyFrom(copySql)));
}

type ValueKind = 'date' | 'array' | 'json' | 'bytes' | 'plain';

function kindOf(postgresType: string): ValueKind {
  if (postgresType.endsWith(']')) return 'array';
  if (postgresType === 'date') return 'date';
  if (postgresType === 'json' || postgresType === 'jsonb') return 'json';
  if (postgresType === 'bytea') return 'bytes';
  return 'plain';
}

/** One value in COPY text format: `\N` for NULL, backslash, tab and line breaks escaped. */
function copyText(value: unknown, kind: ValueKind): string {
  const text = valueText(value, kind);
  return text === undefined ? '\\N' : text.replace(/[\\\t\n\r]/g, escapeChar);
}

function escapeChar(char: string): string {
  if (char === '\t') return '\\t';
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  return '\\\\';
}

function valueText(value: unknown, kind: ValueKind): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return kind === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return kind === 'array' ? arrayLiteral(value) : JSON.stringify(value);
  // A string bound for a json column is taken as JSON text already, as DuckDB's CAST(... AS JSON) does.
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A PostgreSQL array literal; every element quoted, so commas, braces and quotes inside stay data. */
function arrayLiteral(items: unknown[]): string {
  const parts = items.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = valueText(item, 'plain') ?? '';
    return `"${text.replace(/["\\]/g, '\\$&')}"`;
  });
  return `{${parts.join(',')}}`;
}
