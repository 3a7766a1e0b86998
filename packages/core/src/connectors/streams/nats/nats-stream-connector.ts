/**
 * NATS JetStream as a stream source: a durable PULL consumer with explicit acknowledgement on one
 * stream (optionally narrowed by a filter subject). JetStream tracks what was acknowledged, so a
 * reopened connector resumes after the last acknowledged message and the stored positions are not
 * used. Message ids are `stream:sequence`, the same on every redelivery.
 *
 * Pulls are plain `$JS.API.CONSUMER.MSG.NEXT` requests answered on one inbox the connector keeps
 * for its whole life: a message the server hands out late still lands somewhere that will either
 * return it or nak it, instead of sitting unacknowledged until `ack_wait` runs out.
 * `{ no_wait, expires }` makes the server wait up to `expires` for the first message and then
 * answer at once with what it has (NATS server 2.9 or newer).
 */
import type { ConsumerConfig, JetStreamManager, Msg, NatsConnection, NatsError, Subscription } from 'nats';
import { WeirError, isWeirError, messageOf } from '../../../errors/weir-error.js';
import { maskConnectionString, secretMasker } from '../../../errors/mask-connection-string.js';
import type { StreamConnector, StreamMessage } from '../stream-connector.js';

/** Where and how to consume. */
export interface NatsStreamOptions {
  /** `nats://user:password@host:4222` (a comma-separated list for a cluster); a lone user name is a token. */
  url: string;
  /** The JetStream stream to read; it must exist. */
  stream: string;
  /** Only messages on subjects matching this filter (`orders.*.created`); default: the whole stream. */
  subject?: string;
  /** The durable consumer's name: Weir's place in the stream. Created when missing. */
  consumer: string;
  /** The source's name, to say which source a message is about. */
  name?: string;
  /** How long the server waits for an acknowledgement before redelivering (default 30 s). */
  ackWaitMs?: number;
  /** Gives up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** Gives up on a JetStream API call or an acknowledgement after this long (default 10 s). */
  requestTimeoutMs?: number;
}

const NAME = /^[^\s.*>/\\]+$/;
const ACK = new TextEncoder().encode('+ACK');
const NAK = new TextEncoder().encode('-NAK');
const encodeJson = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** The client, loaded when a connection opens: it costs start-up time for every other command. */
type Nats = typeof import('nats');
let nats: Nats | undefined;
async function loadNats(): Promise<Nats> {
  nats ??= await import('nats');
  return nats;
}
/** JetStream's wire values (the client's enums, without loading the client). */
const AckPolicyExplicit = 'explicit' as ConsumerConfig['ack_policy'];
const DeliverPolicyAll = 'all' as ConsumerConfig['deliver_policy'];
const nanoseconds = (ms: number): number => ms * 1_000_000;
/** Below this the server may drop an expiring pull silently; shorter waits become an immediate pull. */
const MIN_EXPIRES_MS = 10;

/**
 * A JetStream consumer for the stream loader. Constructing does not connect; `open` does, and
 * creates the durable pull consumer (explicit ack, deliver all, `ack_wait` 30 s) when it is missing.
 *
 * Redelivery has two paths. `close()` naks what was fetched and not acknowledged, so the next
 * instance gets it at once. A process that is killed cannot nak: its messages come back only after
 * `ack_wait`, which is why it is long enough for a slow warehouse commit yet short enough that a
 * restarted loader does not wait long (raise it with `ackWaitMs` for very large batches).
 *
 * @example
 * ```ts
 * const source = openNatsStreamConnector({ url: process.env.NATS_URL!, stream: 'ORDERS', subject: 'orders.created', consumer: 'weir-orders' });
 * await source.open(new Map());
 * const batch = await source.fetch(500, 1_000);
 * // ... commit batch to the warehouse ...
 * await source.acknowledge(batch);
 * await source.close();
 * ```
 */
export function openNatsStreamConnector(options: NatsStreamOptions): StreamConnector {
  for (const [what, value] of [['stream', options.stream], ['consumer', options.consumer]] as const) {
    if (!NAME.test(value)) throw new WeirError('CONFIG_INVALID', `the NATS ${what} name "${value}" is not valid`, { hint: 'names may not be empty or contain spaces, ".", "*", ">", "/" or "\\"' });
  }
  return new NatsStreamConnector(options);
}

interface Pull {
  token: string;
  remaining: number;
  finish: (error?: Error) => void;
}

class NatsStreamConnector implements StreamConnector {
  readonly type = 'nats';
  readonly describe: string;
  private readonly mask: (text: string) => string;
  private connection: NatsConnection | undefined;
  private manager: JetStreamManager | undefined;
  private inbox = '';
  private subscription: Subscription | undefined;
  private pulls = 0;
  private pull: Pull | undefined;
  private pulling: Promise<void> | undefined;
  /** Received from the server and not yet returned by `fetch`. */
  private buffer: StreamMessage[] = [];
  /** Every message received and neither acknowledged nor nakked, by id, to ack or nak it later. */
  private readonly unacknowledged = new Map<string, Msg>();

  constructor(private readonly options: NatsStreamOptions) {
    this.mask = secretMasker(options.url);
    const filter = options.subject ? `, subject "${options.subject}"` : '';
    const where = `NATS stream "${options.stream}" (consumer "${options.consumer}"${filter}) at ${maskConnectionString(options.url)}`;
    this.describe = options.name ? `${options.name}: ${where}` : where;
  }

  async open(_positions: ReadonlyMap<string, string>): Promise<void> {
    if (this.connection) return;
    const server = parseServers(this.options.url, this.mask);
    let connection: NatsConnection;
    try {
      const { connect } = await loadNats();
      connection = await connect({ ...server, name: 'weir-ingest', timeout: this.options.connectTimeoutMs ?? 5_000, maxReconnectAttempts: 10, reconnectTimeWait: 1_000 });
    } catch (error) {
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to ${this.describe}: ${this.mask(messageOf(error))}`, {
        hint: 'check the host, port and credentials in the source URL and that nats-server is running',
      });
    }
    try {
      this.manager = await this.prepare(connection);
      this.inbox = (await loadNats()).createInbox();
      this.subscription = connection.subscribe(`${this.inbox}.*`, { callback: (error, message) => this.receive(error, message) });
      this.connection = connection;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  async fetch(max: number, waitMs: number): Promise<StreamMessage[]> {
    this.requireOpen();
    if (this.buffer.length === 0 && max > 0) {
      this.pulling = this.request(max, waitMs);
      try {
        await this.pulling;
      } finally {
        this.pulling = undefined;
      }
    }
    return this.buffer.splice(0, max);
  }

  async acknowledge(messages: readonly StreamMessage[]): Promise<void> {
    const connection = this.requireOpen();
    const timeout = this.options.requestTimeoutMs ?? 10_000;
    const known = messages.flatMap((message) => {
      const raw = this.unacknowledged.get(message.id);
      return raw?.reply ? [{ id: message.id, reply: raw.reply }] : [];
    });
    if (known.length === 0) return;
    // Plain publishes, and a request for the last one: the server answers it once the consumer has
    // recorded that ack, and it records a connection's acks in the order they were sent, so the
    // answer means none of the batch will be delivered again. One round trip per batch, not per
    // message (which took a third of a load's time).
    try {
      for (const { reply } of known.slice(0, -1)) connection.publish(reply, ACK);
      await connection.request(known[known.length - 1]!.reply, ACK, { timeout });
    } catch (error) {
      throw new WeirError('SOURCE_READ_FAILED', `acknowledging messages on ${this.describe} failed: ${this.mask(messageOf(error))}`, {
        hint: 'the messages not acknowledged are delivered again and skipped as already loaded',
      });
    }
    for (const { id } of known) this.unacknowledged.delete(id);
  }

  async lag(): Promise<number | null> {
    this.requireOpen();
    try {
      const info = await this.manager!.consumers.info(this.options.stream, this.options.consumer);
      // num_pending: never delivered. num_ack_pending minus what this instance holds: delivered
      // to an earlier instance (nakked or lost with it) and waiting to be delivered again.
      return info.num_pending + this.buffer.length + Math.max(0, info.num_ack_pending - this.unacknowledged.size);
    } catch (error) {
      throw this.readFailed('reading the consumer state of', error);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = undefined;
    await this.pulling?.catch(() => undefined);
    // Stop taking messages first, so that nothing arrives after the naks went out.
    await this.subscription?.drain().catch(() => undefined);
    // Nak = "deliver again now": without it the next instance would wait out ack_wait.
    const timeout = this.options.requestTimeoutMs ?? 10_000;
    const replies = [...this.unacknowledged.values()].flatMap((message) => (message.reply ? [message.reply] : []));
    await Promise.allSettled(replies.map((reply) => connection.request(reply, NAK, { timeout })));
    this.unacknowledged.clear();
    this.buffer = [];
    await connection.drain().catch(() => connection.close());
  }

  /** Checks the stream and finds or creates the durable consumer. */
  private async prepare(connection: NatsConnection): Promise<JetStreamManager> {
    const { stream, consumer, subject } = this.options;
    let manager: JetStreamManager;
    try {
      manager = await connection.jetstreamManager({ timeout: this.options.requestTimeoutMs ?? 10_000 });
    } catch (error) {
      throw new WeirError('SOURCE_UNAVAILABLE', `${this.describe}: JetStream does not answer: ${this.mask(messageOf(error))}`, { hint: 'start nats-server with JetStream enabled (-js)' });
    }
    try {
      await manager.streams.info(stream);
    } catch (error) {
      if (apiCode(error) === 404) throw new WeirError('CONFIG_INVALID', `${this.describe}: the stream "${stream}" does not exist`, { hint: 'create it (nats stream add) or fix the stream name' });
      throw this.readFailed('reading the stream of', error);
    }
    let config: ConsumerConfig | undefined;
    try {
      config = (await manager.consumers.info(stream, consumer)).config;
    } catch (error) {
      if (apiCode(error) !== 404) throw this.readFailed('reading the consumer of', error);
    }
    if (config === undefined) {
      const wanted: Partial<ConsumerConfig> = { durable_name: consumer, ack_policy: AckPolicyExplicit, deliver_policy: DeliverPolicyAll, ack_wait: nanoseconds(this.options.ackWaitMs ?? 30_000) };
      if (subject) wanted.filter_subject = subject;
      try {
        await manager.consumers.add(stream, wanted);
      } catch (error) {
        // 400: the server refuses the configuration, typically a filter outside the stream's subjects.
        if (apiCode(error) === 400) throw new WeirError('CONFIG_INVALID', `${this.describe}: the consumer cannot be created: ${this.mask(messageOf(error))}`, { hint: "the subject filter must lie within the stream's subjects" });
        throw this.readFailed('creating the consumer of', error);
      }
    } else {
      const problem = config.deliver_subject
        ? 'is a push consumer; Weir needs a pull consumer'
        : config.ack_policy !== AckPolicyExplicit
          ? `acknowledges "${config.ack_policy}"; Weir needs explicit acknowledgement`
          : (config.filter_subject ?? '') !== (subject ?? '')
            ? `filters "${config.filter_subject ?? '(nothing)'}", not "${subject ?? '(nothing)'}"`
            : undefined;
      if (problem) throw new WeirError('CONFIG_INVALID', `${this.describe}: the existing consumer "${consumer}" ${problem}`, { hint: 'use another consumer name, or delete that consumer (nats consumer rm) to let Weir create it' });
    }
    return manager;
  }

  /** One pull request; resolves when the server ends it (status) or the batch is full. */
  private request(max: number, waitMs: number): Promise<void> {
    const connection = this.requireOpen();
    const token = String(++this.pulls);
    const expires = waitMs >= MIN_EXPIRES_MS ? waitMs : 0;
    const body = expires > 0 ? { batch: max, no_wait: true, expires: nanoseconds(expires) } : { batch: max, no_wait: true };
    return new Promise<void>((resolve, reject) => {
      // A request the server never answers (dropped, or the connection went away) ends here; a
      // late answer still reaches the inbox and is returned by the next fetch.
      const timer = setTimeout(() => finish(connection.isClosed() ? this.readFailed('pulling from', new Error('the connection is closed')) : undefined), expires + Math.min(this.options.requestTimeoutMs ?? 10_000, 5_000));
      const finish = (error?: Error) => {
        clearTimeout(timer);
        if (this.pull?.token === token) this.pull = undefined;
        if (error) reject(error);
        else resolve();
      };
      this.pull = { token, remaining: max, finish };
      try {
        connection.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.options.stream}.${this.options.consumer}`, encodeJson(body), { reply: `${this.inbox}.${token}` });
      } catch (error) {
        finish(this.readFailed('pulling from', error));
      }
    });
  }

  /** The inbox: JetStream messages (reply `$JS.ACK...`) and the status that ends each pull. */
  private receive(error: NatsError | null, message: Msg): void {
    if (error) {
      this.pull?.finish(this.readFailed('pulling from', error));
      return;
    }
    if (message.reply?.startsWith('$JS.ACK.')) {
      const streamMessage = toStreamMessage(this.options.stream, message);
      // A redelivery of a message still held (ack_wait ran out) replaces the old delivery.
      if (!this.unacknowledged.has(streamMessage.id) || !this.buffer.some((held) => held.id === streamMessage.id)) this.buffer.push(streamMessage);
      this.unacknowledged.set(streamMessage.id, message);
      if (this.pull && --this.pull.remaining <= 0) this.pull.finish();
      return;
    }
    const code = message.headers?.code ?? 0;
    const token = message.subject.slice(this.inbox.length + 1);
    if (this.pull?.token !== token || code === 100) return;
    // 404 no messages, 408 expired, 409 limits such as max waiting: the pull is over. 409
    // "Consumer Deleted" and anything else is a failure to report.
    const description = message.headers?.description ?? '';
    if (code === 404 || code === 408 || (code === 409 && !/deleted/i.test(description))) this.pull.finish();
    else this.pull.finish(this.readFailed('pulling from', new Error(`${code} ${description}`.trim())));
  }

  private requireOpen(): NatsConnection {
    if (!this.connection) throw new WeirError('INTERNAL', `${this.describe} is not open`);
    return this.connection;
  }

  private readFailed(doing: string, error: unknown): WeirError {
    if (isWeirError(error)) return error;
    return new WeirError('SOURCE_READ_FAILED', `${doing} ${this.describe} failed: ${this.mask(messageOf(error))}`);
  }
}

/** Stream sequence and server timestamp come from the reply subject, as every JetStream client reads them. */
function toStreamMessage(stream: string, message: Msg): StreamMessage {
  const tokens = message.reply!.split('.');
  // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ns>.<pending> (old) or with <domain>.<account> after ACK.
  if (tokens.length === 9) tokens.splice(2, 0, '_', '');
  const sequence = tokens[7] ?? '';
  const nanosText = tokens[9] ?? '';
  const published = /^\d+$/.test(nanosText) ? Number(BigInt(nanosText) / 1_000_000n) : undefined;
  return { id: `${stream}:${sequence}`, payload: Buffer.from(message.data), subject: message.subject, ...(published === undefined ? {} : { publishedAt: published }) };
}

/** nats.js takes credentials as options, not in the server URL: move them there. */
function parseServers(url: string, mask: (text: string) => string): { servers: string[]; user?: string; pass?: string; token?: string } {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  for (const entry of url.split(',').map((part) => part.trim()).filter((part) => part.length > 0)) {
    let parsed: URL;
    try {
      parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `nats://${entry}`);
    } catch {
      throw new WeirError('CONFIG_INVALID', `the NATS URL ${mask(maskConnectionString(entry))} is not valid`, { hint: 'write it as nats://user:password@host:4222' });
    }
    if (parsed.username && user === undefined) {
      user = decodeURIComponent(parsed.username);
      pass = parsed.password ? decodeURIComponent(parsed.password) : undefined;
    }
    servers.push(`${parsed.protocol}//${parsed.host}`);
  }
  if (servers.length === 0) throw new WeirError('CONFIG_INVALID', 'the NATS URL is empty', { hint: 'write it as nats://user:password@host:4222' });
  if (user === undefined) return { servers };
  return pass === undefined ? { servers, token: user } : { servers, user, pass };
}

function apiCode(error: unknown): number | undefined {
  const api = (error as { api_error?: { code?: number } }).api_error;
  return api?.code;
}
