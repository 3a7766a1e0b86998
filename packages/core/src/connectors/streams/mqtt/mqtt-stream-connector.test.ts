/**
 * The MQTT stream connector against the local Mosquitto: the shared conformance suite, plus
 * wildcard subscriptions that report each message's own topic.
 */
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mqttService, testMqttUrl } from '../../../testing/broker-services.js';
import { describeWithService } from '../../../testing/services.js';
import { fetchAtLeast, streamConnectorConformance, type StreamFixture, type StreamHarness } from '../../../testing/stream-connector-conformance.js';
import { openMqttStreamConnector } from './mqtt-stream-connector.js';

let publisher: MqttClient;

function unique(): string {
  return randomBytes(6).toString('hex');
}

async function publish(topic: string, payloads: readonly string[]): Promise<void> {
  // One at a time, each awaited until the broker's PUBACK: the broker has them, in this order.
  for (const payload of payloads) await publisher.publishAsync(topic, Buffer.from(payload, 'utf8'), { qos: 1 });
}

/**
 * A fixture on `filter`. MQTT keeps messages only for existing subscriptions, so the session is
 * created (one open and close) before anything is published, as a loader's first run would.
 */
async function fixtureFor(filter: string, publishTopic: string): Promise<StreamFixture> {
  const clientId = `weir-test-${unique()}`;
  const connector = () => openMqttStreamConnector({ url: testMqttUrl(), topic: filter, clientId });
  const first = connector();
  await first.open(new Map());
  await first.close();
  return {
    connector,
    publish: (payloads) => publish(publishTopic, payloads),
    cleanup: async () => {
      // A clean start with no session expiry removes the session and whatever it still held.
      const cleaner = await connectAsync(testMqttUrl(), { protocolVersion: 5, clientId, clean: true, reconnectPeriod: 0, properties: { sessionExpiryInterval: 0 } });
      await cleaner.endAsync();
    },
  };
}

const harness: StreamHarness = {
  create: () => {
    const topic = `weir-test/${unique()}/events`;
    return fixtureFor(topic, topic);
  },
  unreachable: () => openMqttStreamConnector({ url: 'mqtt://weir:s3cret@127.0.0.1:1', topic: 'events', clientId: 'weir-unreachable' }),
};

await describeWithService(mqttService, 'MQTT stream connector', () => {
  beforeAll(async () => {
    publisher = await connectAsync(testMqttUrl(), { protocolVersion: 5, reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await publisher?.endAsync();
  });

  streamConnectorConformance(harness);

  it('delivers the messages of every topic a wildcard matches, each with its own topic as subject', async () => {
    const root = `weir-test/${unique()}`;
    const fixture = await fixtureFor(`${root}/+/readings`, `${root}/unused`);
    const connector = fixture.connector();
    try {
      await publish(`${root}/north/readings`, ['{"t":1}']);
      await publish(`${root}/north/alarms`, ['{"skip":true}']);
      await publish(`${root}/south/readings`, ['{"t":2}']);
      await connector.open(new Map());
      const received = await fetchAtLeast(connector, 2);
      expect(received.map((message) => [message.subject, message.payload.toString('utf8')])).toEqual([
        [`${root}/north/readings`, '{"t":1}'],
        [`${root}/south/readings`, '{"t":2}'],
      ]);
      expect(await connector.fetch(10, 300)).toEqual([]);
      // The same payload on two topics is two messages.
      await publish(`${root}/east/readings`, ['{"t":1}']);
      const [east] = await fetchAtLeast(connector, 1);
      expect(east?.subject).toBe(`${root}/east/readings`);
      expect(east?.id).not.toBe(received[0]?.id);
    } finally {
      await connector.close();
      await fixture.cleanup();
    }
  });

  it('fails a fetch with SOURCE_READ_FAILED when another client takes the session over', async () => {
    const topic = `weir-test/${unique()}/events`;
    const fixture = await fixtureFor(topic, topic);
    const first = fixture.connector();
    const second = fixture.connector();
    try {
      await first.open(new Map());
      await second.open(new Map());
      const error = await fetchAtLeast(first, 1, 5_000).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ name: 'WeirError', code: 'SOURCE_READ_FAILED' });
      await fixture.publish(['{"after":"takeover"}']);
      expect((await fetchAtLeast(second, 1)).map((message) => message.payload.toString('utf8'))).toEqual(['{"after":"takeover"}']);
    } finally {
      await first.close();
      await second.close();
      await fixture.cleanup();
    }
  });
});
