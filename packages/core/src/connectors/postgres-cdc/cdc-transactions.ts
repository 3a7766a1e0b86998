/**
 * Decoded pgoutput messages grouped into whole source transactions, with the changes of ONE table
 * as rows keyed by column name. Only transactions whose Commit was read are returned: a peek cut
 * short in the middle of one leaves it for the next peek, so half a transaction is never applied.
 */
import { WeirError } from '../../errors/weir-error.js';
import type { PgoutputMessage, RelationColumn, TupleValue } from './pgoutput-parser.js';

/** A row of the captured table by column name; a column a tuple did not carry is absent. */
export type ChangeRow = Record<string, TupleValue>;

/** One change of the captured table. `old` is the replica identity (`key`) or the whole old row (`full`). */
export type CdcChange =
  | { kind: 'insert'; row: ChangeRow }
  | { kind: 'update'; row: ChangeRow; old?: ChangeRow; oldKind?: 'key' | 'full' }
  | { kind: 'delete'; old: ChangeRow; oldKind: 'key' | 'full' }
  | { kind: 'truncate' };

/** A committed source transaction: where it ended in the WAL, when it committed, and its changes of the table. */
export interface CdcTransaction {
  xid: number;
  /** The LSN of its commit record. */
  commitLsn: bigint;
  /** The LSN just past its commit record: where the slot is advanced to once it is applied. */
  endLsn: bigint;
  /** Microseconds since 2000-01-01 UTC. */
  commitTime: bigint;
  /** Possibly none: a transaction of another table of the publication still moves the position. */
  changes: CdcChange[];
}

/** What {@link groupTransactions} found. */
export interface GroupedTransactions {
  transactions: CdcTransaction[];
  /** Messages after the last Commit (a transaction the peek cut short): left for the next peek. */
  incomplete: number;
  /** The columns of the table as its latest Relation message described them (undefined if none came). */
  columns?: RelationColumn[];
}

/**
 * Groups `messages` (in WAL order, as one peek returned them) into complete transactions, keeping
 * the changes of the relation with OID `relationId`.
 *
 * @example
 * ```ts
 * const { transactions } = groupTransactions(rows.map((row) => parsePgoutputMessage(row.data)), table.oid);
 * ```
 */
export function groupTransactions(messages: readonly PgoutputMessage[], relationId: number): GroupedTransactions {
  const relations = new Map<number, RelationColumn[]>();
  const transactions: CdcTransaction[] = [];
  let open: { xid: number; changes: CdcChange[]; messages: number } | undefined;
  let columns: RelationColumn[] | undefined;
  const rowOf = (id: number, tuple: TupleValue[]): ChangeRow => {
    const described = relations.get(id);
    // pgoutput always sends a Relation message before a relation's first change in a decoding session.
    if (described === undefined) throw new WeirError('SOURCE_READ_FAILED', `pgoutput sent a change of relation ${id} before describing it`);
    const row: ChangeRow = {};
    described.forEach((column, index) => {
      if (index < tuple.length) row[column.name] = tuple[index] as TupleValue;
    });
    return row;
  };
  for (const message of messages) {
    switch (message.tag) {
      case 'relation':
        relations.set(message.relationId, message.columns);
        if (message.relationId === relationId) columns = message.columns;
        break;
      case 'begin':
        open = { xid: message.xid, changes: [], messages: 1 };
        break;
      case 'commit':
        if (open !== undefined) transactions.push({ xid: open.xid, commitLsn: message.commitLsn, endLsn: message.endLsn, commitTime: message.commitTime, changes: open.changes });
        open = undefined;
        break;
      case 'insert':
        if (message.relationId === relationId) open?.changes.push({ kind: 'insert', row: rowOf(message.relationId, message.newTuple) });
        break;
      case 'update':
        if (message.relationId === relationId) {
          const old = message.oldTuple === undefined ? {} : { old: rowOf(message.relationId, message.oldTuple), oldKind: message.oldKind };
          open?.changes.push({ kind: 'update', row: rowOf(message.relationId, message.newTuple), ...old });
        }
        break;
      case 'delete':
        if (message.relationId === relationId) open?.changes.push({ kind: 'delete', old: rowOf(message.relationId, message.oldTuple), oldKind: message.oldKind });
        break;
      case 'truncate':
        if (message.relationIds.includes(relationId)) open?.changes.push({ kind: 'truncate' });
        break;
      default:
        // Origin, Type and logical messages say nothing about the rows.
        break;
    }
    if (open !== undefined) open.messages += message.tag === 'begin' ? 0 : 1;
  }
  return { transactions, incomplete: open?.messages ?? 0, ...(columns === undefined ? {} : { columns }) };
}
