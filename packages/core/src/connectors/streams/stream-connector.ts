/**
 * The stream connector contract: what a message broker must offer for Weir to load its messages
 * exactly once. A connector only delivers and acknowledges; the stream loader
 * (`ingest-stream.ts`) owns the rest: it writes each micro-batch, the message ids and the
 * brokers' positions into the warehouse in one transaction and acknowledges only afterwards.
 *
 * Exactly once then follows from two rules every connector keeps:
 * - a message's `id` is the same every time the broker delivers it (a redelivery after a crash
 *   between the commit and the acknowledgement is recognised and skipped);
 * - `open(positions)` resumes after the stored positions (brokers that resume by position, such as
 *   Kafka offsets or Redis stream ids) or after the last acknowledged message (brokers that track
 *   acknowledgements, such as NATS JetStream, RabbitMQ and MQTT with a persistent session).
 */

/** One message as the broker delivered it. */
export interface StreamMessage {
  /**
   * Unique within the source and the same on every redelivery: `stream:sequence` for JetStream,
   * the entry id for Redis, `topic/partition/offset` for Kafka, the `message_id` property (or a
   * hash of the payload) for RabbitMQ, a hash of topic and payload for MQTT.
   */
  id: string;
  /** The payload as sent (JSON is expected; the loader dead-letters what does not parse). */
  payload: Buffer;
  /** The subject, topic, routing key or stream key it came on. */
  subject: string;
  /** For brokers that resume by position: the partition (Kafka `topic/partition`, Redis key) ... */
  partition?: string;
  /** ... and the position in it that `open` resumes after (Kafka offset, Redis entry id). */
  position?: string;
  /** When the broker received it (ms since the epoch), where it says. */
  publishedAt?: number;
}

/** What a stream connector can tell about where it stands. */
export interface StreamConnectorInfo {
  /** `nats`, `redis`, `rabbitmq`, `mqtt`, `kafka`: names the system in messages. */
  readonly type: string;
  /** Where it reads, for messages and logs, with no password in it. */
  readonly describe: string;
}

/** A broker consumer for one source table. One instance is used by one loader at a time. */
export interface StreamConnector extends StreamConnectorInfo {
  /**
   * Connects and starts consuming. `positions` maps each partition to the last position stored
   * with the loaded data (empty on the first load); position-based brokers resume after it,
   * acknowledgement-based ones ignore it and resume after their last acknowledged message.
   * Fails with `SOURCE_UNAVAILABLE` when the broker cannot be reached.
   */
  open(positions: ReadonlyMap<string, string>): Promise<void>;
  /**
   * Up to `max` messages in broker order, waiting at most `waitMs` for the first one; an empty
   * array when none arrived. Messages returned and not acknowledged are delivered again after the
   * connector is closed and opened again (or, for position-based brokers, opened at the same
   * positions).
   */
  fetch(max: number, waitMs: number): Promise<StreamMessage[]>;
  /** Tells the broker that `messages` are stored; called only after the warehouse commit. */
  acknowledge(messages: readonly StreamMessage[]): Promise<void>;
  /** Messages in the broker not yet delivered to this consumer, when the broker can tell; else null. */
  lag(): Promise<number | null>;
  /** Disconnects without acknowledging anything more; safe to call twice. */
  close(): Promise<void>;
}
