/**
 * The queue's hottest statements (a claim, a completion) built with Kysely once per shape and
 * then re-run with new values. Building and compiling a query (and the schema plugin walking it)
 * costs more CPU than the database spends running it; with four workers on a two-core machine
 * that CPU is what limits jobs per second.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';

/** Placeholders handed to a builder: one per named value, recognised in the compiled parameters. */
export type Placeholders<Names extends string> = { readonly [Name in Names]: never };

interface Compiled {
  sql: string;
  /** Per parameter: the name of the value to bind there, or undefined to keep the compiled one. */
  slots: Array<string | undefined>;
  fixed: readonly unknown[];
}

const marker = '\u0000weir-placeholder:';

/**
 * Compiled statements by shape key.
 *
 * @example
 * ```ts
 * const statements = new CompiledStatements();
 * const result = await statements.run(db, 'touch', (p: Placeholders<'id'>) => db.updateTable('t').set({ n: 1 }).where('id', '=', p.id), { id: 42 });
 * ```
 */
export class CompiledStatements {
  private readonly compiled = new Map<string, Compiled>();

  /**
   * Runs the statement `build` makes, compiled the first time `key` is seen. `build` must give
   * the same statement for the same key: only the placeholders' values may differ between calls.
   */
  async run<Database, Names extends string, Row>(
    db: Kysely<Database>,
    key: string,
    build: (placeholders: Placeholders<Names>) => Compilable<Row>,
    values: Record<Names, unknown>,
  ): Promise<QueryResult<Row>> {
    let entry = this.compiled.get(key);
    if (entry === undefined) {
      const placeholders = Object.fromEntries(Object.keys(values).map((name) => [name, `${marker}${name}`])) as unknown as Placeholders<Names>;
      const query = build(placeholders).compile();
      const slots = query.parameters.map((parameter) =>
        typeof parameter === 'string' && parameter.startsWith(marker) ? parameter.slice(marker.length) : undefined,
      );
      entry = { sql: query.sql, slots, fixed: query.parameters };
      this.compiled.set(key, entry);
    }
    const parameters = entry.slots.map((name, index) => (name === undefined ? entry.fixed[index] : values[name as Names]));
    return db.executeQuery<Row>(CompiledQuery.raw(entry.sql, parameters));
  }
}
