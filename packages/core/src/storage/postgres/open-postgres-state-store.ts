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
  /**
   * Once open, how long a new connection keeps being tried while the server refuses it, and a
   * read cut off by a dropped connection is tried again (a restart), in ms. Default 15,000.
   */
  reconnectForMs?: number;
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
  const reconnectForMs = options.reconnectForMs ?? 15_000;
  const dialect: StateDialect = {
    ...postgresStateDialect(schema, describeConnectionString(connectionString), mask),
    retryReads: { forMs: reconnectForMs, when: isConnectionLost },
  };
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'weir-state',
  });
  // A connection the server drops (a restart, a terminated backend) must not crash the process
  // with an unhandled 'error' event: while idle the pool reports it here and replaces it; while
  // checked out (a transaction, an append) the statement in flight fails, so the client's own
  // event needs a listener too.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const reconnecting = reconnectingPool(pool, reconnectForMs);
  const db = new Kysely<StateTables>({ dialect: new PostgresDialect({ pool: reconnecting.pool }) }).withSchema(schema);
  const store = await openKyselyStateStore(db, dialect);
  reconnecting.opened();
  return store;
}

/**
 * The pool as Kysely sees it, waiting through a server restart: once the store has opened, a new
 * connection refused because the server is stopping, starting or not listening for a moment is
 * tried again (with backoff, for up to `forMs`) instead of failing the read or the append that
 * asked for it. Nothing was sent on a connection that was never made, so this is always safe.
 * Before the store opened, an unreachable server fails at once: a wrong URL must not hang.
 */
function reconnectingPool(pool: pg.Pool, forMs: number): { pool: { connect: () => Promise<pg.PoolClient>; end: () => Promise<void> }; opened: () => void } {
  let open = false;
  return {
    opened: () => (open = true),
    pool: {
      end: () => pool.end(),
      async connect() {
        const started = Date.now();
        for (let attempt = 0; ; attempt++) {
          try {
            return await pool.connect();
          } catch (error) {
            if (!open || !isRestarting(error) || Date.now() - started >= forMs) throw error;
            await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** Math.min(attempt, 6))));
          }
        }
      },
    },
  };
}

/**
 * The server went away under a connection or is restarting: a socket error, SQLSTATE class 08,
 * 57P01-57P03 (terminated by a shutdown, starting up, shutting down). Not a wrong password (28)
 * nor a missing database (3D): trying again would not help.
 */
function isConnectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return unreachableSocketErrors.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code);
  return /connection terminated|not queryable/i.test(error.message);
}

/** A refused connection or "the database system is starting up / shutting down" (57P03). */
function isRestarting(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === '57P03' || code === '57P01';
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
