/**
 * Kafka as a stream source. Kafka resumes by position: every message carries its partition
 * (`topic/partition`) and offset, the loader stores the last offset per partition with the data,
 * and `open(positions)` starts each partition right after its stored offset. Acknowledging commits
 * the consumer group's offsets too, for monitoring tools and for partitions without a stored
 * position (those start at the group's committed offset, else at the earliest offset kept).
 *
 * Ids are `topic/partition/offset`: stable on every redelivery, whatever the producer sent.
 */
// Loaded when a connection opens: the client costs start-up time for every other command.
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { WeirError, messageOf } from '../../../errors/weir-error.js';
import type { StreamConnector, StreamMessage } from '../stream-connector.js';

/** Where to read. */
export interface KafkaStreamOptions {
  /** `host:port` of one or more brokers. */
  brokers: string[];
  topic: string;
  /** The consumer group; fixed per source. */
  groupId: string;
  /** Names this client in the brokers' logs (default `weir`). */
  clientId?: string;
  /** Fetching from the brokers pauses while this many messages wait in memory (default 10 000). */
  maxBuffered?: number;
  /** Gives up connecting to a broker after this long (default 3 s). */
  connectTimeoutMs?: number;
  /** The source's name, to say which source a message is about. */
  name?: string;
}

/**
 * A connector on one Kafka topic, all its partitions. Constructing it does not connect; `open` does.
 *
 * @example
 * ```ts
 * const connector = openKafkaStreamConnector({ brokers: ['kafka:9092'], topic: 'orders', groupId: 'weir-orders' });
 * await connector.open(storedPositions); // e.g. Map { 'orders/0' => '41' }: resumes at offset 42
 * const batch = await connector.fetch(500, 1_000);
 * // ... commit batch and positionsOf(batch) to the warehouse, then:
 * await connector.acknowledge(batch);
 * await connector.close();
 * ```
 */
export function openKafkaStreamConnector(options: KafkaStreamOptions): StreamConnector {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) throw new WeirError('CONFIG_INVALID', 'a Kafka stream source needs at least one broker (host:port)');
  if (typeof options.topic !== 'string' || options.topic.length === 0) throw new WeirError('CONFIG_INVALID', 'a Kafka stream source needs a topic');
  if (typeof options.groupId !== 'string' || options.groupId.length === 0) throw new WeirError('CONFIG_INVALID', 'a Kafka stream source needs a consumer groupId');
  const maxBuffered = options.maxBuffered ?? 10_000;
  if (!Number.isInteger(maxBuffered) || maxBuffered < 1) throw new WeirError('CONFIG_INVALID', `the Kafka maxBuffered must be a positive integer, got ${String(options.maxBuffered)}`);
  return new KafkaStreamConnector(options, maxBuffered);
}

class KafkaStreamConnector implements StreamConnector {
  readonly type = 'kafka';
  readonly describe: string;
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private buffered: StreamMessage[] = [];
  /** Per partition number: the offset after the last message put into the buffer. */
  private readonly nextBuffered = new Map<number, bigint>();
  /** Per partition number: the offset after the last message `fetch` returned (or the start). */
  private readonly nextReturned = new Map<number, bigint>();
  /** Per partition number: the offset last committed by `acknowledge`. */
  private readonly committed = new Map<number, bigint>();
  private readonly waiters = new Set<() => void>();
  private failure: WeirError | undefined;
  private paused = false;
  private ready = false;
  private closing = false;

  constructor(
    private readonly options: KafkaStreamOptions,
    private readonly maxBuffered: number,
  ) {
    const where = `Kafka ${options.brokers.join(',')} topic "${options.topic}" group "${options.groupId}"`;
    this.describe = options.name ? `${options.name}: ${where}` : where;
  }

  async open(positions: ReadonlyMap<string, string>): Promise<void> {
    if (this.admin || this.closing) throw new WeirError('INTERNAL', `the Kafka connector for ${this.describe} was already opened`);
    this.startAfter(positions);
    const { Kafka, logLevel } = await import('kafkajs');
    const base = { brokers: this.options.brokers, clientId: this.options.clientId ?? 'weir', connectionTimeout: this.options.connectTimeoutMs ?? 3_000, logLevel: logLevel.NOTHING };
    // The admin client fails fast (a few retries): an unreachable cluster is reported within
    // seconds. The consumer keeps kafkajs' patient defaults for the brokers' own hiccups.
    const admin = new Kafka({ ...base, retry: { retries: 2, initialRetryTime: 250, maxRetryTime: 1_000 } }).admin();
    this.admin = admin;
    try {
      await admin.connect();
    } catch (error) {
      await this.close();
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to ${this.describe}: ${messageOf(error)}`, {
        hint: 'check the broker addresses (host:port, as the brokers advertise them) and that Kafka is running',
      });
    }
    try {
      await admin.fetchTopicMetadata({ topics: [this.options.topic] });
    } catch (error) {
      await this.close();
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot read the topic of ${this.describe}: ${messageOf(error)}`, { hint: 'check that the topic exists' });
    }
    const consumer = new Kafka(base).consumer({ groupId: this.options.groupId, allowAutoTopicCreation: false });
    this.consumer = consumer;
    // Runs on every (re)join, before the first fetch of the new assignment: partitions continue
    // after what this connector already buffered, else after the stored positions.
    // kafkajs calls this synchronously inside the join, so a throw here would break the join.
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      try {
        for (const partition of event.payload.memberAssignment[this.options.topic] ?? []) {
          const next = this.nextBuffered.get(partition);
          if (next !== undefined) consumer.seek({ topic: this.options.topic, partition, offset: next.toString() });
        }
      } catch (error) {
        this.fail(`cannot seek to the stored positions: ${messageOf(error)}`);
      }
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) this.fail(messageOf(event.payload.error));
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachMessage: async ({ partition, message }) => this.receive(partition, message) });
      this.ready = true;
    } catch (error) {
      await this.close();
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot consume ${this.describe}: ${messageOf(error)}`);
    }
  }

  async fetch(max: number, waitMs: number): Promise<StreamMessage[]> {
    this.assertUsable();
    if (this.buffered.length === 0 && waitMs > 0) await this.arrival(waitMs);
    this.assertUsable();
    const batch = this.buffered.splice(0, Math.max(0, max));
    for (const message of batch) this.nextReturned.set(partitionNumber(message), BigInt(message.position!) + 1n);
    if (this.paused && this.buffered.length <= this.maxBuffered / 2) {
      this.paused = false;
      this.consumer!.resume([{ topic: this.options.topic }]);
    }
    return batch;
  }

  async acknowledge(messages: readonly StreamMessage[]): Promise<void> {
    const next = new Map<number, bigint>();
    for (const message of messages) {
      if (message.partition === undefined || message.position === undefined || !message.partition.startsWith(`${this.options.topic}/`)) continue;
      const partition = partitionNumber(message);
      const after = BigInt(message.position) + 1n;
      if (after > (next.get(partition) ?? -1n) && after > (this.committed.get(partition) ?? -1n)) next.set(partition, after);
    }
    if (next.size === 0) return;
    if (!this.consumer || !this.ready || this.failure) throw this.ackFailure(this.failure?.message ?? 'the connector is closed');
    try {
      await this.consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic: this.options.topic, partition, offset: offset.toString() })));
      for (const [partition, offset] of next) this.committed.set(partition, offset);
    } catch (error) {
      throw this.ackFailure(messageOf(error));
    }
  }

  async lag(): Promise<number | null> {
    this.assertUsable();
    try {
      const admin = this.admin!;
      const topicOffsets = await admin.fetchTopicOffsets(this.options.topic);
      const unknown = topicOffsets.some(({ partition }) => !this.nextReturned.has(partition));
      const groupOffsets = unknown ? await admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] }) : [];
      const committed = new Map((groupOffsets[0]?.partitions ?? []).map(({ partition, offset }) => [partition, BigInt(offset)]));
      let lag = 0n;
      for (const { partition, high, low } of topicOffsets) {
        const groupOffset = committed.get(partition) ?? -1n;
        const next = this.nextReturned.get(partition) ?? (groupOffset >= 0n ? groupOffset : BigInt(low));
        if (BigInt(high) > next) lag += BigInt(high) - next;
      }
      return Number(lag);
    } catch (error) {
      throw new WeirError('SOURCE_READ_FAILED', `cannot read the offsets of ${this.describe}: ${messageOf(error)}`);
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wake();
    this.buffered = [];
    // Leaving the group commits nothing (autoCommit is off): what was not acknowledged is read
    // again from the stored positions next time.
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    this.admin = undefined;
  }

  /** Partitions with a stored position start right after it. */
  private startAfter(positions: ReadonlyMap<string, string>): void {
    const prefix = `${this.options.topic}/`;
    for (const [key, position] of positions) {
      const partition = key.startsWith(prefix) ? Number(key.slice(prefix.length)) : Number.NaN;
      if (!Number.isInteger(partition) || partition < 0) continue;
      if (!/^\d+$/.test(position)) throw new WeirError('CONFIG_INVALID', `the stored Kafka position "${position}" of ${key} is not an offset`);
      this.nextBuffered.set(partition, BigInt(position) + 1n);
      this.nextReturned.set(partition, BigInt(position) + 1n);
    }
  }

  private receive(partition: number, message: KafkaMessage): void {
    if (this.closing) return;
    const key = `${this.options.topic}/${partition}`;
    this.buffered.push({
      id: `${key}/${message.offset}`,
      payload: message.value ?? Buffer.alloc(0),
      subject: this.options.topic,
      partition: key,
      position: message.offset,
      publishedAt: Number(message.timestamp),
    });
    this.nextBuffered.set(partition, BigInt(message.offset) + 1n);
    this.wake();
    // Backpressure: kafkajs stops fetching paused partitions and stops this batch after this message.
    if (!this.paused && this.buffered.length >= this.maxBuffered) {
      this.paused = true;
      this.consumer?.pause([{ topic: this.options.topic }]);
    }
  }

  private ackFailure(reason: string): WeirError {
    return new WeirError('SOURCE_READ_FAILED', `cannot commit the consumer offsets of ${this.describe}: ${reason}`, {
      hint: 'the loaded data and its positions are committed in the warehouse; the next load resumes after them',
    });
  }

  private fail(reason: string): void {
    if (this.closing || this.failure) return;
    this.failure = new WeirError('SOURCE_READ_FAILED', `reading ${this.describe} failed: ${reason}`, { hint: 'the next load resumes after the stored positions' });
    this.wake();
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (!this.consumer || !this.ready) throw new WeirError('INTERNAL', `the Kafka connector for ${this.describe} is not open`);
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

/** The partition number of a message this connector made (`topic/partition`). */
function partitionNumber(message: StreamMessage): number {
  const key = message.partition!;
  return Number(key.slice(key.lastIndexOf('/') + 1));
}
