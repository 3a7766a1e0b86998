/**
 * The Kafka stream connector. Kafka is not one of the services every machine and CI run has: the
 * suites that need a broker run only when `KAFKA_BROKERS` is set and are skipped with a message
 * otherwise (in CI too). Failing fast on an unreachable broker needs none, so that test always runs.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeirError } from '../../../errors/weir-error.js';
import { kafkaBrokers } from '../../../testing/broker-services.js';
import { describeWithService, type TestService } from '../../../testing/services.js';
import { fetchAtLeast, streamConnectorConformance, type StreamFixture, type StreamHarness } from '../../../testing/stream-connector-conformance.js';
import { openKafkaStreamConnector } from './kafka-stream-connector.js';

const kafkaService: TestService = { name: 'Kafka', available: async () => kafkaBrokers() !== undefined };

let admin: Admin;
let producer: Producer;

async function createFixture(options: { maxBuffered?: number } = {}): Promise<StreamFixture & { topic: string }> {
  const brokers = kafkaBrokers()!;
  const suffix = randomBytes(6).toString('hex');
  const topic = `weir-test-${suffix}`;
  const groupId = `weir-test-${suffix}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  return {
    topic,
    connector: () => openKafkaStreamConnector({ brokers, topic, groupId, ...options }),
    publish: async (payloads) => {
      await producer.send({ topic, acks: -1, messages: payloads.map((value) => ({ value: Buffer.from(value, 'utf8') })) });
    },
    cleanup: async () => {
      await admin.deleteTopics({ topics: [topic] });
      // The group exists only once offsets were committed.
      await admin.deleteGroups([groupId]).catch(() => undefined);
    },
  };
}

const harness: StreamHarness = {
  create: () => createFixture(),
  unreachable: () => openKafkaStreamConnector({ brokers: ['127.0.0.1:1'], topic: 'orders', groupId: 'weir-unreachable' }),
};

describe('Kafka stream connector without a broker', () => {
  it('fails to open with SOURCE_UNAVAILABLE within seconds when no broker answers', async () => {
    const connector = harness.unreachable();
    try {
      const error = await connector.open(new Map()).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WeirError);
      expect((error as WeirError).code).toBe('SOURCE_UNAVAILABLE');
      expect((error as WeirError).message).toContain('127.0.0.1:1');
    } finally {
      await connector.close();
    }
  }, 15_000);
});

const body = () => {
  beforeAll(async () => {
    const kafka = new Kafka({ clientId: 'weir-test', brokers: kafkaBrokers()!, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await admin.connect();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
  });

  streamConnectorConformance(harness);

  it('starts after the stored position, with topic/partition/offset ids, whatever the group committed', async () => {
    const fixture = await createFixture();
    const connector = fixture.connector();
    try {
      await fixture.publish(Array.from({ length: 10 }, (_, n) => JSON.stringify({ n })));
      await connector.open(new Map([[`${fixture.topic}/0`, '5']]));
      const received = await fetchAtLeast(connector, 4);
      expect(received.map((message) => message.payload.toString('utf8'))).toEqual(['{"n":6}', '{"n":7}', '{"n":8}', '{"n":9}']);
      expect(received.map((message) => message.id)).toEqual([6, 7, 8, 9].map((offset) => `${fixture.topic}/0/${offset}`));
      expect(received.every((message) => message.partition === `${fixture.topic}/0` && message.subject === fixture.topic)).toBe(true);
      expect(await connector.fetch(10, 500)).toEqual([]);
    } finally {
      await connector.close();
      await fixture.cleanup();
    }
  });

  it('pauses fetching while the buffer is full and loses nothing when it resumes', async () => {
    const fixture = await createFixture({ maxBuffered: 4 });
    const connector = fixture.connector();
    try {
      const payloads = Array.from({ length: 30 }, (_, n) => JSON.stringify({ n }));
      await fixture.publish(payloads);
      await connector.open(new Map());
      const received = [];
      while (received.length < payloads.length) {
        const batch = await connector.fetch(3, 2_000);
        if (batch.length === 0) break;
        received.push(...batch);
      }
      expect(received.map((message) => message.payload.toString('utf8'))).toEqual(payloads);
    } finally {
      await connector.close();
      await fixture.cleanup();
    }
  });
};

if (kafkaBrokers() === undefined) {
  // Not describeWithService: in CI that would fail the run, and Kafka is optional everywhere.
  console.warn('SKIPPED: "Kafka stream connector" needs a Kafka broker; set KAFKA_BROKERS=host:port[,...] to run it.');
  describe.skip('Kafka stream connector', body);
} else {
  await describeWithService(kafkaService, 'Kafka stream connector', body);
}
