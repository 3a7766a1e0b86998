import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WeirError } from '../../../errors/weir-error.js';
import { redisService, testRedisUrl } from '../../../testing/broker-services.js';
import { describeWithService } from '../../../testing/services.js';
import { fetchAtLeast, positionsOf, streamConnectorConformance } from '../../../testing/stream-connector-conformance.js';
import type { StreamFixture, StreamHarness } from '../../../testing/stream-connector-conformance.js';
import type { RedisStreamOptions } from './redis-stream-connector.js';
import { openRedisStreamConnector } from './redis-stream-connector.js';

let admin: Redis;

/** A new stream key `weir-test:<random>`, fed with `XADD key * payload <text>`. */
function createStream(extra: Partial<RedisStreamOptions> = {}): StreamFixture & { key: string } {
  const key = `weir-test:${randomBytes(6).toString('hex')}`;
  return {
    key,
    connector: () => openRedisStreamConnector({ url: testRedisUrl(), key, ...extra }),
    publish: async (payloads) => {
      for (const payload of payloads) await admin.xadd(key, '*', 'payload', payload);
    },
    cleanup: async () => {
      await admin.del(key);
    },
  };
}

const harness: StreamHarness = {
  create: async () => createStream(),
  unreachable: () => openRedisStreamConnector({ url: 'redis://:s3cret@127.0.0.1:1', key: 'orders', connectTimeoutMs: 2_000 }),
};

async function expectError(promise: Promise<unknown>, code: string): Promise<WeirError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WeirError);
  expect((error as WeirError).code).toBe(code);
  return error as WeirError;
}

await describeWithService(redisService, 'Redis stream connector', () => {
  beforeAll(() => {
    admin = new Redis(testRedisUrl());
  });
  afterAll(() => {
    admin?.disconnect();
  });

  streamConnectorConformance(harness);

  it('delivers an entry without a payload field as the JSON object of its fields, and a payload field as it is', async () => {
    const fixture = createStream();
    const connector = fixture.connector();
    try {
      await admin.xadd(fixture.key, '*', 'order_id', '17', 'status', 'paid ✓');
      await admin.xadd(fixture.key, '*', 'payload', '{"n":1}', 'source', 'shop');
      await connector.open(new Map());
      const received = await fetchAtLeast(connector, 2);
      expect(JSON.parse(received[0]!.payload.toString('utf8'))).toEqual({ order_id: '17', status: 'paid ✓' });
      expect(received[1]!.payload.toString('utf8')).toBe('{"n":1}');
      expect(received.map((message) => [message.subject, message.partition])).toEqual([
        [fixture.key, fixture.key],
        [fixture.key, fixture.key],
      ]);
      expect(received.map((message) => message.position)).toEqual(received.map((message) => message.id));
    } finally {
      await connector.close();
      await fixture.cleanup();
    }
  });

  it('fails with SOURCE_READ_FAILED when the stream was trimmed past the stored position', async () => {
    const fixture = createStream();
    const payloads = Array.from({ length: 10 }, (_, index) => `m${index}`);
    await fixture.publish(payloads);
    const first = fixture.connector();
    const second = fixture.connector();
    try {
      await first.open(new Map());
      const stored = (await fetchAtLeast(first, 3)).slice(0, 3);
      await first.close();
      await admin.xtrim(fixture.key, 'MAXLEN', 5);
      const error = await expectError(second.open(positionsOf(stored)), 'SOURCE_READ_FAILED');
      expect(error.message).toContain(stored[2]!.id);
      expect(error.message).toMatch(/trimmed/);
    } finally {
      await first.close();
      await second.close();
      await fixture.cleanup();
    }
  });

  it('notices trimming past the cursor while reading, and goes on from the oldest entry when told to skip', async () => {
    const fixture = createStream();
    await fixture.publish(['a', 'b', 'c', 'd', 'e', 'f']);
    const strict = fixture.connector();
    const lenient = openRedisStreamConnector({ url: testRedisUrl(), key: fixture.key, onTrimmed: 'skip' });
    try {
      await strict.open(new Map());
      const stored = await fetchAtLeast(strict, 2);
      await admin.xtrim(fixture.key, 'MAXLEN', 2);
      await expectError(strict.fetch(10, 100), 'SOURCE_READ_FAILED');
      await lenient.open(positionsOf(stored));
      const rest = await fetchAtLeast(lenient, 2);
      expect(rest.map((message) => message.payload.toString('utf8'))).toEqual(['e', 'f']);
    } finally {
      await strict.close();
      await lenient.close();
      await fixture.cleanup();
    }
  });

  it('counts the entries after a stored position in the middle of the stream, and follows new ones', async () => {
    const fixture = createStream();
    await fixture.publish(Array.from({ length: 10 }, (_, index) => `m${index}`));
    const first = fixture.connector();
    const second = fixture.connector();
    try {
      await first.open(new Map());
      const stored = (await fetchAtLeast(first, 4)).slice(0, 4);
      await first.close();
      await second.open(positionsOf(stored));
      expect(await second.lag()).toBe(6);
      await fixture.publish(['n1', 'n2']);
      expect(await second.lag()).toBe(8);
      const received = await fetchAtLeast(second, 8);
      expect(received.map((message) => message.payload.toString('utf8'))).toEqual(['m4', 'm5', 'm6', 'm7', 'm8', 'm9', 'n1', 'n2']);
      expect(await second.lag()).toBe(0);
    } finally {
      await first.close();
      await second.close();
      await fixture.cleanup();
    }
  });

  it('refuses a key that holds something other than a stream', async () => {
    const key = `weir-test:${randomBytes(6).toString('hex')}`;
    await admin.set(key, 'not a stream');
    const connector = openRedisStreamConnector({ url: testRedisUrl(), key });
    try {
      const error = await expectError(connector.open(new Map()), 'CONFIG_INVALID');
      expect(error.message).toContain('string');
    } finally {
      await connector.close();
      await admin.del(key);
    }
  });

  it('acknowledging changes nothing on the server: only the positions passed to open decide where reading resumes', async () => {
    const fixture = createStream();
    await fixture.publish(['a', 'b', 'c']);
    const first = fixture.connector();
    const second = fixture.connector();
    try {
      await first.open(new Map());
      const received = await fetchAtLeast(first, 3);
      await first.acknowledge(received);
      await first.close();
      await second.open(new Map());
      expect((await fetchAtLeast(second, 3)).map((message) => message.id)).toEqual(received.map((message) => message.id));
    } finally {
      await first.close();
      await second.close();
      await fixture.cleanup();
    }
  });
});
