/**
 * A table of a stream source (`sources/*.yaml` whose `connection` is a broker): where on the
 * broker it reads, when its micro-batches close, its schema policy and its message id field.
 */
import type { ConfigIssue } from './config-issues.js';
import { parseDuration } from './duration.js';
import type { StreamConnection, StreamRead, StreamSourceAsset } from './project-model.js';
import type { sourceTableSchema } from './source-schema.js';
import type * as z from 'zod';

type TableConfig = z.infer<typeof sourceTableSchema>;

/** The broker connection types. */
export const STREAM_CONNECTION_TYPES: readonly StreamConnection['type'][] = ['nats', 'redis', 'rabbitmq', 'mqtt', 'kafka'];

/** Whether a connection `type` names a broker (rather than a database). */
export function isStreamConnectionType(type: string): type is StreamConnection['type'] {
  return (STREAM_CONNECTION_TYPES as readonly string[]).includes(type);
}

/** Which `stream:` keys each broker needs and takes. */
const STREAM_KEYS: Record<StreamConnection['type'], { required: (keyof StreamRead)[]; optional: (keyof StreamRead)[]; example: string }> = {
  nats: { required: ['stream'], optional: ['subject', 'consumer'], example: 'stream: { stream: ORDERS, subject: orders.>, consumer: weir_orders }' },
  redis: { required: ['key'], optional: [], example: 'stream: { key: orders }' },
  rabbitmq: { required: ['queue'], optional: [], example: 'stream: { queue: orders }' },
  mqtt: { required: ['topic'], optional: [], example: 'stream: { topic: sensors/+/readings }' },
  kafka: { required: ['topic'], optional: ['group'], example: 'stream: { topic: orders, group: weir }' },
};

/** Defaults: a batch closes at 1000 messages or after 1 s without one. */
export const DEFAULT_BATCH = { maxMessages: 1000, maxWaitMs: 1000 };

/** What a stream table reads, or the issues that keep it from loading. */
export type StreamTableRead =
  | { read: StreamRead; batch: StreamSourceAsset['batch']; schemaPolicy: StreamSourceAsset['schemaPolicy']; idField?: string; issues: [] }
  | { issues: ConfigIssue[] };

/**
 * Reads the stream part of one table's config; `tablePath` locates its issues.
 *
 * @example
 * ```ts
 * streamTableRead({ name: 'clicks', stream: { key: 'clicks' } }, 'redis', ['tables', 0]);
 * // { read: { key: 'clicks' }, batch: { maxMessages: 1000, maxWaitMs: 1000 }, schemaPolicy: 'evolve', issues: [] }
 * ```
 */
export function streamTableRead(config: TableConfig, type: StreamConnection['type'], tablePath: (string | number)[]): StreamTableRead {
  const issues: ConfigIssue[] = [];
  const notHere = (['path', 'paths', 'format', 'options', 'table', 'query', 'incremental', 'cdc'] as const).filter((key) => config[key] !== undefined);
  for (const key of notHere) {
    issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, key], message: `table "${config.name}": "${key}" does not apply to a ${type} stream`, hint: 'a stream table says where it reads under "stream:"' });
  }
  const keys = STREAM_KEYS[type];
  const given = config.stream ?? {};
  if (config.stream === undefined) {
    issues.push({ code: 'CONFIG_INVALID', path: tablePath, message: `table "${config.name}": a ${type} stream table needs "stream:"`, hint: keys.example });
  } else {
    for (const key of keys.required) {
      if (given[key] === undefined) issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'stream'], message: `table "${config.name}": "stream.${key}" is required for ${type}`, hint: keys.example });
    }
    for (const key of Object.keys(given) as (keyof StreamRead)[]) {
      if (given[key] !== undefined && !keys.required.includes(key) && !keys.optional.includes(key)) {
        issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'stream', key], message: `table "${config.name}": "stream.${key}" does not apply to ${type}`, hint: keys.example });
      }
    }
  }
  let maxWaitMs = DEFAULT_BATCH.maxWaitMs;
  const wait = config.batch?.max_wait;
  if (wait !== undefined) {
    const seconds = parseDuration(wait);
    if (seconds === undefined) issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'batch', 'max_wait'], message: `table "${config.name}": "${wait}" is not a duration`, hint: 'write e.g. 500ms as 0.5, or 1s, 30s, 1m' });
    else maxWaitMs = Math.round(seconds * 1000);
  }
  if (issues.length > 0) return { issues };
  const read: StreamRead = {};
  for (const key of [...keys.required, ...keys.optional]) if (given[key] !== undefined) read[key] = given[key];
  const batch: StreamSourceAsset['batch'] = {
    maxMessages: config.batch?.max_messages ?? DEFAULT_BATCH.maxMessages,
    maxWaitMs,
    ...(config.batch?.max_messages_per_run === undefined ? {} : { maxMessagesPerRun: config.batch.max_messages_per_run }),
  };
  return { read, batch, schemaPolicy: config.schema ?? 'evolve', ...(config.id_field === undefined ? {} : { idField: config.id_field }), issues: [] };
}

/**
 * The keys that belong to stream tables, reported when a table of another kind uses them.
 *
 * @example
 * ```ts
 * streamKeysOutsideStreams({ name: 'orders', path: 'a.csv', schema: 'evolve' }, ['tables', 0]); // one issue for "schema"
 * ```
 */
export function streamKeysOutsideStreams(config: TableConfig, tablePath: (string | number)[], database: boolean): ConfigIssue[] {
  const databaseIssue: ConfigIssue[] =
    database && config.schema !== undefined && config.schema !== 'evolve' && config.schema !== 'freeze'
      ? [{ code: 'CONFIG_INVALID', path: [...tablePath, 'schema'], message: `table "${config.name}": a database table's schema policy is evolve or freeze`, hint: 'discard_row and discard_value set records aside one by one: they apply to streams and HTTP APIs' }]
      : [];
  const misplaced = (['stream', 'batch', 'schema', 'id_field'] as const)
    .filter((key) => config[key] !== undefined && !(database && key === 'schema'))
    .map((key): ConfigIssue => ({
      code: 'CONFIG_INVALID',
      path: [...tablePath, key],
      message: `table "${config.name}": "${key}" is for stream sources`,
      hint: 'a stream source file has connection: { type: nats | redis | rabbitmq | mqtt | kafka, url: ... }',
    }));
  return [...misplaced, ...databaseIssue];
}
