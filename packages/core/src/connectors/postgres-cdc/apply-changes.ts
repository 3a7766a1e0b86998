/**
 * Applying a batch of committed source transactions to the warehouse, set-wise and in ONE
 * transaction with the position it reaches: the changes are staged with the engine's bulk path,
 * typed by the engine's own casts (the same text the initial COPY carried), then each touched key
 * is deleted from the landing table and its last version inserted again. Applying is idempotent
 * by key (an insert is an upsert, a delete of a missing row does nothing), and transactions at or
 * before the stored position are skipped: a batch peeked again after a crash between the
 * warehouse commit and the slot's advance changes nothing.
 */
import type { ColumnInfo, EngineAdapter, EngineSession, RelationRef, Row } from '../../engines/engine-adapter.js';
import { WeirError, messageOf } from '../../errors/weir-error.js';
import { INGEST_SCHEMA } from '../records/dead-letters.js';
import { landingRelation } from '../streams/stream-landing.js';
import { historyRelation, saveCdcPosition } from './cdc-landing.js';
import type { CdcTransaction } from './cdc-transactions.js';
import { stageChanges, type StagedChange } from './stage-changes.js';

/** The warehouse table changes are applied to. */
export interface CdcWarehouseTable {
  asset: string;
  /** The landing table's source columns (DuckDB spelling), as stored with the position. */
  columns: ColumnInfo[];
  key: string[];
  /** The key is every column: NULLs in it compare equal. */
  wholeRowKey: boolean;
  /** Maintain `<asset>__history` too. */
  history: boolean;
  /** How to start over, for error hints. */
  recovery?: string;
}

/** What applying a batch did. */
export interface AppliedBatch {
  /** Transactions applied. */
  transactions: number;
  /** Transactions skipped because the warehouse already had them. */
  skipped: number;
  /** Row changes applied. */
  changes: number;
  /** The position the landing table is at now. */
  lsn: bigint;
}

/** Internal columns of the staged and resolved rows; no source column may take these names. */
export const RESERVED_COLUMNS = ['_weir_seq', '_weir_operation', '_weir_commit_time', '_weir_lsn', '_weir_rank'];

/**
 * Applies the transactions of `transactions` that end after `storedLsn` to `table`, with the new
 * position, in one warehouse transaction.
 *
 * @example
 * ```ts
 * const { transactions } = await source.peek(10_000);
 * const applied = await applyChanges(engine, table, transactions, position.lsn);
 * await source.advance(applied.lsn); // only after the warehouse committed
 * ```
 */
export async function applyChanges(engine: EngineAdapter, table: CdcWarehouseTable, transactions: readonly CdcTransaction[], storedLsn: bigint): Promise<AppliedBatch> {
  const fresh = transactions.filter((transaction) => transaction.endLsn > storedLsn);
  const skipped = transactions.length - fresh.length;
  if (fresh.length === 0) return { transactions: 0, skipped, changes: 0, lsn: storedLsn };
  const lsn = fresh[fresh.length - 1]!.endLsn;
  const segments = stageChanges(fresh, { columns: table.columns.map((column) => column.name), key: table.key });
  const changes = fresh.reduce((sum, transaction) => sum + transaction.changes.length, 0);
  const session = await engine.session();
  try {
    await session.transaction(async () => {
      const sql = new BatchSql(engine, session, table);
      for (const segment of segments) {
        if (segment.kind === 'truncate') await sql.truncate(segment.commitTime, segment.lsn);
        else await sql.apply(segment.rows);
      }
      await saveCdcPosition(session, engine, table.asset, { lsn, columns: table.columns, history: table.history });
    });
  } catch (error) {
    throw explainApplyError(error, table, changes);
  } finally {
    await session.close();
  }
  return { transactions: fresh.length, skipped, changes, lsn };
}

/** The statements of one batch, for one engine and table. */
class BatchSql {
  private readonly landing: string;
  private readonly history: string;
  private readonly keyNames: string[];

  constructor(
    private readonly engine: EngineAdapter,
    private readonly session: EngineSession,
    private readonly table: CdcWarehouseTable,
  ) {
    this.landing = engine.quoteRelation(landingRelation(table.asset));
    this.history = engine.quoteRelation(historyRelation(table.asset));
    this.keyNames = table.key.map((name) => engine.quoteIdentifier(name));
  }

  /** Applies a run of changes: stage, resolve, then landing and history set-wise. */
  async apply(rows: readonly StagedChange[]): Promise<void> {
    const { engine, session, table } = this;
    const staged = this.scratch('changes');
    const resolved = this.scratch('rows');
    const columns = table.columns;
    const type = (column: ColumnInfo) => session.typeSql(column.type, column.name);
    const varchar = session.typeSql('VARCHAR');
    const stagingColumns: ColumnInfo[] = [
      { name: '_weir_seq', type: 'BIGINT', nullable: false },
      { name: '_weir_operation', type: 'VARCHAR', nullable: false },
      { name: '_weir_commit_time', type: 'VARCHAR', nullable: false },
      { name: '_weir_lsn', type: 'VARCHAR', nullable: false },
      ...columns.map((_, index) => ({ name: `v_${index}`, type: 'VARCHAR', nullable: true })),
      ...columns.map((_, index) => ({ name: `u_${index}`, type: 'BOOLEAN', nullable: false })),
      ...table.key.map((_, index) => ({ name: `k_${index}`, type: 'VARCHAR', nullable: true })),
    ];
    await session.execute(`DROP TABLE IF EXISTS ${engine.quoteRelation(staged)}`);
    await session.execute(`CREATE TABLE ${engine.quoteRelation(staged)} (${stagingColumns.map((column) => `${column.name} ${session.typeSql(column.type)}`).join(', ')})`);
    await session.appendRows(staged, stagingColumns, rows.map(stagingRow));

    // Typed rows: the staged text cast to each column's type, or the landing row's value where the WAL did not carry it.
    const values = columns.map((column, index) => `CASE WHEN s.u_${index} THEN l.${engine.quoteIdentifier(column.name)} ELSE CAST(s.v_${index} AS ${type(column)}) END AS ${engine.quoteIdentifier(column.name)}`);
    const lookup = table.key.map((name, index) => `l.${engine.quoteIdentifier(name)} = CAST(s.k_${index} AS ${type(columns.find((column) => column.name === name)!)})`);
    await session.execute(`DROP TABLE IF EXISTS ${engine.quoteRelation(resolved)}`);
    await session.execute(
      `CREATE TABLE ${engine.quoteRelation(resolved)} AS
       SELECT s._weir_seq, s._weir_operation, CAST(s._weir_commit_time AS ${session.typeSql('TIMESTAMP')}) AS _weir_commit_time, CAST(s._weir_lsn AS ${varchar}) AS _weir_lsn, ${values.join(', ')}
       FROM ${engine.quoteRelation(staged)} s LEFT JOIN ${this.landing} l ON ${lookup.join(' AND ')}`,
    );
    await session.execute(`DROP TABLE ${engine.quoteRelation(staged)}`);

    if (table.history) await this.applyHistory(resolved);

    // Every key the batch touched is deleted, and the key's last version inserted unless it was a delete.
    const names = columns.map((column) => engine.quoteIdentifier(column.name)).join(', ');
    const keys = this.keyNames.join(', ');
    await session.execute(`DELETE FROM ${this.landing} AS t USING ${engine.quoteRelation(resolved)} r WHERE ${this.match('t', 'r')}`);
    await session.execute(
      `INSERT INTO ${this.landing} (${names})
       SELECT ${names} FROM (SELECT *, row_number() OVER (PARTITION BY ${keys} ORDER BY _weir_seq DESC) AS _weir_rank FROM ${engine.quoteRelation(resolved)}) latest
       WHERE _weir_rank = 1 AND _weir_operation <> 'delete'`,
    );
    await session.execute(`DROP TABLE ${engine.quoteRelation(resolved)}`);
  }

  /**
   * Closes the open history rows of the touched keys and adds one row per change. A version is
   * current from its commit time until the key's next change; a delete is a zero-length row
   * (valid_from = valid_to) holding the deleted values. Commit times are clamped never to run
   * backwards for a key, so a key's intervals never overlap.
   */
  private async applyHistory(resolved: RelationRef): Promise<void> {
    const { engine, session, table } = this;
    const additions = this.scratch('history_rows');
    const names = table.columns.map((column) => engine.quoteIdentifier(column.name));
    const keys = this.keyNames.join(', ');
    await session.execute(`DROP TABLE IF EXISTS ${engine.quoteRelation(additions)}`);
    await session.execute(
      `CREATE TABLE ${engine.quoteRelation(additions)} AS
       SELECT ${names.join(', ')}, _weir_seq, _weir_operation, _weir_lsn, valid_from,
              CASE WHEN _weir_operation = 'delete' THEN valid_from ELSE lead(valid_from) OVER (PARTITION BY ${keys} ORDER BY _weir_seq) END AS valid_to
       FROM (
         SELECT r.*, GREATEST(
                  max(r._weir_commit_time) OVER (PARTITION BY ${this.keyNames.map((name) => `r.${name}`).join(', ')} ORDER BY r._weir_seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                  COALESCE(o.valid_from, r._weir_commit_time)) AS valid_from
         FROM ${engine.quoteRelation(resolved)} r
         LEFT JOIN (SELECT ${keys}, valid_from FROM ${this.history} WHERE valid_to IS NULL) o ON ${this.match('o', 'r')}
       ) timed`,
    );
    await session.execute(
      `UPDATE ${this.history} AS h SET valid_to = f.first_from
       FROM (SELECT ${keys}, min(valid_from) AS first_from FROM ${engine.quoteRelation(additions)} GROUP BY ${keys}) f
       WHERE h.valid_to IS NULL AND ${this.match('h', 'f')}`,
    );
    const target = [...names, 'valid_from', 'valid_to', '_weir_operation', '_weir_lsn'].join(', ');
    await session.execute(`INSERT INTO ${this.history} (${target}) SELECT ${target} FROM ${engine.quoteRelation(additions)}`);
    await session.execute(`DROP TABLE ${engine.quoteRelation(additions)}`);
  }

  /** A TRUNCATE of the source table: the landing table empties; every open history row ends with a delete. */
  async truncate(commitTime: string, lsn: string): Promise<void> {
    const { engine, session, table } = this;
    await session.execute(`DELETE FROM ${this.landing}`);
    if (!table.history) return;
    const names = table.columns.map((column) => engine.quoteIdentifier(column.name)).join(', ');
    const at = `GREATEST(valid_from, CAST($1 AS ${session.typeSql('TIMESTAMP')}))`;
    await session.execute(
      `INSERT INTO ${this.history} (${names}, valid_from, valid_to, _weir_operation, _weir_lsn)
       SELECT ${names}, ${at}, ${at}, 'delete', CAST($2 AS ${session.typeSql('VARCHAR')}) FROM ${this.history} WHERE valid_to IS NULL`,
      [commitTime, lsn],
    );
    await session.execute(`UPDATE ${this.history} SET valid_to = ${at} WHERE valid_to IS NULL`, [commitTime]);
  }

  /** Rows of `left` and `right` with the same key (NULLs equal for a whole-row key). */
  private match(left: string, right: string): string {
    const equals = this.table.wholeRowKey ? 'IS NOT DISTINCT FROM' : '=';
    return this.keyNames.map((name) => `${left}.${name} ${equals} ${right}.${name}`).join(' AND ');
  }

  /** A scratch table of this batch (created and dropped inside its transaction). */
  private scratch(role: string): RelationRef {
    return { schema: INGEST_SCHEMA, name: `${this.table.asset}__cdc_${role}` };
  }
}

function stagingRow(change: StagedChange, seq: number): Row {
  const row: Row = { _weir_seq: seq, _weir_operation: change.operation, _weir_commit_time: change.commitTime, _weir_lsn: change.lsn };
  change.values.forEach((value, index) => {
    row[`v_${index}`] = value;
    row[`u_${index}`] = change.fromLanding[index] ?? false;
  });
  change.lookup?.forEach((value, index) => {
    row[`k_${index}`] = value;
  });
  return row;
}

/**
 * A value the warehouse cannot hold in its column's type (NaN in a DECIMAL on DuckDB, a date out
 * of its range) becomes a `SOURCE_READ_FAILED` naming the table; other errors pass unchanged.
 */
function explainApplyError(error: unknown, table: CdcWarehouseTable, changes: number): unknown {
  const code = (error as { code?: unknown }).code;
  const message = messageOf(error);
  const conversion = (typeof code === 'string' && code.startsWith('22')) || /Conversion Error|Could not convert|out of range|invalid input syntax/i.test(message);
  if (!conversion) return error;
  const types = table.columns.map((column) => `${column.name} ${column.type}`).join(', ');
  return new WeirError('SOURCE_READ_FAILED', `cannot apply ${changes} change(s) of ${table.asset} to the warehouse: a source value does not fit its column's type: ${message}`, {
    hint: `the warehouse columns are (${types}). Nothing of the batch was applied and the source keeps it, so every run stops here until the column's type can hold the value${table.recovery === undefined ? '' : `: ${table.recovery}`}`,
    cause: error,
  });
}
