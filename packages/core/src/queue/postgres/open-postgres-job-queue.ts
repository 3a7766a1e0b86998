/**
 * The team queue: tables in the PostgreSQL state schema (`weir_state` by default), shared by
 * `weir serve` and any number of `weir worker` processes. Claims lock rows with `FOR UPDATE SKIP
 * LOCKED`; claimers under a concurrency limit serialise on a transaction-level advisory lock per
 * schema while they count running jobs. A dropped connection (PostgreSQL restarting, a terminated
 * backend) fails the statement in flight; the queue retries the operations that are safe to repeat
 * on a new connection of the pool.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { messageOf, WeirError } from '../../errors/weir-error.js';
import { describeConnectionString, secretMasker } from '../../errors/mask-connection-string.js';
import { openKyselyJobQueue, type JobQueueOptions, type KyselyJobQueue } from '../kysely-job-queue.js';
import type { QueueDialect } from '../queue-dialect.js';
import type { QueueTables } from '../queue-tables.js';

/** Options of {@link openPostgresJobQueue}. */
export interface PostgresJobQueueOptions extends JobQueueOptions {
  /** The schema holding the queue's tables, created when absent. Default `weir_state`. */
  schema?: string;
  /** Connections in the pool. Default 4. */
  maxConnections?: number;
  /** How long to wait for a connection, in ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** `application_name` of the connections, to find them in `pg_stat_activity`. Default `weir-queue`. */
  applicationName?: string;
}

// SQLSTATE classes and driver errors meaning the connection or server is gone (not that one
// statement was refused): worth retrying on a new connection.
const unreachableStates = /^(08|53|57P)/;
const unreachableSocketErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const unreachableMessages = /connection terminated|timeout exceeded when trying to connect|connection error|not queryable|terminating connection/i;

/**
 * Connects to PostgreSQL, creates the queue's tables in `schema` when absent and returns the
 * queue. Throws `WeirError('STATE_UNAVAILABLE')` (password masked) when the server cannot be used.
 *
 * @example
 * ```ts
 * const queue = await openPostgresJobQueue(process.env.WEIR_STATE_URL!, { leaseMs: 30_000 });
 * await queue.registerWorker({ id: 'w-1', host: hostname(), pid: process.pid, projectVersion: '3f2a9c1' });
 * for (const job of await queue.claim('w-1', { kinds: ['step'], limit: 4 })) {
 *   await queue.complete(job, { ok: true });
 * }
 * await queue.close();
 * ```
 */
export async function openPostgresJobQueue(connectionString: string, options: PostgresJobQueueOptions = {}): Promise<KyselyJobQueue> {
  const schema = options.schema ?? 'weir_state';
  const mask = secretMasker(connectionString);
  const description = `PostgreSQL queue in schema "${schema}" at ${describeConnectionString(connectionString)}`;
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'weir-queue',
  });
  // A connection the server drops must not crash the process with an unhandled 'error' event:
  // while idle the pool reports it here and replaces it; while checked out the query in flight
  // fails (and is retried when safe), so the client's own event needs a listener too.
  pool.on('error', () => undefined);
  const statements = new PreparedStatementNames();
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    statements.install(client);
  });
  const db = new Kysely<QueueTables>({ dialect: new PostgresDialect({ pool }) }).withSchema(schema);
  const listenTo = { connectionString, applicationName: `${options.applicationName ?? 'weir-queue'}-listen`, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 };
  return openKyselyJobQueue(db, postgresQueueDialect(schema, description, mask, listenTo), options);
}

interface ListenTarget {
  connectionString: string;
  applicationName: string;
  connectTimeoutMs: number;
}

function postgresQueueDialect(schema: string, description: string, mask: (text: string) => string, listenTo: ListenTarget): QueueDialect {
  const lockKey = `weir_queue_limits:${schema}`;
  const channel = `weir_queue:${schema}`;
  return {
    description,
    name: 'postgres',
    exclusive: (work) => work(),
    async beginWrite(connection) {
      // READ COMMITTED whatever the server default: counts taken after the lock must see what
      // the previous lock holder committed.
      await sql`begin isolation level read committed`.execute(connection);
    },
    rowLocks: true,
    async lockLimits(connection) {
      await sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`.execute(connection);
    },
    async notifyReady(connection) {
      await sql`select pg_notify(${channel}, '')`.execute(connection);
    },
    listen: (onReady) => listenForReady(listenTo, channel, onReady),
    async afterBulkEnqueue(db) {
      await sql`analyze ${sql.table(`${schema}.queue_jobs`)}`.execute(db);
    },
    async prepare(connection) {
      const found = await sql`select 1 as found from pg_namespace where nspname = ${schema}`.execute(connection);
      if (found.rows.length === 0) await connection.schema.createSchema(schema).execute();
    },
    unavailable: (error) => (isUnreachable(error) ? describeUnavailable(description, error, mask) : undefined),
    cannotOpen: (error) => describeUnavailable(description, error, mask),
  };
}

function describeUnavailable(description: string, error: unknown, mask: (text: string) => string): WeirError {
  const code = (error as { code?: unknown } | undefined)?.code;
  // The driver's message may quote the connection string, so only a masked copy travels on.
  return new WeirError('STATE_UNAVAILABLE', `cannot use the ${description}: ${mask(messageOf(error))}`, {
    cause: Object.assign(new Error(mask(messageOf(error))), typeof code === 'string' ? { code } : {}),
    hint:
      typeof code === 'string' && code.startsWith('28')
        ? 'check the user and password in the state connection string'
        : 'check that PostgreSQL is running and that the state connection string points at it',
  });
}

/**
 * A connection of its own LISTENing on `channel`, calling `onReady` on each notification. When
 * the connection drops it reconnects (after a second, then again until stopped) and calls
 * `onReady` once, since notifications sent meanwhile were lost.
 */
async function listenForReady(target: ListenTarget, channel: string, onReady: () => void): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  const schedule = (): void => {
    if (stopped) return;
    setTimeout(() => {
      if (!stopped) connect().then(onReady, schedule);
    }, 1000).unref();
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: target.connectionString, application_name: target.applicationName, connectionTimeoutMillis: target.connectTimeoutMs });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      if (client === next) client = undefined;
      next.end().catch(() => undefined);
      schedule();
    };
    next.on('error', onLost);
    next.on('end', onLost);
    next.on('notification', () => onReady());
    try {
      await next.connect();
      await next.query(`LISTEN ${next.escapeIdentifier(channel)}`);
    } catch (error) {
      lost = true;
      next.end().catch(() => undefined);
      throw error;
    }
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
  };
}

function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unreachableSocketErrors.has(code) || (code.length === 5 && unreachableStates.test(code)))) return true;
  return unreachableMessages.test(error.message);
}

/**
 * Makes the queue's statements prepared statements. Kysely sends every query unnamed, so
 * PostgreSQL plans it on every call; a claim's plan costs more than running it. Statements with
 * parameters get a name per distinct text (the same name on every connection of the pool; node-pg
 * prepares it once per connection). The queue sends a small, fixed set of texts; after `capacity`
 * distinct ones (say `IN` lists of many lengths) the rest go unnamed, so a connection never
 * collects prepared statements without bound.
 */
class PreparedStatementNames {
  private readonly names = new Map<string, string>();
  private readonly capacity: number;

  constructor(capacity = 200) {
    this.capacity = capacity;
  }

  install(client: pg.PoolClient): void {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return query(...args);
      const name = this.nameOf(text);
      return name === undefined ? query(text, values) : query({ name, text, values });
    };
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.capacity) {
      name = `weir_queue_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }
}
