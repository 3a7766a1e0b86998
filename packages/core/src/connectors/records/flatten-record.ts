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
  const columns: FlatRecord = new Map();
  const visit = (value: Record<string, unknown>, prefix: string, level: number) => {
    for (const [key, inner] of Object.entries(value)) {
      const name = prefix === '' ? columnName(key) : `${prefix}__${columnName(key)}`;
      if (isPlainObject(inner) && level < depth && Object.keys(inner).length > 0) visit(inner, name, level + 1);
      else columns.set(name, inner);
    }
  };
  visit(record, '', 1);
  return columns;
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
