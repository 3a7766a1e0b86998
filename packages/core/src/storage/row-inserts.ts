/**
 * Multi-row INSERTs compiled once and re-run with new values. Building and compiling a Kysely
 * query costs more than SQLite takes to run it, and the state store inserts the same few shapes
 * thousands of times, so each shape is compiled once per row count and only its parameters change.
 * Row counts are limited to a few sizes so there are few statements to keep (and for SQLite to
 * keep prepared).
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { StateTables } from './state-tables.js';

/** Builds the INSERT for `rows`; called once per shape and size, with placeholder rows. */
export type BuildInsert<Row> = (db: Kysely<StateTables>, rows: Row[]) => Compilable<unknown>;

/** Where each bound parameter of a compiled template takes its value from. */
type Slot = { row: number; column: string } | { constant: unknown };

interface Template {
  compiled: CompiledQuery<unknown>;
  slots: Slot[];
}

// Any row count is written as a sum of these: at most a dozen statements for the largest group.
const sizes = [256, 64, 16, 4, 1];

/** Compiled INSERT templates of one store (their SQL names its schema). */
export class RowInserts {
  private readonly templates = new Map<string, Template>();

  /**
   * Inserts `rows`, which must all have the same columns, with the statement `build` makes.
   * `shape` names that statement and those columns: equal shapes must build equal SQL.
   *
   * @example
   * ```ts
   * await inserts.run(trx, 'events', rows, (db, rows) => db.insertInto('events').values(rows));
   * ```
   */
  async run<Row extends object>(db: Kysely<StateTables>, shape: string, rows: Row[], build: BuildInsert<Row>): Promise<void> {
    let offset = 0;
    for (const size of sizes) {
      while (rows.length - offset >= size) {
        const template = this.template(db, shape, rows[offset]!, size, build);
        const batch = rows.slice(offset, offset + size) as Array<Record<string, unknown>>;
        const parameters = template.slots.map((slot) => ('constant' in slot ? slot.constant : batch[slot.row]![slot.column]));
        await db.executeQuery({ ...template.compiled, parameters });
        offset += size;
      }
    }
  }

  private template<Row extends object>(db: Kysely<StateTables>, shape: string, sample: Row, size: number, build: BuildInsert<Row>): Template {
    const key = `${shape}\u0000${size}`;
    const cached = this.templates.get(key);
    if (cached) return cached;
    // Compile with a unique marker in every value, then read back which parameter is which.
    const columns = Object.keys(sample);
    const markers = new Map<string, { row: number; column: string }>();
    const placeholders = Array.from({ length: size }, (_, row) => {
      const placeholder: Record<string, string> = {};
      for (const column of columns) {
        const marker = `\u0000weir\u0000${row}\u0000${column}`;
        markers.set(marker, { row, column });
        placeholder[column] = marker;
      }
      return placeholder as unknown as Row;
    });
    const compiled = build(db, placeholders).compile();
    const slots = compiled.parameters.map((parameter): Slot => {
      const slot = typeof parameter === 'string' ? markers.get(parameter) : undefined;
      return slot ?? { constant: parameter };
    });
    const template = { compiled, slots };
    this.templates.set(key, template);
    return template;
  }
}
