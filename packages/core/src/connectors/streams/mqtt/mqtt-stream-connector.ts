/**
 * MQTT as a stream source (MQTT 5, tested with Mosquitto): a persistent session (fixed client id,
 * `clean: false`, a long session expiry) subscribed at QoS 1. The connector holds back each
 * PUBACK until the loader acknowledges the message after its warehouse commit, so the broker keeps
 * every message not yet stored and sends it again when the session reconnects.
 *
 * Limits that follow from MQTT itself:
 * - There is no stable message id (packet ids are reused), so the id is `sha256:` of topic and
 *   payload. Producers should put a unique id in the payload: two identical messages on one topic
 *   are otherwise one message to the loader.
 * - The broker keeps messages only for topics the session subscribed to: messages published before
 *   the first `open` of a client id are not received.
 * - The broker's queue for an offline session is bounded (Mosquitto `max_queued_messages`, 1000 by
 *   default; beyond it QoS 1 messages are dropped): raise it when the loader runs rarely.
 * - `lag()` is null: MQTT cannot tell how many messages wait.
 */
import { createHash } from 'node:crypto';
// Loaded when a connection opens: the client costs start-up time for every other command.
import type { IPublishPacket, MqttClient } from 'mqtt';
import { WeirError, messageOf } from '../../../errors/weir-error.js';
import { describeConnectionString, secretMasker } from '../../../errors/mask-connection-string.js';
import type { StreamConnector, StreamMessage } from '../stream-connector.js';

/** Where to read. */
export interface MqttStreamOptions {
  /** `mqtt://user:password@host:port` (or `mqtts://`), usually from `${ENV}` in the project. */
  url: string;
  /** The topic filter to subscribe to; `+` and `#` wildcards are allowed. */
  topic: string;
  /** Fixed per source: the broker keeps the session (and the unacknowledged messages) under it. */
  clientId: string;
  /**
   * How many unacknowledged messages the broker may send ahead (MQTT 5 Receive Maximum, default
   * 1000). Keep it at least as large as the loader's largest fetch, or a fetch never fills.
   */
  receiveMaximum?: number;
  /** How long the broker keeps the session while no loader is connected (default: never expires). */
  sessionExpirySeconds?: number;
  /** Gives up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** The source's name, to say which source a message is about. */
  name?: string;
}

/** A delivered QoS 1 message and the packet id its PUBACK names. */
interface Pending {
  message: StreamMessage;
  packetId: number;
  sequence: number;
}

/** The part of mqtt.js that sends a packet; see `sendPuback` for why it is used. */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }, callback: (error?: Error) => void): void;
}

const NEVER_EXPIRES = 0xffffffff;
/** Returned to mqtt.js so that it does not send the PUBACK itself. */
const HELD_BACK = new Error('PUBACK held back until the message is stored');

/**
 * A connector on one MQTT topic filter. Constructing it does not connect; `open` does.
 *
 * @example
 * ```ts
 * const connector = openMqttStreamConnector({ url: process.env.MQTT_URL!, topic: 'plant/+/readings', clientId: 'weir-readings' });
 * await connector.open(new Map());
 * const batch = await connector.fetch(500, 1_000);
 * // ... commit batch to the warehouse, then:
 * await connector.acknowledge(batch);
 * await connector.close();
 * ```
 */
export function openMqttStreamConnector(options: MqttStreamOptions): StreamConnector {
  if (typeof options.topic !== 'string' || options.topic.length === 0) throw new WeirError('CONFIG_INVALID', 'an MQTT stream source needs a topic');
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) {
    throw new WeirError('CONFIG_INVALID', 'an MQTT stream source needs a fixed clientId: the broker keeps unacknowledged messages under it');
  }
  const receiveMaximum = options.receiveMaximum ?? 1000;
  if (!Number.isInteger(receiveMaximum) || receiveMaximum < 1 || receiveMaximum > 65_535) {
    throw new WeirError('CONFIG_INVALID', `the MQTT receiveMaximum must be an integer from 1 to 65535, got ${String(options.receiveMaximum)}`);
  }
  const sessionExpiry = options.sessionExpirySeconds ?? NEVER_EXPIRES;
  if (!Number.isInteger(sessionExpiry) || sessionExpiry < 1 || sessionExpiry > NEVER_EXPIRES) {
    throw new WeirError('CONFIG_INVALID', `the MQTT sessionExpirySeconds must be a positive integer, got ${String(options.sessionExpirySeconds)}`);
  }
  return new MqttStreamConnector(options, receiveMaximum, sessionExpiry);
}

class MqttStreamConnector implements StreamConnector {
  readonly type = 'mqtt';
  readonly describe: string;
  private readonly mask: (text: string) => string;
  private client: MqttClient | undefined;
  private buffered: StreamMessage[] = [];
  /** QoS 1 messages whose PUBACK is held back, in delivery order. */
  private readonly unacked = new Map<StreamMessage, Pending>();
  private readonly waiters = new Set<() => void>();
  private sequence = 0;
  private failure: WeirError | undefined;
  private ready = false;
  private closing = false;

  constructor(
    private readonly options: MqttStreamOptions,
    private readonly receiveMaximum: number,
    private readonly sessionExpiry: number,
  ) {
    const where = `${describeConnectionString(options.url)} topic "${options.topic}"`;
    this.describe = options.name ? `${options.name}: ${where}` : where;
    this.mask = secretMasker(options.url);
  }

  async open(_positions: ReadonlyMap<string, string>): Promise<void> {
    if (this.client || this.closing) throw new WeirError('INTERNAL', `the MQTT connector for ${this.describe} was already opened`);
    const connectTimeout = this.options.connectTimeoutMs ?? 5_000;
    const { connect } = await import('mqtt');
    let client: MqttClient;
    try {
      client = connect(this.options.url, {
        protocolVersion: 5,
        clientId: this.options.clientId,
        clean: false,
        // A lost connection fails the load; the next load reconnects and gets what was not acknowledged.
        reconnectPeriod: 0,
        connectTimeout,
        resubscribe: false,
        manualConnect: true,
        properties: { sessionExpiryInterval: this.sessionExpiry, receiveMaximum: this.receiveMaximum },
      });
    } catch (error) {
      throw new WeirError('CONFIG_INVALID', `the MQTT source URL ${describeConnectionString(this.options.url)} is not valid: ${this.mask(messageOf(error))}`);
    }
    this.client = client;
    // Set before connecting: a resumed session sends its waiting messages right after CONNACK.
    client.handleMessage = (packet, done) => this.receive(packet, done);
    client.on('error', (error) => this.fail(this.mask(messageOf(error))));
    client.on('disconnect', (packet) => this.fail(`the broker disconnected (reason code ${packet.reasonCode ?? 'unknown'}; another client with the same clientId?)`));
    client.on('close', () => this.fail('the connection to the broker closed'));
    try {
      await this.connected(client, connectTimeout);
    } catch (error) {
      await this.close();
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot connect to the MQTT broker at ${describeConnectionString(this.options.url)}: ${this.mask(messageOf(error))}`, {
        hint: 'check the host, port, user and password in the source URL, and that the broker is running',
      });
    }
    try {
      // Retain handling 1: retained messages come with the first subscription only, not on every open.
      await client.subscribeAsync(this.options.topic, { qos: 1, rh: 1 });
      if (this.failure) throw this.failure;
      this.ready = true;
    } catch (error) {
      const reason = error instanceof WeirError ? error.message : this.mask(messageOf(error));
      await this.close();
      throw new WeirError('SOURCE_UNAVAILABLE', `cannot subscribe to ${this.describe}: ${reason}`, {
        hint: 'check that the topic filter is valid and that the user may subscribe to it',
      });
    }
  }

  async fetch(max: number, waitMs: number): Promise<StreamMessage[]> {
    this.assertUsable();
    if (this.buffered.length === 0 && waitMs > 0) await this.arrival(waitMs);
    this.assertUsable();
    return this.buffered.splice(0, Math.max(0, max));
  }

  async acknowledge(messages: readonly StreamMessage[]): Promise<void> {
    const pending = this.pendingOf(messages);
    if (pending.length === 0) return;
    const client = this.client;
    if (!client || !this.ready || this.failure || !client.connected) throw this.ackFailure(this.failure?.message ?? 'the connection is closed');
    try {
      // MQTT wants PUBACKs in the order the messages arrived.
      await Promise.all(pending.map((entry) => this.sendPuback(client, entry)));
      // PUBACK has no reply. An UNSUBSCRIBE of a filter we never subscribed to does, and the broker
      // handles a connection's packets in order: its UNSUBACK means the broker has the PUBACKs.
      await client.unsubscribeAsync(this.barrierTopic());
    } catch (error) {
      throw this.ackFailure(this.mask(messageOf(error)));
    }
  }

  async lag(): Promise<number | null> {
    return null;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wake();
    const client = this.client;
    this.client = undefined;
    this.buffered = [];
    this.unacked.clear();
    if (!client) return;
    // Forced: the socket closes without a DISCONNECT and without any held-back PUBACK, so the
    // broker keeps the session and sends the unacknowledged messages to the next connection.
    await new Promise<void>((resolve) => client.end(true, () => resolve()));
  }

  private connected(client: MqttClient, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        client.removeListener('connect', onConnect);
        client.removeListener('error', finish);
        client.removeListener('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = () => finish();
      const onClose = () => finish(new Error('the connection closed before the broker answered'));
      const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      client.once('connect', onConnect);
      client.once('error', finish);
      client.once('close', onClose);
      client.connect();
    });
  }

  /**
   * Called by mqtt.js for each PUBLISH, one at a time. mqtt.js sends the PUBACK when `done` is
   * called without an error and processes no further packet until `done` is called, so holding
   * `done` (or `customHandleAcks`' callback) would stall the connection after one message. Instead
   * `done(HELD_BACK)` lets it go on without a PUBACK, and `acknowledge` sends it later.
   */
  private receive(packet: IPublishPacket, done: (error?: Error) => void): void {
    if (this.closing) {
      done(HELD_BACK);
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    // MQTT topics cannot contain U+0000, so the separator keeps topic and payload apart.
    const id = `sha256:${createHash('sha256').update(packet.topic, 'utf8').update('\u0000').update(payload).digest('hex')}`;
    const message: StreamMessage = { id, payload, subject: packet.topic };
    this.buffered.push(message);
    this.wake();
    if (packet.qos > 0 && packet.messageId !== undefined) {
      this.unacked.set(message, { message, packetId: packet.messageId, sequence: this.sequence++ });
      done(HELD_BACK);
    } else {
      done();
    }
  }

  /**
   * mqtt.js has no public call for a PUBACK sent later, so this uses its internal `_sendPacket`
   * (mqtt.js 5); the conformance suite's redelivery tests fail if a new version changes it.
   */
  private sendPuback(client: MqttClient, entry: Pending): Promise<void> {
    this.unacked.delete(entry.message);
    return new Promise((resolve, reject) => {
      (client as unknown as PacketSender)._sendPacket({ cmd: 'puback', messageId: entry.packetId, reasonCode: 0 }, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** A filter never subscribed to (and never the source's own), for the acknowledgement round trip. */
  private barrierTopic(): string {
    const topic = `weir/ack-barrier/${this.options.clientId}`;
    return topic === this.options.topic ? `${topic}/barrier` : topic;
  }

  /** The held-back messages behind `messages`, in delivery order. Copies are matched by id. */
  private pendingOf(messages: readonly StreamMessage[]): Pending[] {
    const found = new Set<Pending>();
    for (const message of messages) {
      let entry = this.unacked.get(message);
      if (!entry) {
        for (const candidate of this.unacked.values()) {
          if (candidate.message.id === message.id && !found.has(candidate)) {
            entry = candidate;
            break;
          }
        }
      }
      if (entry) found.add(entry);
    }
    return [...found].sort((a, b) => a.sequence - b.sequence);
  }

  private ackFailure(reason: string): WeirError {
    return new WeirError('SOURCE_READ_FAILED', `cannot acknowledge messages of ${this.describe}: ${reason}`, {
      hint: 'the loaded data is committed; the broker sends these messages again and the loader skips them as already loaded',
    });
  }

  private fail(reason: string): void {
    if (this.closing || this.failure) return;
    this.failure = new WeirError('SOURCE_READ_FAILED', `reading ${this.describe} failed: ${reason}`, {
      hint: 'unacknowledged messages stay in the session; the next load receives them again',
    });
    this.wake();
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (!this.client || !this.ready) throw new WeirError('INTERNAL', `the MQTT connector for ${this.describe} is not open`);
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
