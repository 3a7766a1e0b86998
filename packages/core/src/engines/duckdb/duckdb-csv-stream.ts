/**
 * Loading a stream of CSV rows (as PostgreSQL's `COPY ... TO STDOUT (FORMAT csv)` writes them)
 * into a DuckDB table through a named pipe: the stream is written into the pipe while DuckDB's own
 * CSV reader reads it, so no JavaScript touches a value and nothing is staged on disk.
 * `bench/ingest-postgres.js` measures a whole load against draining the same COPY into nothing:
 * 2.55x for 5M rows x 10 columns into a DuckDB file (target 1.5x: a miss, see bench/README.md).
 */
import { execFile } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { ColumnInfo } from '../engine-adapter.js';
import { assertSqlTypeName } from '../sql-type-name.js';
import type { DuckDBSession } from './duckdb-session.js';

const run = promisify(execFile);

/**
 * Creates `tableSql` with `columns` (DuckDB type names) from `csv` (no header; NULL as an unquoted
 * empty field, the empty string as `""`). Resolves once both the writer and DuckDB have finished;
 * if either fails, the load fails (a stream cut short is never taken for a complete one) and the
 * table is left for the caller to drop.
 *
 * @example
 * ```ts
 * await loadCsvStream(session, '"weir_staging"."orders__load"', [{ name: 'id', type: 'BIGINT' }], copyOutStream);
 * ```
 */
export async function loadCsvStream(session: DuckDBSession, tableSql: string, columns: readonly ColumnInfo[], csv: Readable, quote: (name: string) => string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-pipe-'));
  const pipe = join(dir, 'rows.csv');
  try {
    await run('mkfifo', [pipe]);
    const types = columns.map((column) => `${sqlString(column.name)}: ${sqlString(assertSqlTypeName(column.type, column.name))}`).join(', ');
    const list = columns.map((column) => quote(column.name)).join(', ');
    const reader = `read_csv(${sqlString(pipe)}, columns = {${types}}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, parallel = false)`;
    const writing = pipeline(csv, createWriteStream(pipe));
    const reading = session.execute(`CREATE OR REPLACE TABLE ${tableSql} AS SELECT ${list} FROM ${reader}`);
    const [written, read] = await Promise.allSettled([writing, reading.finally(() => unblockWriter(pipe, csv))]);
    // The source failing (a dropped connection) is the cause even when DuckDB then fails on a cut
    // line; DuckDB failing (a value of the wrong type) is the cause when the writer was stopped for it.
    if (written.status === 'rejected' && !(written.reason instanceof ReaderStopped)) throw written.reason;
    if (read.status === 'rejected') throw read.reason;
    if (written.status === 'rejected') throw written.reason;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Once DuckDB has stopped reading (done or failed), a writer still waiting for a reader to open
 * the pipe, or blocked on a full pipe, would wait forever: open the pipe for reading ourselves and
 * stop the source stream, so the writer finishes or fails at once.
 */
async function unblockWriter(pipe: string, csv: Readable): Promise<void> {
  if (!csv.readableEnded) csv.destroy(new ReaderStopped());
  try {
    const handle = await open(pipe, constants.O_RDONLY | constants.O_NONBLOCK);
    await handle.close();
  } catch {
    // The pipe is gone or was never opened: nothing waits on it.
  }
}

/** Why the source stream was stopped when DuckDB stopped reading early. */
class ReaderStopped extends Error {
  constructor() {
    super('the warehouse stopped reading the rows before they ended');
  }
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
