/**
 * JSON records into columns. Nested objects become columns named by their path joined with `__`
 * (`{"customer": {"id": 7}}` → `customer__id`), up to a depth, below which an object is kept whole
 * as JSON; arrays are kept as JSON values. Names are normalised the way warehouse users expect
 * (`createdAt` → `created_at`), so a column is always writable unquoted and two spellings of
 * one field do not become two columns.
 */

/** A record as columns: normalised column name to value. */
export type FlatRecord = Map<string, unknown>;

/** How deep nested objects are split into columns before being kept whole (default 3). */
export const DEFAULT_FLATTEN_DEPTH = 3;

/** Field name to column name, shared by every load in the process (see `columnName`). */
const NAMES = new Map<string, string>();
const NAME_CACHE_SIZE = 10_000;

/**
 * Flattens one record.
 *
 * @example
 * ```ts
 * flattenRecord({ orderId: 1, customer: { id: 7, address: { city: 'Oslo' } }, tags: ['a'] });
 * // Map { order_id → 1, customer__id → 7, customer__address__city → 'Oslo', tags → ['a'] }
 * ```
 */
export function flattenRecord(record: Record<string, unknown>, depth = DEFAULT_FLATTEN_DEPTH): FlatRecord {
  return new Map(Object.entries(flattenRecordToRow(record, depth)));
}

/**
 * The same flattening as a plain object: `Object.fromEntries(flattenRecord(record))` without the
 * Map. Keys keep their order (a column name never starts with a digit, so none is an array index
 * that objects would put first, and none is `__proto__`).
 */
function flattenRecordToRow(record: Record<string, unknown>, depth: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  flattenInto(row, record, '', 1, depth);
  return row;
}

function flattenInto(row: Record<string, unknown>, value: Record<string, unknown>, prefix: string, level: number, depth: number): void {
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const inner = value[key];
    const name = prefix === '' ? columnName(key) : `${prefix}__${columnName(key)}`;
    if (level < depth && isPlainObject(inner) && hasOwnKey(inner)) flattenInto(row, inner, name, level + 1, depth);
    else row[name] = inner;
  }
}

/**
 * Flattens the records of one batch into rows: plain objects with the entries {@link flattenRecord}
 * gives, in its order. Records of one source nearly always have the same fields in the same order:
 * a flat record with exactly the previous flat record's fields becomes a copy of that shape with
 * its values set, which spares building the same object shape field by field for every record.
 *
 * @example
 * ```ts
 * const flattener = new RecordFlattener();
 * const rows = records.map((record) => flattener.flatten(record));
 * ```
 */
export class RecordFlattener {
  /** The fields of the last flat record, their column names, and an empty row of that shape. */
  private keys: string[] = [];
  private names: string[] = [];
  private template: Record<string, unknown> | undefined;
  /**
   * The last row's keys in order when it has the shape learned from a flat record (the same
   * array for every such row, so a caller can keep per-column state by position); else undefined.
   */
  shape: readonly string[] | undefined;

  constructor(private readonly depth = DEFAULT_FLATTEN_DEPTH) {}

  flatten(record: Record<string, unknown>): Record<string, unknown> {
    if (this.template !== undefined) {
      const row = { ...this.template };
      const { keys, names } = this;
      let index = 0;
      for (const key in record) {
        if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
        const inner = record[key];
        if (keys[index] !== key || (this.depth > 1 && isPlainObject(inner) && hasOwnKey(inner))) {
          index = -1;
          break;
        }
        row[names[index]!] = inner;
        index++;
      }
      if (index === keys.length) {
        this.shape = names;
        return row;
      }
    }
    const row = flattenRecordToRow(record, this.depth);
    this.shape = this.learn(record, row) ? this.names : undefined;
    return row;
  }

  /** Keeps `row`'s shape for the next records when `record` was flat (one column per field). */
  private learn(record: Record<string, unknown>, row: Record<string, unknown>): boolean {
    const keys = Object.keys(record);
    const names = Object.keys(row);
    if (keys.length !== names.length || !keys.every((key, index) => columnName(key) === names[index])) return false;
    this.keys = keys;
    this.names = names;
    // Parsed JSON gets an object layout sized for its fields: each copy is one allocation.
    this.template = JSON.parse(JSON.stringify(Object.fromEntries(names.map((name) => [name, null])))) as Record<string, unknown>;
    return true;
  }
}

/**
 * A field name as a column name: camelCase split, lower case, anything but letters, digits and `_`
 * replaced by `_`, never starting with a digit, never empty.
 *
 * @example
 * ```ts
 * columnName('createdAt'); // 'created_at'
 * columnName('Unit Price (€)'); // 'unit_price'
 * ```
 */
export function columnName(field: string): string {
  const known = NAMES.get(field);
  if (known !== undefined) return known;
  const name = normalise(field);
  // Records of one source repeat the same few field names; a bounded cache keeps a stream of ever
  // new names (ids used as keys) from growing memory.
  if (NAMES.size >= NAME_CACHE_SIZE) NAMES.clear();
  NAMES.set(field, name);
  return name;
}

function normalise(field: string): string {
  const snake = field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_{3,}/g, '__');
  if (snake === '') return '_';
  return /^\d/.test(snake) ? `_${snake}` : snake;
}

function hasOwnKey(value: Record<string, unknown>): boolean {
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return true;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
