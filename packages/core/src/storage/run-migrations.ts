/**
 * The numbered-migration runner shared by the state store (`schema_version`) and the run queue
 * (`queue_schema_version`): both keep their tables in the same database and evolve independently,
 * each with its own version table and list of migrations, upgraded the same way.
 */
import { sql, type Kysely } from 'kysely';
import type { WeirError } from '../errors/weir-error.js';

/** Any version table, as the query builder sees it. */
type VersionTables = Record<string, { version: number; applied_at: string }>;

/** What differs between the two: the dialect's locking, the version table and the migrations. */
export interface MigrationPlan<DB> {
  /** Runs `work` while no other process of this database migrates (PostgreSQL: an advisory lock). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Opens the write transaction on `connection` (SQLite: BEGIN IMMEDIATE). */
  beginWrite(connection: Kysely<DB>): Promise<void>;
  /** Whatever must exist or be set before the version table is read (a schema, lock timeouts). */
  prepare(connection: Kysely<DB>): Promise<void>;
  /** The table recording applied versions. */
  versionTable: string;
  /** The SQL type of its `version` column. */
  versionType: string;
  /** Append only: a released migration is never edited; a change is a new entry. */
  migrations: ReadonlyArray<(connection: Kysely<DB>) => Promise<void>>;
  /** The error for a database written by a newer Weir (its version beyond the migrations known). */
  tooNew(current: number, known: number): WeirError;
}

/**
 * Applies the migrations not yet recorded, in one transaction under the plan's lock, so two
 * processes opening a new database at once do not race: the second waits, then finds nothing to
 * do. Refuses a database written by a newer Weir rather than writing rows it does not understand.
 *
 * @example
 * ```ts
 * await runMigrations(db, { exclusive, beginWrite, prepare, versionTable: 'schema_version', versionType: 'integer', migrations, tooNew });
 * ```
 */
export async function runMigrations<DB>(db: Kysely<DB>, plan: MigrationPlan<DB>): Promise<void> {
  await plan.exclusive(() =>
    db.connection().execute(async (connection) => {
      await plan.beginWrite(connection);
      try {
        await plan.prepare(connection);
        await connection.schema
          .createTable(plan.versionTable)
          .ifNotExists()
          .addColumn('version', sql.raw(plan.versionType), (column) => column.primaryKey())
          .addColumn('applied_at', 'text', (column) => column.notNull())
          .execute();
        // Through the query builder, not raw SQL: the PostgreSQL stores' schema plugin qualifies
        // the table only in built queries.
        const versions = connection as unknown as Kysely<VersionTables>;
        const row = await versions
          .selectFrom(plan.versionTable)
          .select((eb) => eb.fn.max('version').as('version'))
          .executeTakeFirst();
        const found = row?.version;
        const current = found === null || found === undefined ? 0 : Number(found);
        if (current > plan.migrations.length) throw plan.tooNew(current, plan.migrations.length);
        for (let version = current + 1; version <= plan.migrations.length; version++) {
          await plan.migrations[version - 1]!(connection);
          await versions.insertInto(plan.versionTable).values({ version, applied_at: new Date().toISOString() }).execute();
        }
        await sql`commit`.execute(connection);
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    }),
  );
}
