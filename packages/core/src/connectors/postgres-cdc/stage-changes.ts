/**
 * Turns decoded source transactions into the rows a warehouse batch stages: one row per change,
 * in commit order, with every column's text. What the WAL does not carry is marked to be read
 * from the landing table instead: unchanged TOASTed values of an update, and the non-key columns
 * of a deleted row (PostgreSQL logs only its key). Within a batch those come from the key's
 * previous change when there is one, since the landing table does not hold it yet.
 */
import { WeirError } from '../../errors/weir-error.js';
import type { CdcTransaction, ChangeRow } from './cdc-transactions.js';
import { formatLsn, formatTimestamp, UNCHANGED_TOAST } from './pgoutput-parser.js';

/** One change as staged. Arrays are indexed like the table's columns. */
export interface StagedChange {
  operation: 'insert' | 'update' | 'delete';
  /** The source commit time, a UTC `TIMESTAMP` literal. */
  commitTime: string;
  /** The transaction's commit LSN (`16/B374D848`). */
  lsn: string;
  /** Column texts (NULL also where `fromLanding` is set). */
  values: Array<string | null>;
  /** Take this column from the landing table's row with key `lookup`. */
  fromLanding: boolean[];
  /** The key (texts, in key order) of the landing row the marked columns come from; null when none is marked. */
  lookup: Array<string | null> | null;
}

/** A run of changes applied set-wise, or a TRUNCATE between two runs. */
export type StagedSegment = { kind: 'changes'; rows: StagedChange[] } | { kind: 'truncate'; commitTime: string; lsn: string };

/** What the previous change of a key in this batch left, for the next one to build on. */
interface KeyState {
  values: Array<string | null>;
  fromLanding: boolean[];
  lookup: Array<string | null> | null;
}

/**
 * Stages `transactions` (already known to be new) for a table with `columns` and `key`.
 * Fails with `SOURCE_READ_FAILED` when a change carries a column the warehouse does not have yet
 * (the source table changed during the run; the next attempt adds it).
 *
 * @example
 * ```ts
 * const segments = stageChanges(transactions, { columns: ['id', 'name'], key: ['id'] });
 * ```
 */
export function stageChanges(transactions: readonly CdcTransaction[], table: { columns: readonly string[]; key: readonly string[] }): StagedSegment[] {
  const { columns, key } = table;
  const index = new Map(columns.map((name, position) => [name, position]));
  const keyIndex = key.map((name) => index.get(name)!);
  const segments: StagedSegment[] = [];
  let rows: StagedChange[] = [];
  let state = new Map<string, KeyState>();

  const texts = (row: ChangeRow): { values: Array<string | null>; unchanged: boolean[] } => {
    for (const [name, value] of Object.entries(row)) {
      if (!index.has(name) && value !== null) {
        throw new WeirError('SOURCE_READ_FAILED', `column "${name}" appeared in the source table while its changes were being read`, { hint: 'run again: the next run adds the column to the warehouse table' });
      }
    }
    const unchanged = columns.map((name) => row[name] === UNCHANGED_TOAST);
    const values = columns.map((name) => {
      const value = row[name];
      return value === undefined || value === UNCHANGED_TOAST ? null : value;
    });
    return { values, unchanged };
  };
  const keyOf = (values: Array<string | null>, unchanged: boolean[]): Array<string | null> => {
    if (keyIndex.some((position) => unchanged[position])) {
      throw new WeirError('SOURCE_READ_FAILED', `a key column of the source table arrived as an unchanged TOASTed value, so the changed row cannot be identified`, {
        hint: 'set REPLICA IDENTITY FULL on the source table (keys this large are not supported otherwise)',
      });
    }
    return keyIndex.map((position) => values[position] ?? null);
  };
  /** The row as it was before this change: the key's previous change in the batch, else the landing table. */
  const before = (id: Array<string | null>): KeyState => state.get(JSON.stringify(id)) ?? { values: columns.map((_, position) => id[keyIndex.indexOf(position)] ?? null), fromLanding: columns.map((_, position) => !keyIndex.includes(position)), lookup: id };
  const emit = (operation: StagedChange['operation'], at: { commitTime: string; lsn: string }, row: KeyState): void => {
    const lookup = row.fromLanding.some(Boolean) ? row.lookup : null;
    rows.push({ operation, ...at, values: row.values, fromLanding: row.fromLanding, lookup });
  };

  for (const transaction of transactions) {
    const at = { commitTime: formatTimestamp(transaction.commitTime), lsn: formatLsn(transaction.commitLsn) };
    for (const change of transaction.changes) {
      if (change.kind === 'truncate') {
        if (rows.length > 0) segments.push({ kind: 'changes', rows });
        segments.push({ kind: 'truncate', ...at });
        rows = [];
        state = new Map();
        continue;
      }
      if (change.kind === 'insert') {
        const { values, unchanged } = texts(change.row);
        const next = { values, fromLanding: columns.map(() => false), lookup: null };
        state.set(JSON.stringify(keyOf(values, unchanged)), next);
        emit('insert', at, next);
        continue;
      }
      if (change.kind === 'delete') {
        const old = texts(change.old);
        const id = keyOf(old.values, old.unchanged);
        // A whole old row (REPLICA IDENTITY FULL) is the deleted row itself; a key is only its key.
        const gone = change.oldKind === 'full' ? { values: old.values, fromLanding: columns.map(() => false), lookup: null } : before(id);
        state.delete(JSON.stringify(id));
        emit('delete', at, gone);
        continue;
      }
      const fresh = texts(change.row);
      const old = change.old === undefined ? undefined : texts(change.old);
      const id = keyOf(fresh.values, fresh.unchanged);
      const oldId = old === undefined ? id : keyOf(old.values, old.unchanged);
      const previous = change.oldKind === 'full' && old !== undefined ? { values: old.values, fromLanding: columns.map(() => false), lookup: null } : before(oldId);
      const values = fresh.values.map((value, position) => (fresh.unchanged[position] ? (previous.values[position] ?? null) : value));
      const fromLanding = fresh.unchanged.map((unchanged, position) => unchanged && (previous.fromLanding[position] ?? false));
      const next = { values, fromLanding, lookup: previous.lookup };
      if (JSON.stringify(oldId) !== JSON.stringify(id)) {
        // A changed key: the row under the old key is gone, and the new key's row starts here.
        state.delete(JSON.stringify(oldId));
        emit('delete', at, previous);
      }
      state.set(JSON.stringify(id), next);
      emit('update', at, next);
    }
  }
  if (rows.length > 0) segments.push({ kind: 'changes', rows });
  return segments;
}
