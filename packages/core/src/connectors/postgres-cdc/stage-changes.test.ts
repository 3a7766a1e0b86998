/**
 * Staging decoded changes: what the WAL leaves out (unchanged TOAST values, a deleted row's
 * non-key columns) comes from the key's previous change in the batch, or is marked to be read
 * from the landing table under the right key; key changes and TRUNCATE split as documented.
 */
import { describe, expect, it } from 'vitest';
import type { CdcChange, CdcTransaction } from './cdc-transactions.js';
import { UNCHANGED_TOAST } from './pgoutput-parser.js';
import { stageChanges, type StagedChange } from './stage-changes.js';

const table = { columns: ['id', 'title', 'body'], key: ['id'] };

function transaction(xid: number, ...changes: CdcChange[]): CdcTransaction {
  return { xid, commitLsn: BigInt(xid * 100), endLsn: BigInt(xid * 100 + 10), commitTime: BigInt(xid) * 1_000_000n, changes };
}

function rows(segments: ReturnType<typeof stageChanges>): Array<Pick<StagedChange, 'operation' | 'values' | 'fromLanding' | 'lookup'>> {
  return segments.flatMap((segment) => (segment.kind === 'changes' ? segment.rows.map(({ operation, values, fromLanding, lookup }) => ({ operation, values, fromLanding, lookup })) : []));
}

describe('stageChanges', () => {
  it('takes an unchanged TOAST value from the key\'s earlier change in the batch, else marks it for the landing table', () => {
    const staged = stageChanges(
      [
        transaction(1, { kind: 'insert', row: { id: '1', title: 'a', body: 'long' } }),
        transaction(2, { kind: 'update', row: { id: '1', title: 'b', body: UNCHANGED_TOAST } }, { kind: 'update', row: { id: '2', title: 'c', body: UNCHANGED_TOAST } }),
      ],
      table,
    );
    expect(rows(staged)).toEqual([
      { operation: 'insert', values: ['1', 'a', 'long'], fromLanding: [false, false, false], lookup: null },
      { operation: 'update', values: ['1', 'b', 'long'], fromLanding: [false, false, false], lookup: null },
      { operation: 'update', values: ['2', 'c', null], fromLanding: [false, false, true], lookup: ['2'] },
    ]);
    expect(staged[0]).toMatchObject({ kind: 'changes' });
    expect((staged[0] as { rows: StagedChange[] }).rows[0]).toMatchObject({ commitTime: '2000-01-01 00:00:01.000000', lsn: '0/64' });
  });

  it('splits a key change into a delete of the old key and an update of the new one, both reading the old key\'s row', () => {
    const staged = stageChanges([transaction(1, { kind: 'update', oldKind: 'key', old: { id: '7', title: null, body: null }, row: { id: '8', title: 'moved', body: UNCHANGED_TOAST } })], table);
    expect(rows(staged)).toEqual([
      { operation: 'delete', values: ['7', null, null], fromLanding: [false, true, true], lookup: ['7'] },
      { operation: 'update', values: ['8', 'moved', null], fromLanding: [false, false, true], lookup: ['7'] },
    ]);
  });

  it('keeps a deleted row\'s values: from a whole old row, from the batch, or from the landing table', () => {
    const staged = stageChanges(
      [
        transaction(1, { kind: 'delete', oldKind: 'full', old: { id: '1', title: 'x', body: 'y' } }),
        transaction(2, { kind: 'insert', row: { id: '2', title: 'new', body: 'b' } }, { kind: 'delete', oldKind: 'key', old: { id: '2', title: null, body: null } }),
        transaction(3, { kind: 'delete', oldKind: 'key', old: { id: '3', title: null, body: null } }),
      ],
      table,
    );
    expect(rows(staged).filter((row) => row.operation === 'delete')).toEqual([
      { operation: 'delete', values: ['1', 'x', 'y'], fromLanding: [false, false, false], lookup: null },
      { operation: 'delete', values: ['2', 'new', 'b'], fromLanding: [false, false, false], lookup: null },
      { operation: 'delete', values: ['3', null, null], fromLanding: [false, true, true], lookup: ['3'] },
    ]);
  });

  it('cuts the batch at a TRUNCATE, forgetting what came before it', () => {
    const staged = stageChanges([transaction(1, { kind: 'insert', row: { id: '1', title: 'a', body: 'b' } }), transaction(2, { kind: 'truncate' }, { kind: 'insert', row: { id: '1', title: 'again', body: 'c' } })], table);
    expect(staged.map((segment) => segment.kind)).toEqual(['changes', 'truncate', 'changes']);
    expect(staged[1]).toEqual({ kind: 'truncate', commitTime: '2000-01-01 00:00:02.000000', lsn: '0/C8' });
  });

  it('refuses a column the warehouse table does not have yet, so the run is tried again', () => {
    expect(() => stageChanges([transaction(1, { kind: 'insert', row: { id: '1', title: 'a', body: 'b', extra: 'x' } })], table)).toThrow(/column "extra" appeared in the source table/);
    // A NULL in it loses nothing: the next run adds the column, NULL everywhere.
    expect(rows(stageChanges([transaction(1, { kind: 'insert', row: { id: '1', title: 'a', body: 'b', extra: null } })], table))).toHaveLength(1);
  });
});
