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

/**
 * Prints serialized statements back to SQL with DuckDB's own printer (`json_deserialize_sql`),
 * in order; a statement DuckDB cannot read gives undefined. Used to learn the name DuckDB gives
 * an unaliased expression, which is how its printer writes it.
 *
 * @example
 * ```ts
 * const [text] = await deserializeSql([JSON.stringify(ast)]); // 'SELECT (a + 1)'
 * ```
 */
export function deserializeSql(statements: readonly string[]): Promise<Array<string | undefined>> {
  const run = queue.then(() => deserializeBatches(statements));
  queue = run.catch(() => undefined);
  return run;
}

async function deserializeBatches(statements: readonly string[]): Promise<Array<string | undefined>> {
  const results: Array<string | undefined> = [];
  if (statements.length === 0) return results;
  const parser = await parserConnection();
  const printOne = async (statement: string): Promise<string | undefined> => {
    try {
      const reader = await parser.runAndReadAll('SELECT json_deserialize_sql($1::JSON)', [statement]);
      return String(reader.getRowsJS()[0]?.[0]);
    } catch {
      return undefined;
    }
  };
  for (let start = 0; start < statements.length; start += BATCH_SIZE) {
    const batch = statements.slice(start, start + BATCH_SIZE);
    try {
      const reader = await parser.runAndReadAll('SELECT list_transform($1::VARCHAR[], s -> json_deserialize_sql(s::JSON)) AS printed', [listValue(batch)]);
      const printed = reader.getRowsJS()[0]?.[0];
      if (!Array.isArray(printed) || printed.length !== batch.length) throw new Error('json_deserialize_sql returned an unexpected result');
      for (const text of printed) results.push(String(text));
    } catch {
      // One statement DuckDB cannot read fails the whole batch: print them one by one instead.
      for (const statement of batch) results.push(await printOne(statement));
    }
  }
  return results;
}

/** A regular expression or a strptime format to try on DuckDB. */
export interface EngineSyntaxProbe {
  kind: 'regex' | 'strptime';
  text: string;
}

/**
 * Asks DuckDB whether each regex (RE2) or strptime format compiles, in order: undefined when it
 * does, else DuckDB's message. Checks are written in the engine's syntax, not JavaScript's, so
 * that is what judges them when a project loads.
 *
 * @example
 * ```ts
 * const [problem] = await probeEngineSyntax([{ kind: 'regex', text: '(?i)ab' }]); // undefined: RE2 accepts it
 * ```
 */
export function probeEngineSyntax(probes: readonly EngineSyntaxProbe[]): Promise<Array<string | undefined>> {
  const run = queue.then(async () => {
    const results: Array<string | undefined> = [];
    if (probes.length === 0) return results;
    const parser = await parserConnection();
    for (const probe of probes) {
      const sql = probe.kind === 'regex' ? "SELECT regexp_matches('', $1)" : "SELECT try_strptime('', $1)";
      try {
        await parser.runAndReadAll(sql, [probe.text]);
        results.push(undefined);
      } catch (error) {
        results.push((error as Error).message.replace(/^[A-Za-z ]+Error: /, ''));
      }
    }
    return results;
  });
  queue = run.catch(() => undefined);
  return run;
}
