/**
 * PostgreSQL as a source: columns from the driver's description of the query, rows streamed with
 * `COPY (SELECT ...) TO STDOUT (FORMAT csv)` straight into the warehouse's bulk loader.
 * Credentials live only in the connection string, which no message repeats (see `redactUrl`).
 */
import type { Readable } from 'node:stream';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ColumnInfo } from '../../engines/engine-adapter.js';
import { WeirError, messageOf } from '../../errors/weir-error.js';
import type { ConnectorCapabilities, ReadRequest, TableConnector } from '../connector.js';
import { duckdbTypeOf } from './postgres-source-types.js';

/** How to reach the source database. */
export interface PostgresSourceOptions {
  /** `postgres://user:password@host:port/database`, usually from `${ENV}` in the project. */
  url: string;
  /** Gives up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
}

const CAPABILITIES: ConnectorCapabilities = { fullRefresh: true, incrementalByCursor: true, mergeByKey: true, changeDataCapture: false, streaming: false };

/**
 * Connects to a PostgreSQL source. Fails with `SOURCE_UNAVAILABLE` (host, port and user named;
 * never the password) when the server cannot be reached or refuses the credentials.
 *
 * @example
 * ```ts
 * const source = await openPostgresConnector({ url: process.env.SHOP_DB_URL! });
 * const columns = await source.describe('"public"."orders"');
 * ```
 */
export async function openPostgresConnector(options: PostgresSourceOptions): Promise<TableConnector> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000, application_name: 'weir-ingest' });
  } catch (error) {
    throw new WeirError('CONFIG_INVALID', `the PostgreSQL source URL ${redactUrl(options.url)} is not a valid connection string: ${messageOf(error)}`);
  }
  // An idle connection that the server drops emits 'error'; the next statement then fails with a clear message.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // Values as the warehouse reads them back: UTC instants, ISO dates, floats that round-trip.
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to the PostgreSQL source ${redactUrl(options.url)}: ${sourceMessage(error, options.url)}`, {
      hint: 'check the host, port, user and password in the source URL (and that the server accepts connections)',
    });
  }
  return new PostgresConnector(client, options.url);
}

class PostgresConnector implements TableConnector {
  readonly type = 'postgres';
  readonly capabilities = CAPABILITIES;

  constructor(
    private readonly client: pg.Client,
    private readonly url: string,
  ) {}

  async describe(from: string): Promise<ColumnInfo[]> {
    const result = await this.run(`SELECT * FROM ${from} AS weir_source LIMIT 0`, `read the columns of ${from}`);
    return result.fields.map((field) => ({ name: field.name, type: duckdbTypeOf(field.dataTypeID, field.dataTypeModifier), nullable: true }));
  }

  async readCsv(request: ReadRequest, columns: readonly ColumnInfo[]): Promise<Readable> {
    const list = columns.map((column) => quoteIdentifier(column.name)).join(', ');
    const where = request.cursor === undefined ? '' : ` WHERE ${quoteIdentifier(request.cursor.column)} ${request.cursor.inclusive ? '>=' : '>'} ${literal(request.cursor.after)}`;
    const copy = copyTo(`COPY (SELECT ${list} FROM ${request.from} AS weir_source${where}) TO STDOUT (FORMAT csv)`);
    const stream = this.client.query(copy);
    // Errors arrive on the stream (the loader fails the load); make them say which source failed.
    // A connection the server terminates emits the same error twice (the query's and the
    // connection's): say once which source failed.
    const url = this.url;
    let named: Error | undefined;
    stream.on('error', (error: Error) => {
      if (error === named) return;
      named = error;
      error.message = `reading ${request.from} from the PostgreSQL source ${redactUrl(url)} failed: ${sourceMessage(error, url)}`;
    });
    return stream;
  }

  async maxOf(from: string, column: string): Promise<unknown> {
    const result = await this.run(`SELECT max(${quoteIdentifier(column)})::text AS m FROM ${from} AS weir_source`, `probe ${from} for new rows`);
    return (result.rows[0] as { m?: unknown } | undefined)?.m ?? null;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async run(sql: string, purpose: string): Promise<pg.QueryResult> {
    try {
      return await this.client.query(sql);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 42P01: undefined table; 42703: undefined column; 42501: insufficient privilege.
      const missing = code === '42P01' || code === '42703';
      throw new WeirError(missing ? 'SOURCE_READ_FAILED' : 'SOURCE_UNAVAILABLE', `cannot ${purpose} on the PostgreSQL source ${redactUrl(this.url)}: ${sourceMessage(error, this.url)}`, {
        hint: missing ? 'check the table (or query) and column names in the source YAML against the source database' : undefined,
      });
    }
  }
}

/**
 * The connection string without its password (`postgres://shop:***@db:5432/shop`): the only form
 * of it that messages may show.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable connection string)';
  }
}

/** The driver's message with any trace of the password removed. */
function sourceMessage(error: unknown, url: string): string {
  let message = messageOf(error);
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== '') message = message.replaceAll(password, '***');
  } catch {
    // An unparseable URL was reported when connecting.
  }
  return message;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A high-water mark as an untyped SQL literal: PostgreSQL gives it the type of the column it is
 * compared with, so a timestamp, a number or a text cursor all compare as their own type.
 */
function literal(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `'${text.replaceAll("'", "''")}'`;
}
