/**
 * Opens the stream connector for a stream table, resolving the `${ENV}` references of its URL
 * only now (the secret is read when needed and never stored). Durable consumer names and client
 * ids default to `weir_<asset>`, so every run of the project resumes the same consumer.
 */
import { WeirError } from '../../errors/weir-error.js';
import { expandEnvironment } from '../../project/env-interpolation.js';
import type { StreamSourceAsset } from '../../project/project-model.js';
import { openKafkaStreamConnector } from './kafka/kafka-stream-connector.js';
import { openMqttStreamConnector } from './mqtt/mqtt-stream-connector.js';
import { openNatsStreamConnector } from './nats/nats-stream-connector.js';
import { openRabbitmqStreamConnector } from './rabbitmq/rabbitmq-stream-connector.js';
import { openRedisStreamConnector } from './redis/redis-stream-connector.js';
import type { StreamConnector } from './stream-connector.js';

/**
 * The connector for `asset` (not yet connected: `open` connects). Fails with `CONFIG_INVALID`
 * naming the variable when a `${NAME}` in the URL is not set.
 *
 * @example
 * ```ts
 * const connector = openStreamConnector(asset);
 * await ingestStream(engine, connector, options);
 * ```
 */
export function openStreamConnector(asset: StreamSourceAsset, env: Record<string, string | undefined> = process.env): StreamConnector {
  const { value: url, missing, malformed } = expandEnvironment(asset.connection.url, env);
  const location = { file: asset.file, line: asset.line };
  if (malformed.length > 0) throw new WeirError('CONFIG_INVALID', `${asset.name}: "\${${malformed[0]}}" in the connection URL is not a valid environment variable reference`, { location });
  if (missing.length > 0) {
    throw new WeirError('CONFIG_INVALID', `${asset.name}: environment variable "${missing[0]}" (in the connection URL) is not set`, { location, hint: `set ${missing[0]} in the environment that runs weir` });
  }
  const identity = `weir_${asset.name}`;
  const read = asset.read;
  switch (asset.connection.type) {
    case 'nats':
      return openNatsStreamConnector({ url, stream: read.stream!, consumer: read.consumer ?? identity, ...(read.subject === undefined ? {} : { subject: read.subject }) });
    case 'redis':
      return openRedisStreamConnector({ url, key: read.key!, name: asset.name });
    case 'rabbitmq':
      return openRabbitmqStreamConnector({ url, queue: read.queue!, prefetch: Math.max(1000, asset.batch.maxMessages) });
    case 'mqtt':
      return openMqttStreamConnector({ url, topic: read.topic!, clientId: identity });
    case 'kafka':
      return openKafkaStreamConnector({ brokers: kafkaBrokerList(url), topic: read.topic!, groupId: read.group ?? identity });
  }
}

/** `kafka://host:9092,host2:9092` (or a bare `host:9092,...` list) as broker addresses. */
function kafkaBrokerList(url: string): string[] {
  return url
    .replace(/^kafka:\/\//i, '')
    .split(',')
    .map((broker) => broker.trim().replace(/\/.*$/, ''))
    .filter((broker) => broker.length > 0);
}
