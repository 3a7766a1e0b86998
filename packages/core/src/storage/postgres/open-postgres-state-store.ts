/**
 * Weir's team state: the same tables as the local SQLite file, in one schema (`weir_state` by
 * default) of a PostgreSQL database, so several workers and `weir serve` share runs, versions and
 * pointers. Writers serialise on a transaction-level advisory lock per schema, which also makes
 * migrations safe when two processes start at once.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { messageOf, WeirError } from '../../errors/weir-error.js';
import { openKyselyStateStore, type KyselyStateStore } from '../kysely-state-store.js';
import type { StateDialect } from '../state-dialect.js';
import type { StateTables } from '../state-tables.js';
import { describeConnectionString, secretMasker } from '../../errors/mask-connection-string.js';

/** Options of {@link openPostgresStateStore}. */
export interface PostgresStateStoreOptions {
  /** The schema holding the state tables, created when absent. Default `weir_state`. */
  schema?: string;
  /** Connections in the pool. Appends use one at a time; reads use the others. Default 4. */
  maxConnections?: number;
  /** How long to wait for a connection before failing, in ms. Default 10,000. */
  connectTimeoutMs?: number;
}

// SQLSTATE classes and driver errors that mean the server cannot be used at all, as opposed to
// one statement being refused.
const unreachableStates = /^(08|28|3D|53|57P)/;
const unreachableSocketErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const unreachableMessages = /connection terminated|timeout exceeded when trying to connect|connection error|not queryable|pool (has ended|after calling end)/i;

/**
 * Connects to the PostgreSQL database at `connectionString`, creates the state schema and tables
 * when absent, and returns the store. Throws `WeirError('STATE_UNAVAILABLE')` when the server
 * cannot be reached or refuses the login; the password never appears in the error.
 *
 * @example
 * ```ts
 * const store = await openPostgresStateStore(process.env.WEIR_STATE_URL!, { schema: 'weir_state' });
 * const failed = await store.runs({ status: 'failed', limit: 10 });
 * await store.close();
 * ```
 */
export async function openPostgresStateStore(
  connectionString: string,
  options: PostgresStateStoreOptions = {},
): Promise<KyselyStateStore> {
  const schema = options.schema ?? 'weir_state';
  const mask = secretMasker(connectionString);
  const dialect = postgresStateDialect(schema, describeConnectionString(connectionString), mask);
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'weir-state',
  });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<StateTables>({ dialect: new PostgresDialect({ pool }) }).withSchema(schema);
  return openKyselyStateStore(db, dialect);
}

/** The PostgreSQL part of the state store, for `schema` on the server `maskedUrl` names. */
function postgresStateDialect(schema: string, maskedUrl: string, mask: (text: string) => string): StateDialect {
  const description = `PostgreSQL state schema "${schema}" at ${maskedUrl}`;
  const lockKey = `weir_state:${schema}`;
  return {
    description,
    columnTypes: { bigint: 'bigint', integer: 'integer', time: 'timestamptz', json: 'jsonb', boolean: 'boolean', double: 'double precision' },
    // Another store of this process waits for the advisory lock on its own connection, without
    // blocking the event loop, so nothing needs serialising here.
    exclusive: (work) => work(),
    async beginWrite(connection) {
      // READ COMMITTED whatever the server default: each statement must see what the previous
      // lock holder committed, or the next event id would be computed from a stale snapshot.
      await sql`begin isolation level read committed`.execute(connection);
      await sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`.execute(connection);
    },
    async prepare(connection) {
      // Look first: CREATE SCHEMA IF NOT EXISTS still needs the right to create schemas, which a
      // user given an existing schema may not have.
      const found = await sql<{ found: number }>`select 1 as found from pg_namespace where nspname = ${schema}`.execute(connection);
      if (found.rows.length === 0) await connection.schema.createSchema(schema).execute();
    },
    boolean: (value) => value,
    unavailable(error) {
      if (!isUnreachable(error)) return undefined;
      return describeUnavailable(description, error, mask);
    },
    cannotOpen: (error) => describeUnavailable(description, error, mask),
  };
}

function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unreachableSocketErrors.has(code) || (code.length === 5 && unreachableStates.test(code)))) {
    return true;
  }
  return unreachableMessages.test(error.message);
}

function describeUnavailable(description: string, error: unknown, mask: (text: string) => string): WeirError {
  const code = (error as { code?: unknown } | undefined)?.code;
  // The driver's error may carry the connection string (an unparsable URL is quoted whole), so
  // only a masked copy of its message travels on.
  const cause = Object.assign(new Error(mask(messageOf(error))), typeof code === 'string' ? { code } : {});
  const hint =
    typeof code === 'string' && code.startsWith('28')
      ? 'check the user and password in the state connection string'
      : error instanceof TypeError && /invalid url/i.test(error.message)
        ? 'percent-encode special characters in the password of the state url (/ as %2F, # as %23, @ as %40)'
        : 'check that PostgreSQL is running and that the state connection string points at it';
  return new WeirError('STATE_UNAVAILABLE', `cannot use the ${description}: ${mask(messageOf(error))}`, { cause, hint });
}
