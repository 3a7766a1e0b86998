/**
 * DuckDB's own SQL parser, reached through `json_serialize_sql`. One in-memory instance per
 * process parses every model; many models go in one query, because the cost of a query round
 * trip is far larger than the cost of parsing one model.
 */
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';

/** What `json_serialize_sql` returns for one text: the AST, or the parser's error. */
export type SerializedSql =
  | { error: false; statements: Array<{ node: unknown }> }
  | { error: true; error_type?: string; error_message?: string; position?: string };

/** Models per query: large enough for the 1,000-model target in one round trip, small enough to bound memory. */
const BATCH_SIZE = 2000;

let connection: Promise<DuckDBConnection> | undefined;
let queue: Promise<unknown> = Promise.resolve();

function parserConnection(): Promise<DuckDBConnection> {
  connection ??= DuckDBInstance.create(':memory:', { threads: '1' })
    .then((instance) => instance.connect())
    .catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
  return connection;
}

/**
 * Serializes each SQL text to DuckDB's JSON AST, in order. Parsing only: nothing is bound or
 * run, so tables need not exist.
 *
 * @example
 * ```ts
 * const [ast] = await serializeSql(['select * from orders']);
 * ```
 */
export function serializeSql(texts: readonly string[]): Promise<SerializedSql[]> {
  // One connection runs one statement at a time; callers may overlap (a server reloading a project).
  const run = queue.then(() => serializeBatches(texts));
  queue = run.catch(() => undefined);
  return run;
}

async function serializeBatches(texts: readonly string[]): Promise<SerializedSql[]> {
  const results: SerializedSql[] = [];
  if (texts.length === 0) return results;
  const parser = await parserConnection();
  for (let start = 0; start < texts.length; start += BATCH_SIZE) {
    const batch = texts.slice(start, start + BATCH_SIZE);
    // list_transform keeps the order of the input, which unnest would not promise.
    const reader = await parser.runAndReadAll('SELECT list_transform($1::VARCHAR[], s -> json_serialize_sql(s)) AS parsed', [listValue(batch)]);
    const parsed = reader.getRowsJS()[0]?.[0];
    if (!Array.isArray(parsed) || parsed.length !== batch.length) throw new Error('json_serialize_sql returned an unexpected result');
    for (const json of parsed) results.push(JSON.parse(String(json)) as SerializedSql);
  }
  return results;
}
