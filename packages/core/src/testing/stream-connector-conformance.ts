/**
 * The conformance suite every stream connector passes against its real broker: the guarantees
 * the stream loader's exactly-once writes rest on (stable ids, redelivery of what was not
 * acknowledged, resumption after what was stored, a clear error when the broker is away).
 */
import { expect, it } from 'vitest';
import { WeirError } from '../errors/weir-error.js';
import type { StreamConnector, StreamMessage } from '../connectors/streams/stream-connector.js';

/** One empty stream (queue, topic, subject) made for one test, and the means to feed it. */
export interface StreamFixture {
  /** A new connector on the fixture's stream; every instance has the same consumer identity. */
  connector(): StreamConnector;
  /** Publishes `payloads` in order and resolves once the broker has them. */
  publish(payloads: readonly string[]): Promise<void>;
  /** Removes the stream and anything the consumer left on the broker. */
  cleanup(): Promise<void>;
}

/** How the suite gets fixtures for one broker. */
export interface StreamHarness {
  create(): Promise<StreamFixture>;
  /** A connector configured for a port where nothing listens, with the password `s3cret` in its URL. */
  unreachable(): StreamConnector;
}

/** The last position per partition among `messages`: what the loader stores with them. */
export function positionsOf(messages: readonly StreamMessage[]): Map<string, string> {
  const positions = new Map<string, string>();
  for (const message of messages) if (message.partition !== undefined && message.position !== undefined) positions.set(message.partition, message.position);
  return positions;
}

/** Fetches until `count` messages arrived or `timeoutMs` passed (returning what came). */
export async function fetchAtLeast(connector: StreamConnector, count: number, timeoutMs = 10_000): Promise<StreamMessage[]> {
  const received: StreamMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) received.push(...(await connector.fetch(count - received.length, 250)));
  return received;
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

function texts(messages: readonly StreamMessage[]): string[] {
  return messages.map((message) => message.payload.toString('utf8'));
}

function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => JSON.stringify({ n: index, tag: prefix, text: `värde ${index} ✓` }));
}

/**
 * Registers the suite's tests in the calling `describe` block.
 *
 * @example
 * ```ts
 * await describeWithService(natsService, 'NATS connector', () => streamConnectorConformance(natsHarness));
 * ```
 */
export function streamConnectorConformance(harness: StreamHarness): void {
  async function withFixture(work: (fixture: StreamFixture, open: (positions?: Map<string, string>) => Promise<StreamConnector>) => Promise<void>): Promise<void> {
    const fixture = await harness.create();
    const opened: StreamConnector[] = [];
    const open = async (positions = new Map<string, string>()) => {
      const connector = fixture.connector();
      opened.push(connector);
      await connector.open(positions);
      return connector;
    };
    try {
      await work(fixture, open);
    } finally {
      for (const connector of opened) await connector.close();
      await fixture.cleanup();
    }
  }

  it('delivers every published message, byte for byte, in order, with unique ids', async () => {
    await withFixture(async (fixture, open) => {
      const payloads = [...numbered('a', 40), '{"broken": ', 'not json at all'];
      await fixture.publish(payloads);
      const connector = await open();
      const received = await fetchAtLeast(connector, payloads.length);
      expect(texts(received)).toEqual(payloads);
      expect(new Set(received.map((message) => message.id)).size).toBe(payloads.length);
      expect(received.every((message) => message.subject.length > 0)).toBe(true);
    });
  });

  it('returns no messages when none arrive within the wait', async () => {
    await withFixture(async (_fixture, open) => {
      const connector = await open();
      expect(await connector.fetch(10, 300)).toEqual([]);
    });
  });

  it('delivers messages that were not acknowledged again, with the same ids', async () => {
    await withFixture(async (fixture, open) => {
      await fixture.publish(numbered('b', 10));
      const first = await open();
      const before = await fetchAtLeast(first, 10);
      expect(before).toHaveLength(10);
      await first.close();
      const second = await open();
      const after = await fetchAtLeast(second, 10);
      expect(after.map((message) => message.id)).toEqual(before.map((message) => message.id));
      expect(texts(after)).toEqual(texts(before));
    });
  });

  it('does not deliver acknowledged messages again, and resumes with the new ones', async () => {
    await withFixture(async (fixture, open) => {
      await fixture.publish(numbered('c', 10));
      const first = await open();
      const stored = await fetchAtLeast(first, 10);
      await first.acknowledge(stored);
      await first.close();
      const later = numbered('d', 5);
      await fixture.publish(later);
      const second = await open(positionsOf(stored));
      const received = await fetchAtLeast(second, 5);
      expect(texts(received)).toEqual(later);
      expect(await second.fetch(10, 500)).toEqual([]);
    });
  });

  it('after a partly acknowledged batch, delivers exactly the rest', async () => {
    await withFixture(async (fixture, open) => {
      const payloads = numbered('e', 10);
      await fixture.publish(payloads);
      const first = await open();
      const batch = await fetchAtLeast(first, 10);
      const stored = batch.slice(0, 4);
      await first.acknowledge(stored);
      await first.close();
      const second = await open(positionsOf(stored));
      const rest = await fetchAtLeast(second, 6);
      expect(texts(rest)).toEqual(payloads.slice(4));
      expect(await second.fetch(10, 500)).toEqual([]);
    });
  });

  it('counts the messages waiting, when the broker can tell, down to zero once all are stored', async () => {
    await withFixture(async (fixture, open) => {
      await fixture.publish(numbered('f', 7));
      const connector = await open();
      if ((await connector.lag()) === null) return;
      expect(await eventually(() => connector.lag(), (lag) => lag === 7)).toBe(7);
      const received = await fetchAtLeast(connector, 7);
      await connector.acknowledge(received);
      expect(await eventually(() => connector.lag(), (lag) => lag === 0)).toBe(0);
    });
  });

  it('fails to open with SOURCE_UNAVAILABLE, without the password, when the broker is unreachable', async () => {
    const connector = harness.unreachable();
    try {
      const error = await connector.open(new Map()).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WeirError);
      expect((error as WeirError).code).toBe('SOURCE_UNAVAILABLE');
      expect(String((error as WeirError).message)).not.toContain('s3cret');
      expect(JSON.stringify(error)).not.toContain('s3cret');
    } finally {
      await connector.close();
    }
  }, 30_000);
}
