/**
 * Loading a stream of CSV rows (as PostgreSQL's `COPY ... TO STDOUT (FORMAT csv)` writes them)
 * into a DuckDB table through named pipes: the stream is written into the pipes while DuckDB's own
 * CSV reader reads them, so no JavaScript touches a value and nothing is staged on disk.
 *
 * Why several pipes, each fed whole rows: with one pipe DuckDB has one scan task; when one of its
 * background threads takes it, the connection's own thread busy-waits for the whole load
 * (DuckDB issue #22178), a full core burnt on a 2-core machine (measured: 28 s of CPU instead of
 * 15 s for 5M rows). With as many pipes as DuckDB has threads, every thread, the connection's
 * included, has a pipe to parse, and the parsing runs in parallel. Why sockets over the pipe fds:
 * `fs.createWriteStream` writes through the libuv thread pool and cost 4 s more CPU for the same
 * 5M rows. Why pipes are opened non-blocking and retried: a blocking open waits in the thread pool
 * (4 threads, shared with DuckDB's own calls) for a reader that may come late or never.
 *
 * `bench/ingest-postgres.js` measures a whole load against draining the same COPY into nothing
 * (5M rows x 10 columns into a DuckDB file, target 1.5x): see bench/README.md section 5 for the
 * numbers and for why this machine cannot reach the target.
 */
import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { ColumnInfo } from '../engine-adapter.js';
import { assertSqlTypeName } from '../sql-type-name.js';
import type { DuckDBSession } from './duckdb-session.js';

const run = promisify(execFile);

/** More pipes than this would only be idle: DuckDB reads each with one thread. */
const MAX_PIPES = 64;
/** Rows go to one pipe until it pushes back or has taken this much, then to the next free one. */
const RUN_BYTES = 1024 * 1024;
const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Creates `tableSql` with `columns` (DuckDB type names) from `csv` (no header; NULL as an unquoted
 * empty field, the empty string as `""`; `"` quotes and escapes). Resolves once both the writer
 * and DuckDB have finished; if either fails, the load fails (a stream cut short is never taken for
 * a complete one) and the table is left for the caller to drop. The table's row order is not the
 * stream's: each pipe's rows follow the previous pipe's.
 *
 * @example
 * ```ts
 * await loadCsvStream(session, '"weir_staging"."orders__load"', [{ name: 'id', type: 'BIGINT' }], copyOutStream, quote);
 * ```
 */
export async function loadCsvStream(session: DuckDBSession, tableSql: string, columns: readonly ColumnInfo[], csv: Readable, quote: (name: string) => string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-pipe-'));
  let restoreOrder: (() => Promise<void>) | undefined;
  try {
    const [setting] = await session.query("SELECT current_setting('threads') AS threads");
    const count = Math.min(MAX_PIPES, Math.max(2, Number(setting?.threads) || 2));
    const pipes = Array.from({ length: count }, (_, index) => join(dir, `rows-${index}.csv`));
    await run('mkfifo', pipes);
    const types = columns.map((column) => `${sqlString(column.name)}: ${sqlString(assertSqlTypeName(column.type, column.name))}`).join(', ');
    const list = columns.map((column) => quote(column.name)).join(', ');
    // parallel = false: one thread per pipe, each reading its rows in order (values may hold newlines).
    const reader = `read_csv([${pipes.map(sqlString).join(', ')}], columns = {${types}}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, parallel = false)`;
    // The rows' order is the pipes' order anyway: not keeping it lets DuckDB write the table from
    // every thread without reordering (measured: 15% less CPU for a 5M-row load into a file).
    const [order] = await session.query("SELECT current_setting('preserve_insertion_order') AS keep");
    await session.execute('SET preserve_insertion_order = false');
    restoreOrder = () => session.execute(`SET preserve_insertion_order = ${order?.keep === false ? 'false' : 'true'}`);
    const spreader = new CsvSpreader(pipes);
    const writing = pipeline(csv, spreader);
    const reading = session.execute(`CREATE OR REPLACE TABLE ${tableSql} AS SELECT ${list} FROM ${reader}`);
    const stopWriter = (failed: boolean) => {
      spreader.stopOpening();
      // DuckDB stopped reading: a writer waiting on a full pipe would wait forever.
      if (!csv.readableEnded) csv.destroy(new ReaderStopped());
      if (failed) spreader.destroy(new ReaderStopped());
    };
    const [written, read] = await Promise.allSettled([
      writing,
      reading.then(
        () => stopWriter(false),
        (error: unknown) => {
          stopWriter(true);
          throw error;
        },
      ),
    ]);
    // The source failing (a dropped connection) is the cause even when DuckDB then fails on a cut
    // line; DuckDB failing (a value of the wrong type) is the cause when the writer was stopped for it.
    if (written.status === 'rejected' && !(written.reason instanceof ReaderStopped)) throw written.reason;
    if (read.status === 'rejected') throw read.reason;
    if (written.status === 'rejected') throw written.reason;
  } finally {
    await restoreOrder?.();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes CSV into several named pipes, cutting only at the end of a row (a newline outside
 * quotes, told by counting quotes from the start of the stream), so each pipe holds whole rows.
 * Writes go to pipes DuckDB has opened, never waiting on one that is not read: with one thread
 * DuckDB reads the pipes one after another, and every row then goes to the first.
 */
class CsvSpreader extends Writable {
  private readonly sockets: Array<Socket | undefined>;
  /** Pipes opened after the writer finished or failed, closed at once: the reader sees their end. */
  private readonly shut: boolean[];
  private opening = true;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private current: Socket | undefined;
  private runBytes = 0;
  /** Whether the bytes written so far end inside a quoted value. */
  private quoted = false;
  private nextPipe = 0;
  private blocked: (() => void) | undefined;

  constructor(private readonly paths: readonly string[]) {
    super();
    this.sockets = paths.map(() => undefined);
    this.shut = paths.map(() => false);
    this.open(1);
  }

  /** The reader is done (or gone): stop waiting for it to open the remaining pipes. */
  stopOpening(): void {
    this.opening = false;
    clearTimeout(this.timer);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.place(chunk, this.quoted !== (quoteCount(chunk) % 2 === 1), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.ended = true;
    const open = this.sockets.filter((socket) => socket !== undefined);
    let pending = open.length;
    if (pending === 0) done();
    for (const socket of open) {
      socket.end(() => {
        pending -= 1;
        if (pending === 0) done();
      });
    }
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.ended = true;
    this.blocked = undefined;
    for (const socket of this.sockets) socket?.destroy();
    done(error);
  }

  /** Opens every pipe its reader has opened; retries the others until the reader is done. */
  private open(delay: number): void {
    let waiting = false;
    for (let index = 0; index < this.paths.length; index++) {
      if (this.sockets[index] !== undefined || this.shut[index]) continue;
      let fd: number;
      try {
        fd = openSync(this.paths[index]!, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        // ENXIO: nobody reads the pipe yet.
        if ((error as NodeJS.ErrnoException).code === 'ENXIO') waiting = true;
        else this.destroy(error as Error);
        continue;
      }
      if (this.ended) {
        closeSync(fd);
        this.shut[index] = true;
        continue;
      }
      const socket = new Socket({ fd, readable: false, writable: true });
      socket.on('drain', () => this.wake());
      // A pipe write fails only when its reader closed it: DuckDB stopped reading.
      socket.on('error', (error) => this.destroy(new ReaderStopped(error)));
      this.sockets[index] = socket;
      this.wake();
    }
    if (waiting && this.opening) this.timer = setTimeout(() => this.open(Math.min(delay * 2, 20)), delay);
  }

  private wake(): void {
    const blocked = this.blocked;
    this.blocked = undefined;
    blocked?.();
  }

  private place(chunk: Buffer, quotedAfter: boolean, done: (error?: Error | null) => void): void {
    const current = this.current;
    const full = current !== undefined && current.writableNeedDrain;
    const target = current === undefined || full || this.runBytes >= RUN_BYTES ? this.freeSocket(current) : current;
    if (target === undefined || target === current) {
      if (current === undefined || full) {
        // No pipe can take it yet: wait for one to be opened or drained.
        this.blocked = () => this.place(chunk, quotedAfter, done);
        return;
      }
      this.send(current, chunk, quotedAfter);
      done();
      return;
    }
    // Rows before the first write start at byte 0: any pipe will do.
    const cut = current === undefined ? 0 : lastRowEnd(chunk, quotedAfter);
    if (cut === -1) {
      // A row longer than this chunk: it goes on where it started.
      if (full) this.blocked = () => this.place(chunk, quotedAfter, done);
      else {
        this.send(current!, chunk, quotedAfter);
        done();
      }
      return;
    }
    if (cut > 0) current!.write(chunk.subarray(0, cut));
    this.current = target;
    this.runBytes = 0;
    this.send(target, chunk.subarray(cut), quotedAfter);
    done();
  }

  private send(socket: Socket, bytes: Buffer, quotedAfter: boolean): void {
    if (bytes.length > 0) socket.write(bytes);
    this.runBytes += bytes.length;
    this.quoted = quotedAfter;
  }

  /** The next opened pipe, other than `except`, that takes writes without pushing back. */
  private freeSocket(except: Socket | undefined): Socket | undefined {
    for (let step = 0; step < this.sockets.length; step++) {
      const index = (this.nextPipe + step) % this.sockets.length;
      const socket = this.sockets[index];
      if (socket !== undefined && socket !== except && !socket.writableNeedDrain) {
        this.nextPipe = index + 1;
        return socket;
      }
    }
    return undefined;
  }
}

function quoteCount(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(QUOTE); at !== -1; at = chunk.indexOf(QUOTE, at + 1)) count += 1;
  return count;
}

/** The index just past the last newline of `chunk` outside quotes, or -1 when it has none. */
function lastRowEnd(chunk: Buffer, quotedAtEnd: boolean): number {
  let quoted = quotedAtEnd;
  let scannedFrom = chunk.length;
  for (let at = chunk.lastIndexOf(NEWLINE); at !== -1; at = at === 0 ? -1 : chunk.lastIndexOf(NEWLINE, at - 1)) {
    for (let index = at + 1; index < scannedFrom; index++) if (chunk[index] === QUOTE) quoted = !quoted;
    scannedFrom = at + 1;
    if (!quoted) return at + 1;
  }
  return -1;
}

/** Why the writer was stopped when DuckDB stopped reading early. */
class ReaderStopped extends Error {
  constructor(cause?: unknown) {
    super('the warehouse stopped reading the rows before they ended', cause === undefined ? undefined : { cause });
  }
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
