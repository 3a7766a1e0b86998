/**
 * The messages of PostgreSQL's built-in `pgoutput` logical decoding plugin (protocol version 1),
 * as `pg_logical_slot_peek_binary_changes` returns them: one bytea per message. Only the parts
 * Weir needs are kept; values stay in PostgreSQL's text form (the warehouse casts them, the same
 * way it reads the text of the initial `COPY`). Reference: "Logical Replication Message Formats"
 * in the PostgreSQL manual.
 */
import { WeirError } from '../../errors/weir-error.js';

/** A column value of a tuple: its text, SQL NULL, or {@link UNCHANGED_TOAST}. */
export type TupleValue = string | null | typeof UNCHANGED_TOAST;

/**
 * A TOASTed value an UPDATE did not change: PostgreSQL does not log it again, so the decoded new
 * row does not carry it and the value must be taken from the row as it was.
 */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');

/** A column of a relation, as the Relation message describes it. */
export interface RelationColumn {
  name: string;
  /** Part of the replica identity (the key PostgreSQL logs for updates and deletes). */
  key: boolean;
  typeOid: number;
  typeModifier: number;
}

/** One decoded pgoutput message. LSNs and timestamps are bigints (timestamps: microseconds since 2000-01-01 UTC). */
export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'origin'; originLsn: bigint; name: string }
  | { tag: 'relation'; relationId: number; namespace: string; name: string; replicaIdentity: string; columns: RelationColumn[] }
  | { tag: 'type'; typeOid: number; namespace: string; name: string }
  | { tag: 'insert'; relationId: number; newTuple: TupleValue[] }
  | { tag: 'update'; relationId: number; oldTuple?: TupleValue[]; oldKind?: 'key' | 'full'; newTuple: TupleValue[] }
  | { tag: 'delete'; relationId: number; oldTuple: TupleValue[]; oldKind: 'key' | 'full' }
  | { tag: 'truncate'; relationIds: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; transactional: boolean; prefix: string };

/**
 * Decodes one pgoutput message. Fails with `SOURCE_READ_FAILED` on a message it does not know
 * (a newer protocol feature such as streamed transactions, which Weir never asks for).
 *
 * @example
 * ```ts
 * const { rows } = await client.query("SELECT data FROM pg_logical_slot_peek_binary_changes('weir_orders', NULL, 1000, 'proto_version', '1', 'publication_names', 'weir_orders')");
 * const messages = rows.map((row) => parsePgoutputMessage(row.data));
 * ```
 */
export function parsePgoutputMessage(data: Buffer): PgoutputMessage {
  const reader = new MessageReader(data);
  const tag = reader.char();
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: reader.int64(), commitTime: reader.int64(), xid: reader.uint32() };
    case 'C': {
      reader.int8(); // flags, unused
      return { tag: 'commit', commitLsn: reader.int64(), endLsn: reader.int64(), commitTime: reader.int64() };
    }
    case 'O':
      return { tag: 'origin', originLsn: reader.int64(), name: reader.string() };
    case 'R': {
      const relationId = reader.uint32();
      const namespace = reader.string();
      const name = reader.string();
      const replicaIdentity = String.fromCharCode(reader.int8());
      const count = reader.int16();
      const columns: RelationColumn[] = [];
      for (let index = 0; index < count; index++) {
        const flags = reader.int8();
        columns.push({ key: (flags & 1) === 1, name: reader.string(), typeOid: reader.uint32(), typeModifier: reader.int32() });
      }
      return { tag: 'relation', relationId, namespace, name, replicaIdentity, columns };
    }
    case 'Y':
      return { tag: 'type', typeOid: reader.uint32(), namespace: reader.string(), name: reader.string() };
    case 'I': {
      const relationId = reader.uint32();
      reader.expect('N');
      return { tag: 'insert', relationId, newTuple: reader.tuple() };
    }
    case 'U': {
      const relationId = reader.uint32();
      const next = reader.char();
      if (next === 'N') return { tag: 'update', relationId, newTuple: reader.tuple() };
      const oldKind = oldKindOf(next);
      const oldTuple = reader.tuple();
      reader.expect('N');
      return { tag: 'update', relationId, oldKind, oldTuple, newTuple: reader.tuple() };
    }
    case 'D': {
      const relationId = reader.uint32();
      const oldKind = oldKindOf(reader.char());
      return { tag: 'delete', relationId, oldKind, oldTuple: reader.tuple() };
    }
    case 'T': {
      const count = reader.uint32();
      const options = reader.int8();
      const relationIds: number[] = [];
      for (let index = 0; index < count; index++) relationIds.push(reader.uint32());
      return { tag: 'truncate', relationIds, cascade: (options & 1) === 1, restartIdentity: (options & 2) === 2 };
    }
    case 'M': {
      const transactional = reader.int8() === 1;
      reader.int64();
      return { tag: 'message', transactional, prefix: reader.string() };
    }
    default:
      throw new WeirError('SOURCE_READ_FAILED', `unknown pgoutput message "${tag}" (byte 0x${data[0]?.toString(16) ?? '??'}) from the PostgreSQL source`, {
        hint: 'Weir reads pgoutput protocol version 1; this is a bug if the server sent it for that version',
      });
  }
}

/**
 * An LSN as PostgreSQL spells it (`16/B374D848`).
 *
 * @example
 * ```ts
 * formatLsn(0x16b374d848n); // '16/B374D848'
 * ```
 */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * An LSN in PostgreSQL's spelling (`16/B374D848`) as a number, for comparing.
 *
 * @example
 * ```ts
 * parseLsn('16/B374D848'); // 0x16b374d848n
 * ```
 */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (match === null) throw new WeirError('SOURCE_READ_FAILED', `"${text}" is not a PostgreSQL LSN`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 UTC). */
const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;

/**
 * A pgoutput timestamp (microseconds since 2000-01-01 UTC) as a `TIMESTAMP` literal in UTC, with
 * every microsecond kept (a JavaScript Date would drop the last three digits).
 *
 * @example
 * ```ts
 * formatTimestamp(0n); // '2000-01-01 00:00:00.000000'
 * ```
 */
export function formatTimestamp(postgresMicros: bigint): string {
  const unixMicros = postgresMicros + POSTGRES_EPOCH_MICROS;
  const millis = unixMicros / 1000n - (unixMicros % 1000n < 0n ? 1n : 0n);
  const micros = unixMicros - millis * 1000n;
  const iso = new Date(Number(millis)).toISOString(); // 2000-01-01T00:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${micros.toString().padStart(3, '0')}`;
}

function oldKindOf(marker: string): 'key' | 'full' {
  if (marker === 'K') return 'key';
  if (marker === 'O') return 'full';
  throw new WeirError('SOURCE_READ_FAILED', `malformed pgoutput message: expected "K", "O" or "N", found "${marker}"`);
}

/** Reads the big-endian fields of one message, failing clearly on a message cut short. */
class MessageReader {
  private offset = 0;

  constructor(private readonly data: Buffer) {}

  char(): string {
    return String.fromCharCode(this.int8());
  }

  expect(marker: string): void {
    const found = this.char();
    if (found !== marker) throw new WeirError('SOURCE_READ_FAILED', `malformed pgoutput message: expected "${marker}", found "${found}"`);
  }

  int8(): number {
    this.need(1);
    return this.data.readUInt8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const value = this.data.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.data.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4);
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  int64(): bigint {
    this.need(8);
    const value = this.data.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A NUL-terminated string. */
  string(): string {
    const end = this.data.indexOf(0, this.offset);
    if (end === -1) this.need(this.data.length - this.offset + 1);
    const text = this.data.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  /** TupleData: a count, then per column 'n' (NULL), 'u' (unchanged TOAST), 't' + Int32 length + text, or 'b' (binary, never requested). */
  tuple(): TupleValue[] {
    const count = this.int16();
    const values: TupleValue[] = [];
    for (let index = 0; index < count; index++) {
      const kind = this.char();
      if (kind === 'n') values.push(null);
      else if (kind === 'u') values.push(UNCHANGED_TOAST);
      else if (kind === 't') {
        const length = this.int32();
        this.need(length);
        values.push(this.data.toString('utf8', this.offset, this.offset + length));
        this.offset += length;
      } else throw new WeirError('SOURCE_READ_FAILED', `malformed pgoutput message: unknown column kind "${kind}"`, { hint: 'Weir asks for text values; binary values are not supported' });
    }
    return values;
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.data.length) {
      throw new WeirError('SOURCE_READ_FAILED', `malformed pgoutput message: it ends after ${this.data.length} byte(s), ${this.offset + bytes} needed`);
    }
  }
}
