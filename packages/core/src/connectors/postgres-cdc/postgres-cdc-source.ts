/**
 * PostgreSQL as a change data capture source, over plain SQL (no replication-protocol
 * connection): a logical replication slot with the built-in `pgoutput` plugin and a publication
 * of the table; changes are PEEKED (`pg_logical_slot_peek_binary_changes`), applied to the
 * warehouse, and only then is the slot advanced (`pg_replication_slot_advance`), so a crash at any
 * point leaves the changes in the slot. Needs `wal_level = logical` and a user with REPLICATION
 * (or superuser); creating the publication needs ownership of the table.
 */
import pg from 'pg';
import type { ColumnInfo } from '../../engines/engine-adapter.js';
import { describeConnectionString, secretMasker } from '../../errors/mask-connection-string.js';
import { WeirError, messageOf } from '../../errors/weir-error.js';
import { duckdbTypeOf } from '../postgres/postgres-source-types.js';
import { groupTransactions, type GroupedTransactions } from './cdc-transactions.js';
import { formatLsn, parseLsn, parsePgoutputMessage } from './pgoutput-parser.js';

/** Where the changes come from. */
export interface PostgresCdcOptions {
  /** The resolved connection string (never shown unmasked). */
  url: string;
  /** The table as a quoted relation in the source's SQL (`"public"."orders"`). */
  table: string;
  slot: string;
  publication: string;
  /** How long a slot still held by another session (a killed run's backend) is waited for (default 30 s). */
  slotWaitMs?: number;
}

/** The captured table as the source's catalog describes it. */
export interface CdcTable {
  oid: number;
  schema: string;
  name: string;
  /** Published columns (generated columns are not) in table order, typed as DuckDB spells them. */
  columns: ColumnInfo[];
  /** The columns that identify a row: the primary key, else the replica identity index, else (REPLICA IDENTITY FULL) every column. */
  key: string[];
  /** The key is every column (REPLICA IDENTITY FULL without a primary key): NULLs compare equal, and rows must be distinct. */
  wholeRowKey: boolean;
}

/** The replication slot as `pg_replication_slots` shows it. */
export interface SlotState {
  /** Everything before this LSN has been consumed. */
  confirmedFlushLsn: bigint;
  activePid: number | null;
}

/**
 * Connects, checks `wal_level` and describes the table. Fails with `SOURCE_UNAVAILABLE` when the
 * server cannot be reached or is not set up for logical decoding, and with `CONFIG_INVALID` when
 * the table has no key PostgreSQL logs for updates and deletes.
 *
 * @example
 * ```ts
 * const source = await openPostgresCdcSource({ url, table: '"public"."orders"', slot: 'weir_orders', publication: 'weir_orders' });
 * try { await source.ensurePublication(); } finally { await source.close(); }
 * ```
 */
export async function openPostgresCdcSource(options: PostgresCdcOptions): Promise<PostgresCdcSource> {
  const mask = secretMasker(options.url);
  const where = describeConnectionString(options.url);
  const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 10_000, application_name: 'weir-cdc' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    // pgoutput writes values with this session's output functions: the same spelling as the initial COPY.
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to the PostgreSQL source ${where}: ${mask(messageOf(error))}`, {
      hint: 'check the host, port, user and password in the source URL (and that the server accepts connections)',
    });
  }
  const source = new PostgresCdcSource(client, options, mask, where);
  try {
    const level = (await source.run<{ wal_level: string }>('SHOW wal_level', [], 'read wal_level')).rows[0]?.wal_level;
    if (level !== 'logical') {
      throw new WeirError('SOURCE_UNAVAILABLE', `the PostgreSQL source ${where} has wal_level = ${level ?? '?'}; change data capture needs wal_level = logical`, {
        hint: 'run ALTER SYSTEM SET wal_level = logical as a superuser and restart the server (managed services: set it in the parameter group)',
      });
    }
    await source.describeTable();
    return source;
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** An open CDC source; see {@link openPostgresCdcSource}. */
export class PostgresCdcSource {
  private described: CdcTable | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly options: PostgresCdcOptions,
    private readonly mask: (text: string) => string,
    private readonly where: string,
  ) {}

  /** The captured table. */
  get table(): CdcTable {
    if (this.described === undefined) throw new WeirError('INTERNAL', 'the CDC source was used before its table was described');
    return this.described;
  }

  /** Reads the table's identity, columns and key from the catalog. */
  async describeTable(): Promise<CdcTable> {
    const { table } = this.options;
    const missing = () => new WeirError('SOURCE_READ_FAILED', `the table ${table} does not exist on the PostgreSQL source ${this.where}`, { hint: 'check "table:" in the source YAML (schema.name) against the source database' });
    const found = await this.run<{ oid: string; schema: string; name: string; identity: string; kind: string }>(
      'SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relreplident AS identity, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::regclass',
      [table],
      `find the table ${table}`,
    ).catch((error: unknown) => {
      // 42P01: undefined table, 3F000: undefined schema (both raised by the ::regclass cast).
      const code = (error as WeirError).cause === undefined ? undefined : ((error as WeirError).cause as { code?: string }).code;
      throw code === '42P01' || code === '3F000' ? missing() : error;
    });
    const row = found.rows[0];
    if (row === undefined) throw missing();
    const label = `${row.schema}.${row.name}`;
    if (row.kind !== 'r') {
      throw new WeirError('CONFIG_INVALID', `${label} is not a plain table (relkind "${row.kind}"); change data capture reads tables only`, { hint: 'for a partitioned table, capture each partition, or load it with incremental: instead' });
    }
    const oid = Number(row.oid);
    const columns = await this.run<{ name: string; type: string; modifier: number }>(
      `SELECT a.attname AS name, (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END)::int8 AS type,
              CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS modifier
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
      [oid],
      `read the columns of ${label}`,
    );
    const keys = await this.run<{ name: string; primary: boolean }>(
      `SELECT a.attname AS name, i.indisprimary AS primary
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND (i.indisprimary OR i.indisreplident) ORDER BY i.indisprimary DESC, k.position`,
      [oid],
      `read the key of ${label}`,
    );
    const primary = keys.rows.filter((key) => key.primary).map((key) => key.name);
    const identityIndex = keys.rows.filter((key) => !key.primary).map((key) => key.name);
    const all = columns.rows.map((column) => column.name);
    let key: string[];
    if (row.identity === 'd' && primary.length > 0) key = primary;
    else if (row.identity === 'i' && identityIndex.length > 0) key = primary.length > 0 ? primary : identityIndex;
    else if (row.identity === 'f') key = primary.length > 0 ? primary : all;
    else {
      const why = row.identity === 'n' ? 'has REPLICA IDENTITY NOTHING' : 'has no primary key';
      throw new WeirError('CONFIG_INVALID', `${label} ${why}: PostgreSQL would log its updates and deletes without saying which row they change, so change data capture cannot apply them`, {
        hint: `add a primary key to ${label}, or run ALTER TABLE ${table} REPLICA IDENTITY FULL (then every column identifies a row, so rows must be distinct)`,
      });
    }
    this.described = {
      oid,
      schema: row.schema,
      name: row.name,
      columns: columns.rows.map((column) => ({ name: column.name, type: duckdbTypeOf(Number(column.type), column.modifier), nullable: true })),
      key,
      wholeRowKey: key.length === all.length && primary.length === 0,
    };
    return this.described;
  }

  /**
   * Makes sure the publication exists and publishes the table's inserts, updates and deletes,
   * creating it (`FOR TABLE`) when it does not exist.
   */
  async ensurePublication(): Promise<void> {
    const { publication } = this.options;
    const { schema, name } = this.table;
    const label = `${schema}.${name}`;
    const check = async () =>
      (
        await this.run<{ ins: boolean; upd: boolean; del: boolean; has: boolean }>(
          `SELECT p.pubinsert AS ins, p.pubupdate AS upd, p.pubdelete AS del,
                  EXISTS (SELECT 1 FROM pg_publication_tables t WHERE t.pubname = p.pubname AND t.schemaname = $2 AND t.tablename = $3) AS has
             FROM pg_publication p WHERE p.pubname = $1`,
          [publication, schema, name],
          `read the publication ${publication}`,
        )
      ).rows[0];
    let found = await check();
    if (found === undefined) {
      try {
        await this.client.query(`CREATE PUBLICATION ${quoteIdentifier(publication)} FOR TABLE ${quoteIdentifier(schema)}.${quoteIdentifier(name)}`);
      } catch (error) {
        // 42710: created meanwhile by another session; checked below like any existing one.
        if ((error as { code?: string }).code !== '42710') {
          throw this.translate(error, `create the publication ${publication}`, `create it as the owner of ${label}: CREATE PUBLICATION ${quoteIdentifier(publication)} FOR TABLE ${label}`);
        }
      }
      found = await check();
    }
    if (found === undefined || !found.has) {
      throw new WeirError('CONFIG_INVALID', `the publication ${publication} on the PostgreSQL source ${this.where} does not include ${label}`, {
        hint: `run ALTER PUBLICATION ${quoteIdentifier(publication)} ADD TABLE ${label}, or name another publication under cdc: { publication }`,
      });
    }
    if (!found.ins || !found.upd || !found.del) {
      throw new WeirError('CONFIG_INVALID', `the publication ${publication} does not publish every insert, update and delete`, {
        hint: `run ALTER PUBLICATION ${quoteIdentifier(publication)} SET (publish = 'insert, update, delete, truncate')`,
      });
    }
  }

  /** The slot, or undefined when it does not exist. Fails when a slot of that name belongs to another database or plugin, or lost WAL it needed. */
  async slot(): Promise<SlotState | undefined> {
    const { slot } = this.options;
    const result = await this.run<{ plugin: string | null; same: boolean; lsn: string | null; pid: number | null; status: string | null }>(
      'SELECT plugin, database = current_database() AS same, confirmed_flush_lsn::text AS lsn, active_pid AS pid, wal_status AS status FROM pg_replication_slots WHERE slot_name = $1',
      [slot],
      `read the replication slot ${slot}`,
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    if (row.plugin !== 'pgoutput' || !row.same || row.lsn === null) {
      throw new WeirError('CONFIG_INVALID', `the replication slot ${slot} on ${this.where} is not a pgoutput slot of this database`, { hint: 'name another slot under cdc: { slot }' });
    }
    if (row.status === 'lost') {
      throw new WeirError('SOURCE_READ_FAILED', `the replication slot ${slot} has lost WAL it still needed (max_slot_wal_keep_size): changes were not kept`, {
        hint: `drop the slot (SELECT pg_drop_replication_slot('${slot}')) so the next run copies the table again`,
      });
    }
    return { confirmedFlushLsn: parseLsn(row.lsn), activePid: row.pid };
  }

  /**
   * Creates the slot, returning where its changes start and the source's clock just before:
   * every transaction the slot decodes committed after that instant. Fails with
   * `SOURCE_UNAVAILABLE` and a hint when the user lacks the REPLICATION attribute.
   */
  async createSlot(): Promise<{ lsn: bigint; startedAt: string }> {
    const startedAt = await this.clock();
    const created = await this.run<{ lsn: string }>("SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')", [this.options.slot], `create the replication slot ${this.options.slot}`);
    return { lsn: parseLsn(created.rows[0]!.lsn), startedAt };
  }

  /** The source's clock now, as a UTC `TIMESTAMP` literal. */
  async clock(): Promise<string> {
    const result = await this.run<{ now: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS now`, [], 'read the clock');
    return result.rows[0]!.now;
  }

  /** The WAL position now: changes committed before it are what a run catches up to. */
  async currentLsn(): Promise<bigint> {
    return parseLsn((await this.run<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn', [], 'read the WAL position')).rows[0]!.lsn);
  }

  /**
   * The committed transactions the slot holds, oldest first, without consuming them: at most
   * about `maxMessages` messages (whole transactions; PostgreSQL checks the limit at commits),
   * and only transactions committed before `uptoLsn` when given.
   */
  async peek(maxMessages: number, uptoLsn?: bigint): Promise<GroupedTransactions> {
    const upto = uptoLsn === undefined ? null : formatLsn(uptoLsn);
    const result = await this.withSlot(() =>
      this.run<{ data: Buffer }>(
        "SELECT data FROM pg_logical_slot_peek_binary_changes($1, $2::pg_lsn, $3, 'proto_version', '1', 'publication_names', $4)",
        [this.options.slot, upto, maxMessages, quoteIdentifier(this.options.publication)],
        `read changes from the replication slot ${this.options.slot}`,
      ),
    );
    return groupTransactions(result.rows.map((row) => parsePgoutputMessage(row.data)), this.table.oid);
  }

  /** Marks everything before `lsn` as consumed (never moves the slot back). */
  async advance(lsn: bigint): Promise<void> {
    const text = formatLsn(lsn);
    await this.withSlot(() =>
      this.run(
        'SELECT pg_replication_slot_advance(slot_name, $2::pg_lsn) FROM pg_replication_slots WHERE slot_name = $1 AND confirmed_flush_lsn < $2::pg_lsn',
        [this.options.slot, text],
        `advance the replication slot ${this.options.slot}`,
      ),
    );
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  /** Runs a statement; errors say what failed on which source, without the password. */
  async run<R extends pg.QueryResultRow>(sql: string, params: unknown[], purpose: string): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(sql, params);
    } catch (error) {
      throw this.translate(error, purpose);
    }
  }

  /** Runs `work`, waiting while the slot is held by another session (the backend of a killed run ends once it notices). */
  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.options.slotWaitMs ?? 30_000);
    for (;;) {
      try {
        return await work();
      } catch (error) {
        const busy = error instanceof WeirError && error.cause !== undefined && (error.cause as { code?: string }).code === '55006';
        if (!busy || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private translate(error: unknown, purpose: string, permissionHint?: string): WeirError {
    if (error instanceof WeirError) return error;
    const code = (error as { code?: string }).code;
    const message = `cannot ${purpose} on the PostgreSQL source ${this.where}: ${this.mask(messageOf(error))}`;
    if (code === '42501') {
      return new WeirError('SOURCE_UNAVAILABLE', message, {
        hint: permissionHint ?? 'change data capture needs a user with the REPLICATION attribute (ALTER ROLE <user> REPLICATION) or a superuser',
        cause: error,
      });
    }
    if (code === '55006') {
      return new WeirError('SOURCE_UNAVAILABLE', message, { hint: 'another process reads this slot; if it is a stale session, end it with pg_terminate_backend(<pid>)', cause: error });
    }
    if (code === '55000') return new WeirError('SOURCE_UNAVAILABLE', message, { hint: 'change data capture needs wal_level = logical on the source', cause: error });
    if (code === '53400') return new WeirError('SOURCE_UNAVAILABLE', message, { hint: 'the source has no free replication slot: raise max_replication_slots or drop unused slots', cause: error });
    // A SQLSTATE is the server refusing a statement; anything else (a reset socket) is the connection.
    return new WeirError(code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? 'SOURCE_READ_FAILED' : 'SOURCE_UNAVAILABLE', message, { cause: error });
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
