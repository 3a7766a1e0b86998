/**
 * Decoding pgoutput messages captured from PostgreSQL 15 (`pg_logical_slot_peek_binary_changes`
 * with proto_version 1) for `CREATE TABLE t (id int PRIMARY KEY, name text, big text,
 * n numeric(10,2))` after: an insert of two rows, an update, an update of the key, a delete, a
 * rolled-back insert (absent, as it must be), an update leaving a TOASTed value unchanged, and a
 * TRUNCATE. Then messages cut short or unknown, and the LSN and timestamp helpers.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../errors/weir-error.js';
import { groupTransactions } from './cdc-transactions.js';
import { formatLsn, formatTimestamp, parseLsn, parsePgoutputMessage, UNCHANGED_TOAST } from './pgoutput-parser.js';

/** [slot lsn, message hex] as the server returned them. */
const CAPTURED: Array<[string, string]> = [
  ['0/82C2D50', '4200000000082c2eb8000303ce26ea269e0000033f'],
  ['0/82C2D50', '52000040db7075626c69630074006400040169640000000017ffffffff006e616d650000000019ffffffff006269670000000019ffffffff006e00000006a4000a0006'],
  ['0/82C2D50', '49000040db4e00047400000001317400000001616e7400000004312e3530'],
  ['0/82C2E38', '49000040db4e00047400000001327400000001627400000001786e'],
  ['0/82C2EE8', '430000000000082c2eb800000000082c2ee8000303ce26ea269e'],
  ['0/82C2EE8', '4200000000082c2f38000303ce26ea5a0f00000340'],
  ['0/82C2EE8', '55000040db4e00047400000001317400000001636e7400000004312e3530'],
  ['0/82C2F68', '430000000000082c2f3800000000082c2f68000303ce26ea5a0f'],
  ['0/82C2F68', '4200000000082c3000000303ce26ea797b00000341'],
  ['0/82C2F68', '55000040db4b00047400000001326e6e6e4e00047400000001337400000001627400000001786e'],
  ['0/82C3030', '430000000000082c300000000000082c3030000303ce26ea797b'],
  ['0/82C3030', '4200000000082c3070000303ce26ea901700000342'],
  ['0/82C3030', '44000040db4b00047400000001316e6e6e'],
  ['0/82C30A0', '430000000000082c307000000000082c30a0000303ce26ea9017'],
  ['0/82C5AE0', '4200000000082c5b48000303ce26ead13900000345'],
  ['0/82C5AE0', '55000040db4e00047400000001347400000006746f61737432757400000004322e3030'],
  ['0/82C5B78', '430000000000082c5b4800000000082c5b78000303ce26ead139'],
  ['0/82C66E0', '4200000000082c6710000303ce26eb343c00000346'],
  ['0/82C66E0', '52000040db7075626c69630074006400040169640000000017ffffffff006e616d650000000019ffffffff006269670000000019ffffffff006e00000006a4000a0006'],
  ['0/82C66E0', '540000000100000040db'],
  ['0/82C6880', '430000000000082c671000000000082c6880000303ce26eb343c'],
];
const RELATION_ID = 0x40db;
const messages = CAPTURED.map(([, hex]) => parsePgoutputMessage(Buffer.from(hex, 'hex')));

describe('pgoutput messages captured from PostgreSQL 15', () => {
  it('decodes Begin and Commit with their LSNs, commit time and transaction id', () => {
    expect(messages[0]).toEqual({ tag: 'begin', finalLsn: 0x82c2eb8n, commitTime: 0x303ce26ea269en, xid: 0x33f });
    expect(messages[4]).toEqual({ tag: 'commit', commitLsn: 0x82c2eb8n, endLsn: 0x82c2ee8n, commitTime: 0x303ce26ea269en });
    // The commit's LSN is the Begin's final LSN, and the slot reports the end LSN for the Commit row.
    expect(formatLsn((messages[4] as { endLsn: bigint }).endLsn)).toBe(CAPTURED[4]![0]);
  });

  it('decodes a Relation message: names, replica identity and columns with key flags, type OIDs and modifiers', () => {
    expect(messages[1]).toEqual({
      tag: 'relation',
      relationId: RELATION_ID,
      namespace: 'public',
      name: 't',
      replicaIdentity: 'd',
      columns: [
        { name: 'id', key: true, typeOid: 23, typeModifier: -1 },
        { name: 'name', key: false, typeOid: 25, typeModifier: -1 },
        { name: 'big', key: false, typeOid: 25, typeModifier: -1 },
        // numeric(10,2): ((10 << 16) | 2) + 4
        { name: 'n', key: false, typeOid: 1700, typeModifier: 0xa0006 },
      ],
    });
  });

  it('decodes inserts, updates with and without the old key, deletes and truncates, values as text, NULL and unchanged TOAST', () => {
    expect(messages[2]).toEqual({ tag: 'insert', relationId: RELATION_ID, newTuple: ['1', 'a', null, '1.50'] });
    expect(messages[6]).toEqual({ tag: 'update', relationId: RELATION_ID, newTuple: ['1', 'c', null, '1.50'] });
    expect(messages[9]).toEqual({ tag: 'update', relationId: RELATION_ID, oldKind: 'key', oldTuple: ['2', null, null, null], newTuple: ['3', 'b', 'x', null] });
    expect(messages[12]).toEqual({ tag: 'delete', relationId: RELATION_ID, oldKind: 'key', oldTuple: ['1', null, null, null] });
    expect(messages[15]).toEqual({ tag: 'update', relationId: RELATION_ID, newTuple: ['4', 'toast2', UNCHANGED_TOAST, '2.00'] });
    expect(messages[19]).toEqual({ tag: 'truncate', relationIds: [RELATION_ID], cascade: false, restartIdentity: false });
  });

  it('groups the messages into committed transactions with their changes by column name', () => {
    const { transactions, incomplete, columns } = groupTransactions(messages, RELATION_ID);
    expect(incomplete).toBe(0);
    expect(columns?.map((column) => column.name)).toEqual(['id', 'name', 'big', 'n']);
    expect(transactions.map((transaction) => transaction.xid)).toEqual([0x33f, 0x340, 0x341, 0x342, 0x345, 0x346]);
    expect(transactions[0]!.changes).toEqual([
      { kind: 'insert', row: { id: '1', name: 'a', big: null, n: '1.50' } },
      { kind: 'insert', row: { id: '2', name: 'b', big: 'x', n: null } },
    ]);
    expect(transactions[2]!.changes).toEqual([{ kind: 'update', oldKind: 'key', old: { id: '2', name: null, big: null, n: null }, row: { id: '3', name: 'b', big: 'x', n: null } }]);
    expect(transactions[4]!.changes).toEqual([{ kind: 'update', row: { id: '4', name: 'toast2', big: UNCHANGED_TOAST, n: '2.00' } }]);
    expect(transactions[5]!.changes).toEqual([{ kind: 'truncate' }]);
    expect(transactions.map((transaction) => formatLsn(transaction.endLsn))).toEqual(['0/82C2EE8', '0/82C2F68', '0/82C3030', '0/82C30A0', '0/82C5B78', '0/82C6880']);
  });

  it('leaves a transaction whose Commit has not arrived for the next peek', () => {
    const { transactions, incomplete } = groupTransactions(messages.slice(0, 7), RELATION_ID);
    expect(transactions).toHaveLength(1);
    expect(incomplete).toBe(2);
  });

  it('keeps only the captured relation, but still returns other transactions so the position moves', () => {
    const { transactions } = groupTransactions(messages, 12345);
    expect(transactions).toHaveLength(6);
    expect(transactions.every((transaction) => transaction.changes.length === 0)).toBe(true);
  });

  it('refuses a change of a relation it was not told about', () => {
    expect(() => groupTransactions([messages[0]!, messages[2]!], RELATION_ID)).toThrow(/before describing it/);
  });
});

describe('malformed and unknown messages', () => {
  it('fails clearly on a message cut short', () => {
    const cut = Buffer.from(CAPTURED[2]![1], 'hex').subarray(0, 12);
    expect(() => parsePgoutputMessage(cut)).toThrow(WeirError);
    expect(() => parsePgoutputMessage(cut)).toThrow(/ends after 12 byte/);
  });

  it('fails clearly on an unknown message type (a streamed transaction, never asked for)', () => {
    expect(() => parsePgoutputMessage(Buffer.from('53000000', 'hex'))).toThrow(/unknown pgoutput message "S"/);
  });
});

describe('LSNs and timestamps', () => {
  it('formats and parses LSNs as PostgreSQL spells them', () => {
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(parseLsn(formatLsn(0xffffffff00000001n))).toBe(0xffffffff00000001n);
    expect(() => parseLsn('16-B374')).toThrow(/not a PostgreSQL LSN/);
  });

  it('formats commit times in UTC with every microsecond', () => {
    expect(formatTimestamp(0n)).toBe('2000-01-01 00:00:00.000000');
    expect(formatTimestamp(1n)).toBe('2000-01-01 00:00:00.000001');
    expect(formatTimestamp(-1n)).toBe('1999-12-31 23:59:59.999999');
    // The captured commit: microseconds since 2000-01-01.
    expect(formatTimestamp(0x303ce26ea269en)).toMatch(/^20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    // 789 004 800 s from 2000-01-01 to 2025-01-01 (SELECT extract(epoch FROM timestamp '2025-01-01' - timestamp '2000-01-01')).
    expect(formatTimestamp(789_004_800_123_456n)).toBe('2025-01-01 00:00:00.123456');
  });
});
