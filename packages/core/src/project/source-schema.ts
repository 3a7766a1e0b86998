/** The shape of a `sources/*.yaml` file, as users write it. */
import * as z from 'zod';
import { columnDescriptionsSchema } from './model-header-schema.js';
import { assetNameSchema, nonEmptyString, positiveSeconds, stringOrList, strictObject, wholeNumber } from './strict-object.js';

/** File formats a source may read, and the extensions that imply them. */
export const FORMAT_BY_EXTENSION = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  parquet: 'parquet',
} as const;

/** One table of a `sources/*.yaml` file. */
export const sourceTableSchema = strictObject({
  name: assetNameSchema,
  path: nonEmptyString.optional(),
  paths: z.array(nonEmptyString, { error: 'expected a list of paths' }).min(1, { error: 'expected at least one path' }).optional(),
  format: z.enum(['csv', 'json', 'ndjson', 'parquet']).optional(),
  description: z.string().optional(),
  owner: nonEmptyString.optional(),
  tags: stringOrList.optional(),
  columns: columnDescriptionsSchema.optional(),
  options: strictObject({
    delimiter: z.string().min(1, { error: 'expected a delimiter such as "," or "\\t"' }).optional(),
    header: z.boolean().optional(),
    null_strings: z.array(z.string(), { error: 'expected a list of strings' }).optional(),
    date_format: nonEmptyString.optional(),
    timestamp_format: nonEmptyString.optional(),
    columns: z.record(z.string(), nonEmptyString, { error: 'expected column: TYPE lines' }).optional(),
  }).optional(),
  /** A file source's loads: `all` reads every file each time; `new_files` adds only the files new or changed since the current version. */
  load: z.enum(['all', 'new_files']).optional(),
  /** Under `load: new_files`: the rows of a file that is gone are kept (and logged) or removed. */
  on_deleted_file: z.enum(['keep', 'remove']).optional(),
  /** A database source's table (`schema.name` or `name`) or query; see `connection`. */
  table: nonEmptyString.optional(),
  query: nonEmptyString.optional(),
  incremental: strictObject({
    cursor: nonEmptyString,
    /** Re-read rows this far behind the high-water mark: a duration (`1h`) for time cursors, a number for numeric ones. */
    lookback: z.union([nonEmptyString, z.number().positive({ error: 'expected a positive number' })]).optional(),
    primary_key: stringOrList.optional(),
  }).optional(),
  /** A PostgreSQL table loaded by change data capture (a logical replication slot) instead of by queries. */
  cdc: strictObject({
    /** Keep every version of every row in weir_ingest.<table>__history. */
    history: z.boolean({ error: 'expected true or false' }).optional(),
    slot: z.string().regex(/^[a-z0-9_]{1,63}$/, { error: 'expected a replication slot name: lower-case letters, digits and _, at most 63' }).optional(),
    publication: nonEmptyString.optional(),
  }).optional(),
  /** A stream source's table: where on the broker it reads (keys per broker; see stream-source-table.ts). */
  stream: strictObject({
    stream: nonEmptyString.optional(),
    subject: nonEmptyString.optional(),
    consumer: nonEmptyString.optional(),
    key: nonEmptyString.optional(),
    queue: nonEmptyString.optional(),
    topic: nonEmptyString.optional(),
    group: nonEmptyString.optional(),
  }).optional(),
  /** When a stream's micro-batch closes, and how much one run loads. */
  batch: strictObject({
    max_messages: wholeNumber(1).optional(),
    max_wait: z.union([nonEmptyString, z.number().positive({ error: 'expected a positive number of seconds' })]).optional(),
    max_messages_per_run: wholeNumber(1).optional(),
  }).optional(),
  /** What happens when records stop matching the loaded table. */
  schema: z.enum(['evolve', 'freeze', 'discard_row', 'discard_value']).optional(),
  /** A payload field that identifies a message. */
  id_field: nonEmptyString.optional(),
  /** An HTTP API table: its request, auth, pagination and retries (checked by parseHttpSourceConfig). */
  http: z.unknown().optional(),
  /** An HTTP table's key: records loaded again replace the earlier ones with the same key. */
  primary_key: stringOrList.optional(),
  retries: wholeNumber(0).optional(),
  timeout_seconds: positiveSeconds.optional(),
  checks: z.unknown().optional(),
});

/** The database a source's tables come from. The URL keeps its `${ENV}` references until Weir connects. */
export const connectionSchema = strictObject({
  /** Databases (`postgres`, `mysql`) are read by query; brokers (`nats`, `redis`, `rabbitmq`, `mqtt`, `kafka`) are consumed as streams. */
  type: z.enum(['postgres', 'mysql', 'nats', 'redis', 'rabbitmq', 'mqtt', 'kafka']),
  url: nonEmptyString,
});

/** A `sources/*.yaml` file. */
export const sourceFileSchema = strictObject({
  source: assetNameSchema.optional(),
  /** The file's tables exist only when these environment variables are set (a source not every machine can reach). */
  requires_env: stringOrList.optional(),
  connection: connectionSchema.optional(),
  tables: z.array(z.unknown(), { error: 'expected a list of tables' }),
});
