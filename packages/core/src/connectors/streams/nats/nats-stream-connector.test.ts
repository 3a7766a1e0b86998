import { randomBytes } from 'node:crypto';
import { AckPolicy, StringCodec, connect } from 'nats';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WeirError } from '../../../errors/weir-error.js';
import { natsService, testNatsUrl } from '../../../testing/broker-services.js';
import { describeWithService } from '../../../testing/services.js';
import { fetchAtLeast, streamConnectorConformance } from '../../../testing/stream-connector-conformance.js';
import type { StreamFixture, StreamHarness } from '../../../testing/stream-connector-conformance.js';
import type { StreamConnector, StreamMessage } from '../stream-connector.js';
import { openNatsStreamConnector } from './nats-stream-connector.js';

const codec = StringCodec();
let admin: NatsConnection;

/** A new stream `WEIR_TEST_<random>` over the subjects `<stream>.>`; messages go to `<stream>.events` unless told. */
async function createStream(subject?: (stream: string) => string): Promise<StreamFixture & { stream: string }> {
  const stream = `WEIR_TEST_${randomBytes(5).toString('hex')}`;
  const manager = await admin.jetstreamManager();
  await manager.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const js = admin.jetstream();
  return {
    stream,
    connector: () => openNatsStreamConnector({ url: testNatsUrl(), stream, consumer: 'weir', ...(subject ? { subject: subject(stream) } : {}) }),
    publish: async (payloads) => {
      for (const payload of payloads) await js.publish(`${stream}.events`, codec.encode(payload));
    },
    cleanup: async () => {
      await manager.streams.delete(stream);
    },
  };
}

const harness: StreamHarness = {
  create: () => createStream(),
  unreachable: () => openNatsStreamConnector({ url: 'nats://weir:s3cret@127.0.0.1:1', stream: 'ORDERS', consumer: 'weir', connectTimeoutMs: 2_000 }),
};

function texts(messages: readonly StreamMessage[]): string[] {
  return messages.map((message) => message.payload.toString('utf8'));
}

await describeWithService(natsService, 'NATS JetStream stream connector', () => {
  beforeAll(async () => {
    admin = await connect({ servers: testNatsUrl() });
  });
  afterAll(async () => {
    await admin?.close();
  });

  streamConnectorConformance(harness);

  it('delivers only the subjects matching the filter, and counts only those as waiting', async () => {
    const fixture = await createStream((stream) => `${stream}.keep.*`);
    const connector = fixture.connector();
    try {
      const js = admin.jetstream();
      for (const [subject, text] of [['keep.a', 'k1'], ['drop.a', 'd1'], ['keep.b', 'k2'], ['keep', 'd2'], ['keep.c', 'k3']] as const) {
        await js.publish(`${fixture.stream}.${subject}`, codec.encode(text));
      }
      await connector.open(new Map());
      expect(await connector.lag()).toBe(3);
      const received = await fetchAtLeast(connector, 3);
      expect(texts(received)).toEqual(['k1', 'k2', 'k3']);
      expect(received.map((message) => message.subject)).toEqual([`${fixture.stream}.keep.a`, `${fixture.stream}.keep.b`, `${fixture.stream}.keep.c`]);
      expect(await connector.fetch(10, 300)).toEqual([]);
    } finally {
      await connector.close();
      await fixture.cleanup();
    }
  });

  it('loses no message when a second instance runs while the first is closed mid-batch', async () => {
    const fixture = await createStream();
    const payloads = Array.from({ length: 20 }, (_, index) => `m${index}`);
    await fixture.publish(payloads);
    const first = fixture.connector();
    const second = fixture.connector();
    try {
      await first.open(new Map());
      await second.open(new Map());
      const batch = await fetchAtLeast(first, 10);
      expect(batch).toHaveLength(10);
      const stored = batch.slice(0, 3);
      await first.acknowledge(stored);
      const meanwhile = await fetchAtLeast(second, 10);
      await first.close();
      const afterClose = await fetchAtLeast(second, 7);
      const seen = [...texts(meanwhile), ...texts(afterClose)];
      expect([...texts(stored), ...seen].sort()).toEqual([...payloads].sort());
      await second.acknowledge([...meanwhile, ...afterClose]);
      expect(await second.fetch(10, 300)).toEqual([]);
      expect(await second.lag()).toBe(0);
    } finally {
      await first.close();
      await second.close();
      await fixture.cleanup();
    }
  });

  it('counts messages an earlier instance left unacknowledged as waiting, with ids and times from the broker', async () => {
    const fixture = await createStream();
    await fixture.publish(['a', 'b', 'c', 'd']);
    const first = fixture.connector();
    const second = fixture.connector();
    try {
      await first.open(new Map());
      const before = await fetchAtLeast(first, 4);
      await first.acknowledge(before.slice(0, 1));
      await first.close();
      await second.open(new Map());
      expect(await second.lag()).toBe(3);
      const after = await fetchAtLeast(second, 3);
      expect(after.map((message) => message.id)).toEqual([2, 3, 4].map((sequence) => `${fixture.stream}:${sequence}`));
      const day = 24 * 3600 * 1000;
      expect(after.every((message) => message.publishedAt !== undefined && Math.abs(message.publishedAt - Date.now()) < day)).toBe(true);
    } finally {
      await first.close();
      await second.close();
      await fixture.cleanup();
    }
  });

  it('creates a durable pull consumer with explicit acknowledgement, and refuses an existing one that filters differently', async () => {
    const fixture = await createStream();
    const connector = fixture.connector();
    const mismatched = openNatsStreamConnector({ url: testNatsUrl(), stream: fixture.stream, consumer: 'weir', subject: `${fixture.stream}.other` });
    try {
      await connector.open(new Map());
      const info = await (await admin.jetstreamManager()).consumers.info(fixture.stream, 'weir');
      expect(info.config.durable_name).toBe('weir');
      expect(info.config.ack_policy).toBe(AckPolicy.Explicit);
      expect(info.config.deliver_subject).toBeUndefined();
      const error = await mismatched.open(new Map()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WeirError);
      expect((error as WeirError).code).toBe('CONFIG_INVALID');
      expect((error as WeirError).message).toContain('filters');
    } finally {
      await mismatched.close();
      await connector.close();
      await fixture.cleanup();
    }
  });

  it('reports a stream that does not exist as a configuration error naming it', async () => {
    const stream = `WEIR_MISSING_${randomBytes(4).toString('hex')}`;
    const connector: StreamConnector = openNatsStreamConnector({ url: testNatsUrl(), stream, consumer: 'weir' });
    try {
      const error = await connector.open(new Map()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WeirError);
      expect((error as WeirError).code).toBe('CONFIG_INVALID');
      expect((error as WeirError).message).toContain(stream);
    } finally {
      await connector.close();
    }
  });

  it('rejects stream and consumer names NATS cannot address', () => {
    expect(() => openNatsStreamConnector({ url: testNatsUrl(), stream: 'orders.v1', consumer: 'weir' })).toThrow(/stream name "orders.v1"/);
    expect(() => openNatsStreamConnector({ url: testNatsUrl(), stream: 'ORDERS', consumer: 'we ir' })).toThrow(WeirError);
  });
});
