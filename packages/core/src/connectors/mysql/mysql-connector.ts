/**
 * MySQL and MariaDB as a source: columns from the server's description of the query's result,
 * rows from a streaming query written as CSV straight into the warehouse's bulk loader. Every
 * value is taken as the bytes the server sent (no JavaScript numbers or dates), and the stream
 * pauses the connection whenever the warehouse is slower than the source. Credentials live only
 * in the connection URL, which no message repeats.
 */
import { Readable } from 'node:stream';
// Loaded when a connection opens: the driver costs start-up time for every other command.
import type mysql from 'mysql2';
import type { ColumnInfo } from '../../engines/engine-adapter.js';
import { secretMasker } from '../../errors/mask-connection-string.js';
import { WeirError } from '../../errors/weir-error.js';
import type { ConnectorCapabilities, ReadRequest, TableConnector } from '../connector.js';
import { mysqlColumnMapping, mysqlMarkExpression, mysqlSelectExpression, type MysqlValueFormat } from './mysql-source-types.js';

/** How to reach the source database. */
export interface MysqlSourceOptions {
  /** `mysql://user:password@host:port/database` (or `mariadb://...`), usually from `${ENV}` in the project. */
  url: string;
  /** Gives up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
}

const CAPABILITIES: ConnectorCapabilities = { fullRefresh: true, incrementalByCursor: true, mergeByKey: true, changeDataCapture: false, streaming: false };
/** CSV text gathered before it is handed on: one chunk per row would cost more than the rows. */
const CHUNK_CHARACTERS = 64 * 1024;
/**
 * How long the server waits to send more rows to a paused reader: a warehouse busy for a while
 * (backpressure) must not make the server drop the connection (its default is 60 s).
 */
const NET_WRITE_TIMEOUT_SECONDS = 3600;
/** Error numbers that mean "what you asked for is not there" rather than "the source is down". */
const MISSING = new Set([1049, 1054, 1064, 1146]); // bad database, bad column, syntax, no such table
const REFUSED = new Set([1044, 1045, 1142, 1143]); // access denied (database, user, table, column)

/** Where the source is, as mysql2 takes it and as messages may show it. */
interface SourceAddress {
  config: mysql.ConnectionOptions;
  /** `mysql://user:***@host:port/database`: host, port and user, never the password. */
  shown: string;
  mask: (text: string) => string;
}

/**
 * Connects to a MySQL or MariaDB source. Fails with `SOURCE_UNAVAILABLE` (host, port and user
 * named; never the password) when the server cannot be reached or refuses the credentials, and
 * with `CONFIG_INVALID` when the URL is not a `mysql://` URL.
 *
 * @example
 * ```ts
 * const source = await openMysqlConnector({ url: process.env.SHOP_MYSQL_URL! });
 * const columns = await source.describe('`shop`.`orders`');
 * ```
 */
export async function openMysqlConnector(options: MysqlSourceOptions): Promise<TableConnector> {
  const address = sourceAddress(options);
  return new MysqlConnector(await openSession(address), address);
}

class MysqlConnector implements TableConnector {
  readonly type = 'mysql';
  readonly capabilities = CAPABILITIES;
  /** The streams still being read (each has a session of its own; see `readCsv`). */
  private readonly streaming = new Set<Readable>();

  constructor(
    private readonly connection: mysql.Connection,
    private readonly address: SourceAddress,
  ) {}

  async describe(from: string): Promise<ColumnInfo[]> {
    const { fields } = await this.run(`SELECT * FROM ${from} AS weir_source LIMIT 0`, [], `read the columns of ${from}`);
    return fields.map((field) => ({ name: field.name, type: mysqlColumnMapping(field).type, nullable: true }));
  }

  /**
   * Streams on a session of its own: a read the warehouse abandons half-way leaves that session
   * mid-result, and it is then closed rather than reused, so `describe` and `maxOf` keep working.
   */
  async readCsv(request: ReadRequest, columns: readonly ColumnInfo[]): Promise<Readable> {
    const list = columns.map((column) => mysqlSelectExpression(quoteIdentifier(column.name), column.type)).join(', ');
    let sql = `SELECT ${list} FROM ${request.from} AS weir_source`;
    const values: string[] = [];
    if (request.cursor !== undefined) {
      const { column, after, inclusive } = request.cursor;
      const type = columns.find((one) => one.name === column)?.type ?? 'VARCHAR';
      sql += ` WHERE ${quoteIdentifier(column)} ${inclusive ? '>=' : '>'} ${mysqlMarkExpression(type)}`;
      values.push(markText(after));
    }
    const session = await openSession(this.address);
    // The server's rows are taken as they arrive (no object stream in between: it halved the
    // throughput) and the socket pauses while the CSV buffer is full.
    const csv = new CsvRows(() => session.resume());
    this.streaming.add(csv);
    let done = false;
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      csv.destroy(this.readFailed(request.from, error));
    };
    // A dropped connection is reported to the session, not to the query that was streaming.
    session.on('error', fail);
    const query = session.query({ sql, values, rowsAsArray: true, typeCast: (field) => field.buffer() });
    query.on('fields', (fields: mysql.FieldPacket[]) => csv.setFormats(fields.map((field) => mysqlColumnMapping(field).format)));
    query.on('result', (row: Array<Buffer | null>) => {
      if (!done && !csv.addRow(row)) session.pause();
    });
    query.on('error', fail);
    query.on('end', () => {
      if (done) return;
      done = true;
      csv.finish();
    });
    csv.once('close', () => {
      this.streaming.delete(csv);
      if (done && !csv.errored) session.end(() => undefined);
      else dropSession(session);
    });
    return csv;
  }

  async maxOf(from: string, column: string): Promise<unknown> {
    const { rows } = await this.run(`SELECT max(${quoteIdentifier(column)}) AS m FROM ${from} AS weir_source`, [], `probe ${from} for new rows`);
    const value = (rows[0] as unknown[] | undefined)?.[0];
    if (value === null || value === undefined) return null;
    return Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : String(value);
  }

  async close(): Promise<void> {
    for (const csv of this.streaming) {
      // A reader still reading learns why; a stream nobody listens to must not throw an unhandled error.
      if (csv.listenerCount('error') > 0) csv.destroy(new WeirError('SOURCE_READ_FAILED', `the MySQL source ${this.address.shown} was closed while rows were being read`));
      else csv.destroy();
    }
    this.streaming.clear();
    await new Promise<void>((resolve) => this.connection.end(() => resolve()));
    this.connection.destroy();
  }

  private run(sql: string, values: unknown[], purpose: string): Promise<{ rows: unknown[]; fields: mysql.FieldPacket[] }> {
    return new Promise((resolve, reject) => {
      this.connection.query({ sql, values, rowsAsArray: true }, (error, rows, fields) => {
        if (error === null) {
          resolve({ rows: rows as unknown[], fields: fields ?? [] });
          return;
        }
        const number = (error as { errno?: number }).errno ?? 0;
        const missing = MISSING.has(number);
        const unavailable = REFUSED.has(number) || (error as { fatal?: boolean }).fatal === true;
        reject(
          new WeirError(unavailable ? 'SOURCE_UNAVAILABLE' : 'SOURCE_READ_FAILED', `cannot ${purpose} on the MySQL source ${this.address.shown}: ${driverMessage(error, this.address)}`, {
            hint: missing ? 'check the table (or query) and column names in the source YAML against the source database' : undefined,
            cause: error,
          }),
        );
      });
    });
  }

  private readFailed(from: string, error: unknown): WeirError {
    return new WeirError('SOURCE_READ_FAILED', `reading ${from} from the MySQL source ${this.address.shown} failed: ${driverMessage(error, this.address)}`);
  }
}

/**
 * Rows (arrays of the server's bytes, null for NULL) in, CSV text out: NULL an unquoted empty
 * field, text always quoted so the empty string is `""`. Text is handed on in chunks, and
 * `addRow` says when the reader has enough for now.
 */
class CsvRows extends Readable {
  private formats: MysqlValueFormat[] = [];
  private pending = '';

  constructor(private readonly resumeRows: () => void) {
    super();
  }

  setFormats(formats: MysqlValueFormat[]): void {
    this.formats = formats;
  }

  /** Adds one row; false when the rows should pause until the reader asks for more. */
  addRow(row: Array<Buffer | null>): boolean {
    let line = '';
    for (let index = 0; index < row.length; index++) {
      if (index > 0) line += ',';
      line += csvField(row[index] ?? null, this.formats[index] ?? 'text');
    }
    this.pending += `${line}\n`;
    if (this.pending.length < CHUNK_CHARACTERS) return true;
    const chunk = this.pending;
    this.pending = '';
    return this.push(chunk);
  }

  /** The rows are complete. */
  finish(): void {
    if (this.pending !== '') this.push(this.pending);
    this.pending = '';
    this.push(null);
  }

  override _read(): void {
    this.resumeRows();
  }
}

function csvField(value: Buffer | null, format: MysqlValueFormat): string {
  if (value === null) return '';
  switch (format) {
    case 'plain':
      return value.toString('latin1');
    case 'text':
      return `"${value.toString('utf8').replaceAll('"', '""')}"`;
    case 'boolean':
      return Number(value.toString('latin1')) === 0 ? 'false' : 'true';
    case 'hex':
      return `\\x${value.toString('hex')}`;
    case 'bits':
      return value.length === 0 ? '0' : BigInt(`0x${value.toString('hex')}`).toString();
    case 'date': {
      const text = value.toString('latin1');
      // 0000-00-00 and dates with a zero month or day (allowed by lax sql_modes) name no day.
      return /^\d{4}-(00-|\d\d-00)/.test(text) ? '' : text;
    }
  }
}

function sourceAddress(options: MysqlSourceOptions): SourceAddress {
  const mask = secretMasker(options.url);
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new WeirError('CONFIG_INVALID', `the MySQL source URL ${mask(options.url)} is not a valid URL`, { hint: 'write mysql://user:password@host:3306/database' });
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new WeirError('CONFIG_INVALID', `the MySQL source URL must start with mysql:// (it starts with ${parsed.protocol}//)`, { hint: 'write mysql://user:password@host:3306/database' });
  }
  const shownUrl = new URL(parsed.toString());
  if (shownUrl.password !== '') shownUrl.password = '***';
  if (shownUrl.port === '') shownUrl.port = '3306';
  shownUrl.search = '';
  return {
    shown: shownUrl.toString(),
    mask,
    config: {
      // mysql2 reads host, port, user, password, database and any ?option=value from the URL.
      uri: options.url,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      // Text encoded as UTF-8 whatever each column's character set.
      charset: 'UTF8MB4_GENERAL_CI',
      // Values stay the server's text: nothing becomes a lossy JavaScript number or local Date.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      jsonStrings: true,
      multipleStatements: false,
    },
  };
}

/**
 * A connected session set up for reading: UTC (TIMESTAMP values come out as UTC instants) and an
 * sql_mode without the two modes that change what a read returns or how a bound value is
 * escaped. The rest of the server's mode stays: users' queries are written for it.
 */
async function openSession(address: SourceAddress): Promise<mysql.Connection> {
  const { createConnection } = (await import('mysql2')).default;
  const connection = createConnection(address.config);
  // An idle connection that the server drops emits 'error'; the next statement then fails with a clear message.
  connection.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
    const [modeRow] = await sessionQuery(connection, 'SELECT @@SESSION.sql_mode');
    const mode = String((modeRow as unknown[] | undefined)?.[0] ?? '')
      .split(',')
      // NO_BACKSLASH_ESCAPES: the driver escapes bound values with backslashes.
      // PAD_CHAR_TO_FULL_LENGTH: CHAR values would arrive padded with spaces.
      .filter((one) => one !== '' && one !== 'NO_BACKSLASH_ESCAPES' && one !== 'PAD_CHAR_TO_FULL_LENGTH')
      .join(',');
    await sessionQuery(connection, "SET time_zone = '+00:00', sql_mode = ?, net_write_timeout = ?", [mode, NET_WRITE_TIMEOUT_SECONDS]);
    return connection;
  } catch (error) {
    dropSession(connection);
    throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to the MySQL source ${address.shown}: ${driverMessage(error, address)}`, {
      hint: 'check the host, port, user and password in the source URL (and that the server accepts connections from here)',
    });
  }
}

/**
 * Drops a session mid-result at once. mysql2's `destroy()` only half-closes the socket: a server
 * blocked writing to a reader that stopped reading would not notice before `net_write_timeout`,
 * holding its locks all that time. Resetting the socket ends its wait now.
 */
function dropSession(session: mysql.Connection): void {
  session.destroy();
  (session as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.();
}

function sessionQuery(connection: mysql.Connection, sql: string, values: unknown[] = []): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, values, rowsAsArray: true }, (error, rows) => (error ? reject(error) : resolve(rows as unknown[])));
  });
}

/** The driver's message, with the password masked wherever it might appear. */
function driverMessage(error: unknown, address: SourceAddress): string {
  let message = error instanceof Error ? error.message : String(error);
  // Node reports a failed connect to every address of a host name as an AggregateError without a message.
  if (message === '' && error instanceof AggregateError) message = error.errors.map((one: unknown) => (one instanceof Error ? one.message : String(one))).join('; ');
  if (message === '') message = (error as { code?: string }).code ?? 'unknown error';
  return address.mask(message);
}

function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** A high-water mark as the text MySQL casts to the cursor's type (a Date in UTC, as the session is). */
function markText(value: unknown): string {
  return value instanceof Date ? value.toISOString().replace('T', ' ').replace('Z', '') : String(value);
}
