/**
 * RabbitMQ (AMQP 0-9-1) as a stream source: one durable queue, consumed with manual
 * acknowledgements. RabbitMQ tracks what was acknowledged, so `open` ignores stored positions and
 * the broker hands back every delivery this consumer did not acknowledge (requeued at its original
 * place when the channel closes).
 *
 * Message ids: the AMQP `message_id` property when the producer set one, otherwise
 * `sha256:<hex of the payload>`. Producers should set `message_id`: without it two messages with
 * identical payloads are one message to the loader, and the second is skipped as a duplicate.
 */
import { createHash } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { WeirError, messageOf } from '../../../errors/weir-error.js';
import { describeConnectionString, secretMasker } from '../../../errors/mask-connection-string.js';
import type { StreamConnector, StreamMessage } from '../stream-connector.js';

/** Where to read. */
export interface RabbitmqStreamOptions {
  /** `amqp://user:password@host:port/vhost`, usually from `${ENV}` in the project. */
  url: string;
  /** The queue to consume; declared durable when it does not exist, used as it is when it does. */
  queue: string;
  /**
   * How many unacknowledged deliveries the broker sends ahead (default 1000). Keep it at least as
   * large as the loader's largest fetch, or a fetch never fills.
   */
  prefetch?: number;
  /** Gives up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** The source's name, to say which source a message is about. */
  name?: string;
}

interface Delivery {
  message: StreamMessage;
  raw: ConsumeMessage;
}

/**
 * A connector on one RabbitMQ queue. Constructing it does not connect; `open` does.
 *
 * @example
 * ```ts
 * const connector = openRabbitmqStreamConnector({ url: process.env.AMQP_URL!, queue: 'orders' });
 * await connector.open(new Map());
 * const batch = await connector.fetch(500, 1_000);
 * // ... commit batch to the warehouse, then:
 * await connector.acknowledge(batch);
 * await connector.close();
 * ```
 */
export function openRabbitmqStreamConnector(options: RabbitmqStreamOptions): StreamConnector {
  if (typeof options.queue !== 'string' || options.queue.length === 0) throw new WeirError('CONFIG_INVALID', 'a RabbitMQ stream source needs a queue name');
  const prefetch = options.prefetch ?? 1000;
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65_535) {
    throw new WeirError('CONFIG_INVALID', `the RabbitMQ prefetch must be an integer from 1 to 65535, got ${String(options.prefetch)}`);
  }
  return new RabbitmqStreamConnector(options.url, options.queue, prefetch, options.connectTimeoutMs ?? 5_000, options.name);
}

class RabbitmqStreamConnector implements StreamConnector {
  readonly type = 'rabbitmq';
  readonly describe: string;
  private readonly mask: (text: string) => string;
  private connection: ChannelModel | undefined;
  private channel: Channel | undefined;
  /** Delivered by the broker, not yet returned by `fetch`. */
  private buffered: Delivery[] = [];
  /** Every delivery not yet acknowledged, by delivery tag, in delivery order. */
  private readonly unacked = new Map<number, Delivery>();
  private readonly tags = new WeakMap<StreamMessage, number>();
  private readonly waiters = new Set<() => void>();
  private failure: WeirError | undefined;
  private closing = false;

  constructor(
    private readonly url: string,
    private readonly queue: string,
    private readonly prefetch: number,
    private readonly connectTimeoutMs: number,
    name: string | undefined,
  ) {
    const where = `${describeConnectionString(url)} queue "${queue}"`;
    this.describe = name ? `${name}: ${where}` : where;
    this.mask = secretMasker(url);
  }

  async open(_positions: ReadonlyMap<string, string>): Promise<void> {
    if (this.connection || this.closing) throw new WeirError('INTERNAL', `the RabbitMQ connector for ${this.describe} was already opened`);
    const connection = await this.connect();
    this.connection = connection;
    try {
      const channel = await this.declaredChannel(connection);
      this.channel = channel;
      await channel.prefetch(this.prefetch);
      await channel.consume(this.queue, (raw) => this.receive(raw), { noAck: false });
    } catch (error) {
      await this.close();
      if (error instanceof WeirError) throw error;
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot consume ${this.describe}: ${this.mask(messageOf(error))}`, {
        hint: 'check that the user may read the queue (RabbitMQ permissions on the vhost)',
      });
    }
  }

  async fetch(max: number, waitMs: number): Promise<StreamMessage[]> {
    this.assertUsable();
    if (this.buffered.length === 0 && waitMs > 0) await this.arrival(waitMs);
    this.assertUsable();
    return this.buffered.splice(0, Math.max(0, max)).map((delivery) => delivery.message);
  }

  async acknowledge(messages: readonly StreamMessage[]): Promise<void> {
    const deliveries = this.deliveriesOf(messages);
    if (deliveries.length === 0) return;
    const channel = this.channel;
    if (!channel || this.failure) throw this.ackFailure(this.failure?.message ?? 'the connector is closed');
    try {
      // One `multiple` ack when the batch is exactly the oldest deliveries (the usual case).
      const oldest = [...this.unacked.keys()].slice(0, deliveries.length);
      const prefix = deliveries.every((delivery, index) => delivery.raw.fields.deliveryTag === oldest[index]);
      if (prefix) channel.ack(deliveries[deliveries.length - 1]!.raw, true);
      else for (const delivery of deliveries) channel.ack(delivery.raw);
      for (const delivery of deliveries) this.unacked.delete(delivery.raw.fields.deliveryTag);
      // basic.ack has no reply. A passive declare on the same channel does, and RabbitMQ handles a
      // channel's methods in order: once it answers, the broker has the acks, not just our socket.
      await channel.checkQueue(this.queue);
    } catch (error) {
      throw this.ackFailure(this.mask(messageOf(error)));
    }
  }

  async lag(): Promise<number | null> {
    this.assertUsable();
    try {
      const { messageCount } = await this.channel!.checkQueue(this.queue);
      // Ready messages in the queue, plus those the broker already sent us that fetch has not returned.
      return messageCount + this.buffered.length;
    } catch (error) {
      throw new WeirError('SOURCE_READ_FAILED', `cannot read the length of ${this.describe}: ${this.mask(messageOf(error))}`);
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wake();
    // Closing the channel makes RabbitMQ requeue every unacknowledged delivery at its original
    // place; awaiting the close-ok means a consumer opened next already sees them.
    const channel = this.channel;
    const connection = this.connection;
    this.channel = undefined;
    this.connection = undefined;
    this.buffered = [];
    this.unacked.clear();
    await channel?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }

  private async connect(): Promise<ChannelModel> {
    let timer: NodeJS.Timeout | undefined;
    const attempt = connect(this.url, { timeout: this.connectTimeoutMs });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
    });
    try {
      const connection = await Promise.race([attempt, timeout]);
      // 'error' is always followed by 'close', which is where a lost connection is recorded.
      connection.on('error', () => undefined);
      connection.on('close', () => this.fail('the connection to RabbitMQ closed'));
      return connection;
    } catch (error) {
      // A connection that completes after the timeout is closed rather than leaked.
      attempt.then((late) => late.close()).catch(() => undefined);
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to RabbitMQ at ${describeConnectionString(this.url)}: ${this.mask(messageOf(error))}`, {
        hint: 'check the host, port, user, password and vhost in the source URL, and that RabbitMQ is running',
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Declares the queue durable; a queue that already exists with other arguments (a quorum queue,
   * a TTL, a length limit) is used as it is rather than changed. A failed declare closes the
   * channel, hence the second one.
   */
  private async declaredChannel(connection: ChannelModel): Promise<Channel> {
    const first = await this.newChannel(connection);
    try {
      await first.assertQueue(this.queue, { durable: true });
      return first;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 406) throw error;
    }
    const second = await this.newChannel(connection);
    await second.checkQueue(this.queue);
    return second;
  }

  private async newChannel(connection: ChannelModel): Promise<Channel> {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (channel === this.channel) this.fail('the RabbitMQ channel closed');
    });
    return channel;
  }

  private receive(raw: ConsumeMessage | null): void {
    if (this.closing) return;
    if (raw === null) {
      this.fail('RabbitMQ cancelled the consumer (was the queue deleted?)');
      return;
    }
    const messageId: unknown = raw.properties.messageId;
    const timestamp: unknown = raw.properties.timestamp;
    const message: StreamMessage = {
      id: typeof messageId === 'string' && messageId.length > 0 ? messageId : `sha256:${createHash('sha256').update(raw.content).digest('hex')}`,
      payload: raw.content,
      subject: raw.fields.routingKey,
    };
    // AMQP timestamps are seconds since the epoch.
    if (typeof timestamp === 'number') message.publishedAt = timestamp * 1000;
    const delivery = { message, raw };
    this.tags.set(message, raw.fields.deliveryTag);
    this.unacked.set(raw.fields.deliveryTag, delivery);
    this.buffered.push(delivery);
    this.wake();
  }

  /** The unacknowledged deliveries behind `messages`, oldest first. Copies are matched by id. */
  private deliveriesOf(messages: readonly StreamMessage[]): Delivery[] {
    const found = new Map<number, Delivery>();
    for (const message of messages) {
      let tag = this.tags.get(message);
      if (tag === undefined || !this.unacked.has(tag)) {
        tag = undefined;
        for (const [candidate, delivery] of this.unacked) {
          if (delivery.message.id === message.id && !found.has(candidate)) {
            tag = candidate;
            break;
          }
        }
      }
      const delivery = tag === undefined ? undefined : this.unacked.get(tag);
      if (tag !== undefined && delivery) found.set(tag, delivery);
    }
    return [...found.entries()].sort(([a], [b]) => a - b).map(([, delivery]) => delivery);
  }

  private ackFailure(reason: string): WeirError {
    return new WeirError('SOURCE_READ_FAILED', `cannot acknowledge messages of ${this.describe}: ${reason}`, {
      hint: 'the loaded data is committed; RabbitMQ delivers these messages again and the loader skips them as already loaded',
    });
  }

  private fail(reason: string): void {
    if (this.closing || this.failure) return;
    this.failure = new WeirError('SOURCE_READ_FAILED', `reading ${this.describe} failed: ${reason}`, {
      hint: 'unacknowledged messages go back to the queue; the next load receives them again',
    });
    this.wake();
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (!this.channel) throw new WeirError('INTERNAL', `the RabbitMQ connector for ${this.describe} is not open`);
  }

  private arrival(waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
