/**
 * What differs between the databases that hold Weir's state. The Kysely store writes every query
 * once; a dialect supplies only column types, how to take the single-writer lock, and how to tell
 * an unreachable database from a rejected write.
 */
import type { Kysely } from 'kysely';
import type { WeirError } from '../errors/weir-error.js';
import type { StateTables } from './state-tables.js';

/** Column types the migrations use. */
export interface StateColumnTypes {
  /** Event ids and other integers that may grow large. */
  bigint: 'integer' | 'bigint';
  /** Small counters. */
  integer: 'integer';
  time: 'text' | 'timestamptz';
  json: 'text' | 'jsonb';
  boolean: 'integer' | 'boolean';
  /** Measured values: 8-byte floating point. */
  double: 'real' | 'double precision';
}

/** The database-specific part of a {@link KyselyStateStore}. */
export interface StateDialect {
  /** For messages: "SQLite state database .weir/state.db", "PostgreSQL state schema weir_state". */
  readonly description: string;
  readonly columnTypes: StateColumnTypes;
  /**
   * Runs `work` while no other store of this process writes the same database. SQLite needs it
   * because a second connection of the same process would wait for the lock synchronously and
   * so block the event loop the first one needs to finish; PostgreSQL waits asynchronously.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Begins a transaction on `connection` that holds the database's single-writer lock until it
   * ends, waiting for other processes rather than failing. Appends take it so that event ids are
   * assigned in commit order; migrations take it so two processes never migrate at once.
   */
  beginWrite(connection: Kysely<StateTables>): Promise<void>;
  /** Creates what must exist before the first migration (the PostgreSQL schema). Runs after `beginWrite`. */
  prepare(connection: Kysely<StateTables>): Promise<void>;
  /** Encodes a boolean for a bound parameter. */
  boolean(value: boolean): boolean | number;
  /**
   * Returns a `STATE_UNAVAILABLE` error when `error` means the database cannot be reached, opened
   * or written at all (rather than that it refused one write); undefined otherwise.
   */
  unavailable(error: unknown): WeirError | undefined;
  /**
   * Reads cut off because the database went away for a moment (a server restart ends every
   * session) are tried again for `forMs` when `when(error)` says so: a read is safe to repeat.
   * Absent: never.
   */
  retryReads?: { forMs: number; when: (error: unknown) => boolean };
  /** Describes any failure while opening or migrating as a `STATE_UNAVAILABLE` error, secrets masked. */
  cannotOpen(error: unknown): WeirError;
}
