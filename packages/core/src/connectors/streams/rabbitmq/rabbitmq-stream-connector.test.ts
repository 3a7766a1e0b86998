/**
 * The RabbitMQ stream connector against the local broker: the shared conformance suite, plus ids
 * for messages without `message_id` and queues that already exist with other arguments.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rabbitmqService, testAmqpUrl } from '../../../testing/broker-services.js';
import { describeWithService } from '../../../testing/services.js';
import { fetchAtLeast, streamConnectorConformance, type StreamFixture, type StreamHarness } from '../../../testing/stream-connector-conformance.js';
import { openRabbitmqStreamConnector } from './rabbitmq-stream-connector.js';

let publisher: ChannelModel;
let channel: ConfirmChannel;

function uniqueQueue(): string {
  return `weir-test-${randomBytes(6).toString('hex')}`;
}

/** Publishes persistent messages and waits for the broker's confirms. */
async function send(queue: string, messages: ReadonlyArray<{ payload: string; messageId?: string }>): Promise<void> {
  for (const message of messages) {
    channel.sendToQueue(queue, Buffer.from(message.payload, 'utf8'), { persistent: true, ...(message.messageId === undefined ? {} : { messageId: message.messageId }) });
  }
  await channel.waitForConfirms();
}

async function fixtureFor(queue: string): Promise<StreamFixture> {
  await channel.assertQueue(queue, { durable: true });
  let sent = 0;
  return {
    connector: () => openRabbitmqStreamConnector({ url: testAmqpUrl(), queue }),
    publish: (payloads) => send(queue, payloads.map((payload) => ({ payload, messageId: `${queue}-${sent++}` }))),
    cleanup: async () => {
      await channel.deleteQueue(queue);
    },
  };
}

const harness: StreamHarness = {
  create: () => fixtureFor(uniqueQueue()),
  unreachable: () => openRabbitmqStreamConnector({ url: 'amqp://guest:s3cret@127.0.0.1:1', queue: 'orders' }),
};

await describeWithService(rabbitmqService, 'RabbitMQ stream connector', () => {
  beforeAll(async () => {
    publisher = await connect(testAmqpUrl());
    channel = await publisher.createConfirmChannel();
  });
  afterAll(async () => {
    await publisher?.close();
  });

  streamConnectorConformance(harness);

  it('uses message_id when set, else a hash of the payload, so identical payloads share an id', async () => {
    const queue = uniqueQueue();
    const fixture = await fixtureFor(queue);
    const connector = fixture.connector();
    try {
      await send(queue, [{ payload: '{"a":1}' }, { payload: '{"a":1}' }, { payload: '{"a":2}' }, { payload: '{"a":1}', messageId: 'order-17' }]);
      await connector.open(new Map());
      const received = await fetchAtLeast(connector, 4);
      expect(received.map((message) => message.payload.toString('utf8'))).toEqual(['{"a":1}', '{"a":1}', '{"a":2}', '{"a":1}']);
      const [first, second, third, fourth] = received.map((message) => message.id);
      expect(first).toBe(`sha256:${createHash('sha256').update('{"a":1}').digest('hex')}`);
      expect(second).toBe(first);
      expect(third).toBe(`sha256:${createHash('sha256').update('{"a":2}').digest('hex')}`);
      expect(fourth).toBe('order-17');
      expect(received.every((message) => message.subject === queue)).toBe(true);
    } finally {
      await connector.close();
      await fixture.cleanup();
    }
  });

  it('consumes a queue that exists with other arguments without changing it', async () => {
    const queue = uniqueQueue();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-max-length': 1000 } });
    const connector = openRabbitmqStreamConnector({ url: testAmqpUrl(), queue });
    try {
      await send(queue, [{ payload: '{"kept":true}', messageId: 'm1' }]);
      await connector.open(new Map());
      const received = await fetchAtLeast(connector, 1);
      expect(received.map((message) => message.id)).toEqual(['m1']);
      await connector.acknowledge(received);
      // Redeclaring with the original arguments still succeeds only if the connector left them alone.
      await expect(channel.assertQueue(queue, { durable: true, arguments: { 'x-max-length': 1000 } })).resolves.toMatchObject({ queue, messageCount: 0 });
    } finally {
      await connector.close();
      await channel.deleteQueue(queue);
    }
  });
});
