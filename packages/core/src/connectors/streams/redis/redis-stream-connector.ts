/**
 * Redis Streams as a stream source: one stream key read with `XREAD` from a cursor. Redis streams
 * resume by POSITION: a message's id, partition and position are its entry id and the key, the
 * loader stores the last position with the data, and `open(positions)` reads after it. No consumer
 * group is used, so nothing is acknowledged on the server and nothing is left pending there.
 *
 * The payload is the entry's `payload` field (what Weir asks producers to write:
 * `XADD key * payload '{"id":1}'`); an entry without one arrives as the JSON object of all its
 * fields (`{"id":"1","status":"paid"}`, values as strings), so streams written by other tools
 * still load.
 *
 * Trimming (`MAXLEN`, `MINID`, `XTRIM`) can remove entries nobody loaded yet. When the stored
 * position, or the cursor while reading, is older than the stream's first entry, the entries in
 * between are gone: the connector fails with `SOURCE_READ_FAILED` instead of skipping them quietly
 * (unless the source says `onTrimmed: 'skip'`).
 */
// Loaded when a connection opens: the client costs start-up time for every other command.
import type { Redis } from 'ioredis';
import { WeirError, isWeirError, messageOf } from '../../../errors/weir-error.js';
import { maskConnectionString, secretMasker } from '../../../errors/mask-connection-string.js';
import type { StreamConnector, StreamMessage } from '../stream-connector.js';

/** Where to read. */
export interface RedisStreamOptions {
  /** `redis://user:password@host:6379/0` (`rediss://` for TLS). */
  url: string;
  /** The stream's key. */
  key: string;
  /** The source's name, to say which source a message is about. */
  name?: string;
  /** What to do when entries after the stored position were trimmed away: fail (default) or go on from the oldest entry left. */
  onTrimmed?: 'fail' | 'skip';
  /** Gives up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
}

const START = '0-0';
const ID = /^\d+(-\d+)?$/;
/** Counting the entries after a cursor walks them; past this many `lag()` says "unknown" instead of blocking Redis. */
const COUNT_CAP = 20_000;
/** Counts entries after ARGV[1] (exclusive) page by page, stopping at ARGV[2]. */
const COUNT_AFTER = `
local from, cap, n = '(' .. ARGV[1], tonumber(ARGV[2]), 0
while n < cap do
  local page = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 1000)
  n = n + #page
  if #page < 1000 then break end
  from = '(' .. page[#page][1]
end
return n`;
/** Entry ids of auto-generated entries are milliseconds; smaller ones were chosen by hand and say nothing about time. */
const YEAR_2000_MS = 946_684_800_000;

/**
 * A Redis stream reader for the stream loader. Constructing does not connect; `open` does, and
 * fails with `SOURCE_UNAVAILABLE` within `connectTimeoutMs` when Redis cannot be reached (no
 * endless reconnecting).
 *
 * `acknowledge` does nothing on the server: the position stored with the loaded data is the only
 * record of progress, so a crash between the warehouse commit and anything else loses nothing and
 * repeats nothing.
 *
 * @example
 * ```ts
 * const source = openRedisStreamConnector({ url: process.env.REDIS_URL!, key: 'orders' });
 * await source.open(storedPositions); // e.g. Map { 'orders' => '1718000000000-3' }
 * const batch = await source.fetch(500, 1_000);
 * // ... commit batch and positionsOf(batch) to the warehouse ...
 * await source.close();
 * ```
 */
export function openRedisStreamConnector(options: RedisStreamOptions): StreamConnector {
  if (options.key.length === 0) throw new WeirError('CONFIG_INVALID', 'the Redis stream key is empty', { hint: 'name the stream key the producers XADD to' });
  return new RedisStreamConnector(options);
}

interface StreamState {
  length: number;
  first: string | undefined;
  last: string;
  /** Entries ever added (Redis 7); undefined on older servers. */
  added: number | undefined;
}

class RedisStreamConnector implements StreamConnector {
  readonly type = 'redis';
  readonly describe: string;
  private readonly mask: (text: string) => string;
  private redis: Redis | undefined;
  private cursor = START;
  private read = 0;
  /** A moment where the lag was known: later lags follow from `entries-added` and what was read since. */
  private anchor: { added: number; lag: number; read: number } | undefined;

  constructor(private readonly options: RedisStreamOptions) {
    this.mask = secretMasker(options.url);
    const where = `Redis stream "${options.key}" at ${maskConnectionString(options.url)}`;
    this.describe = options.name ? `${options.name}: ${where}` : where;
  }

  async open(positions: ReadonlyMap<string, string>): Promise<void> {
    if (this.redis) return;
    const stored = positions.get(this.options.key);
    if (stored !== undefined && !ID.test(stored)) throw new WeirError('CONFIG_INVALID', `${this.describe}: the stored position "${stored}" is not a stream entry id`);
    let opened = false;
    let lastError: unknown;
    const { Redis: RedisClient } = await import('ioredis');
    const redis = new RedisClient(this.options.url, {
      lazyConnect: true,
      connectTimeout: this.options.connectTimeoutMs ?? 5_000,
      maxRetriesPerRequest: 1,
      // Never retry the first connection (open must fail fast); after that, a few quick retries.
      retryStrategy: (times) => (opened && times <= 5 ? Math.min(times * 200, 1_000) : null),
      connectionName: 'weir-ingest',
    });
    // Without a listener ioredis reports connection errors as unhandled; the commands fail anyway.
    redis.on('error', (error: unknown) => {
      lastError = error;
    });
    try {
      await redis.connect();
      opened = true;
    } catch (error) {
      // Once the failed connection has ended, disconnect() would arm a 2 s timer waiting for a
      // socket that already closed, keeping the process alive for nothing.
      if (redis.status !== 'end') redis.disconnect();
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to ${this.describe}: ${this.mask(messageOf(lastError ?? error))}`, {
        hint: 'check the host, port and password in the source URL and that Redis is running',
      });
    }
    try {
      const type = await redis.type(this.options.key);
      if (type !== 'stream' && type !== 'none') throw new WeirError('CONFIG_INVALID', `${this.describe}: the key holds a ${type}, not a stream`, { hint: 'name the key producers XADD to' });
      this.redis = redis;
      this.cursor = stored === undefined ? START : normalise(stored);
      this.read = 0;
      this.anchor = undefined;
      const state = type === 'stream' && this.cursor !== START ? await this.state() : undefined;
      if (state) this.checkNotTrimmed(state);
    } catch (error) {
      this.redis = undefined;
      redis.disconnect();
      throw this.readFailed('opening', error);
    }
  }

  async fetch(max: number, waitMs: number): Promise<StreamMessage[]> {
    const redis = this.requireOpen();
    const key = this.options.key;
    const block = waitMs >= 1 ? ['BLOCK', Math.ceil(waitMs)] : [];
    // Both go out at once; the first-entry check is answered before XREAD starts blocking.
    const first = this.cursor === START ? Promise.resolve([]) : redis.xrange(key, '-', '+', 'COUNT', 1);
    const reply = redis.xreadBuffer('COUNT', Math.max(1, max), ...(block as ['BLOCK', number]), 'STREAMS', key, this.cursor);
    let entries: [Buffer, Buffer[]][];
    try {
      const [[oldest], result] = await Promise.all([first, reply]);
      if (oldest && compareIds(oldest[0], this.cursor) > 0) this.checkNotTrimmed({ first: oldest[0], last: oldest[0], length: 1, added: undefined });
      entries = (result?.[0]?.[1] ?? []) as [Buffer, Buffer[]][];
    } catch (error) {
      throw this.readFailed('reading', error);
    }
    const messages = entries.slice(0, max).map(([id, fields]) => this.toMessage(id.toString(), fields));
    if (messages.length > 0) this.cursor = messages[messages.length - 1]!.id;
    this.read += messages.length;
    return messages;
  }

  /** Nothing to tell Redis: progress is the position stored with the data (see the class comment). */
  async acknowledge(_messages: readonly StreamMessage[]): Promise<void> {
    this.requireOpen();
  }

  async lag(): Promise<number | null> {
    const redis = this.requireOpen();
    try {
      const state = await this.state();
      if (state === undefined) {
        this.anchor = undefined;
        return 0;
      }
      if (this.anchor && state.added !== undefined) return Math.max(0, state.added - this.anchor.added + this.anchor.lag - (this.read - this.anchor.read));
      if (state.first === undefined || compareIds(this.cursor, state.first) < 0) return this.remember(state, state.length);
      if (compareIds(this.cursor, state.last) >= 0) return this.remember(state, 0);
      // Resumed in the middle of the stream: count once, in one transaction with the stream's state.
      const results = await redis.multi().xinfo('STREAM', this.options.key).eval(COUNT_AFTER, 1, this.options.key, this.cursor, COUNT_CAP).exec();
      const [infoResult, countResult] = results ?? [];
      if (!infoResult || !countResult || infoResult[0] || countResult[0]) throw infoResult?.[0] ?? countResult?.[0] ?? new Error('the transaction was aborted');
      const count = Number(countResult[1]);
      return count >= COUNT_CAP ? null : this.remember(parseState(infoResult[1]), count);
    } catch (error) {
      throw this.readFailed('measuring the backlog of', error);
    }
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    // disconnect, not quit: quit would wait for a blocked XREAD; disconnect also cancels reconnects.
    redis?.disconnect();
  }

  /** The stream's length, first and last ids; undefined when the key does not exist. */
  private async state(): Promise<StreamState | undefined> {
    try {
      return parseState(await this.requireOpen().xinfo('STREAM', this.options.key));
    } catch (error) {
      if (/no such key/i.test(messageOf(error))) return undefined;
      throw error;
    }
  }

  private remember(state: StreamState, lag: number): number {
    if (state.added !== undefined) this.anchor = { added: state.added, lag, read: this.read };
    return lag;
  }

  /** Fails when entries after the cursor may have been trimmed away (see the file comment). */
  private checkNotTrimmed(state: StreamState): void {
    const cursor = this.cursor;
    if (compareIds(state.last, cursor) < 0) {
      throw new WeirError('SOURCE_READ_FAILED', `${this.describe}: the stored position ${cursor} is after the stream's last entry ${state.last}; the stream was probably deleted and created again`, {
        hint: 'entries with smaller ids than the stored position would never be read; reset the source if this is a new stream',
      });
    }
    const trimmed = state.first === undefined ? compareIds(state.last, cursor) > 0 : compareIds(state.first, cursor) > 0;
    if (!trimmed) return;
    if (this.options.onTrimmed === 'skip') {
      this.cursor = START;
      return;
    }
    const now = state.first === undefined ? 'it is empty now' : `its oldest entry is now ${state.first}`;
    throw new WeirError('SOURCE_READ_FAILED', `${this.describe} was trimmed past the position ${cursor} Weir has loaded up to (${now}): entries after ${cursor} were removed before they were loaded, and are lost`, {
      hint: "keep more entries (a larger MAXLEN or MINID) or load more often; set onTrimmed: 'skip' on the source to accept the loss and go on from the oldest entry left",
    });
  }

  private toMessage(id: string, fields: Buffer[]): StreamMessage {
    let payload: Buffer | undefined;
    const record: Record<string, string> = {};
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const field = fields[index]!.toString('utf8');
      if (field === 'payload') payload = fields[index + 1]!;
      record[field] = fields[index + 1]!.toString('utf8');
    }
    const milliseconds = Number(id.slice(0, id.indexOf('-')));
    return {
      id,
      payload: payload ?? Buffer.from(JSON.stringify(record), 'utf8'),
      subject: this.options.key,
      partition: this.options.key,
      position: id,
      ...(milliseconds >= YEAR_2000_MS ? { publishedAt: milliseconds } : {}),
    };
  }

  private requireOpen(): Redis {
    if (!this.redis) throw new WeirError('INTERNAL', `${this.describe} is not open`);
    return this.redis;
  }

  private readFailed(doing: string, error: unknown): WeirError {
    if (isWeirError(error)) return error;
    return new WeirError('SOURCE_READ_FAILED', `${doing} ${this.describe} failed: ${this.mask(messageOf(error))}`);
  }
}

/** XINFO STREAM's flat `[name, value, ...]` reply (RESP2, and RESP3 in ioredis's legacy mapping). */
function parseState(reply: unknown): StreamState {
  const fields = new Map<string, unknown>();
  const list = reply as unknown[];
  for (let index = 0; index + 1 < list.length; index += 2) fields.set(String(list[index]), list[index + 1]);
  const firstEntry = fields.get('first-entry') as [string, unknown] | null | undefined;
  const added = fields.get('entries-added');
  return { length: Number(fields.get('length') ?? 0), first: firstEntry?.[0] ?? undefined, last: String(fields.get('last-generated-id') ?? START), added: added === undefined ? undefined : Number(added) };
}

function normalise(id: string): string {
  return id.includes('-') ? id : `${id}-0`;
}

/** Entry ids are `milliseconds-sequence`, both up to 64 bits: compared as numbers, not strings. */
function compareIds(a: string, b: string): number {
  const [am, as] = normalise(a).split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = normalise(b).split('-').map(BigInt) as [bigint, bigint];
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}
