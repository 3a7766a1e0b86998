/**
 * Fitting a batch of JSON records to the table they load into, under the source's schema policy:
 *
 * - `evolve`: new fields become new columns, a value wider than its column widens the column;
 * - `freeze`: any new field or wider value fails the batch (nothing of it is written);
 * - `discard_row`: a record with a new field or a wider value goes to the dead letters whole;
 * - `discard_value`: the record loads without the offending values, which go to the dead letters.
 *
 * A payload that is not a JSON object is a dead letter under every policy. The first batch of a
 * table defines its columns whatever the policy. Pure: the caller applies the result.
 */
import type { ColumnInfo, Row } from '../../engines/engine-adapter.js';
import { WeirError } from '../../errors/weir-error.js';
import { RecordFlattener } from './flatten-record.js';
import { fitsColumn, recordTypeOfColumn, toColumnValue, typeOfValue, widenType, type RecordType } from './record-values.js';

/** What to do when records stop matching the loaded table. */
export type SchemaPolicy = 'evolve' | 'freeze' | 'discard_row' | 'discard_value';

/** Every policy, for validation and messages. */
export const SCHEMA_POLICIES: readonly SchemaPolicy[] = ['evolve', 'freeze', 'discard_row', 'discard_value'];

/** One record as it arrived: its id, its raw text (kept for dead letters) and its parsed value. */
export interface IncomingRecord {
  id: string;
  payload: string;
  /** The parsed record; undefined when the payload is not a JSON object (then `parseError` says why). */
  record: Record<string, unknown> | undefined;
  parseError?: string;
}

/** A record, or part of one, that was not loaded. */
export interface RejectedRecord {
  id: string;
  payload: string;
  error: string;
  /** `rejected`: nothing of the record loaded; `value_discarded`: the record loaded without some values. */
  disposition: 'rejected' | 'value_discarded';
}

/** A batch fitted to its table. */
export interface ShapedBatch {
  /** The table's columns after this batch (existing ones first, in their order). */
  columns: ColumnInfo[];
  /** Columns to add before writing. */
  added: ColumnInfo[];
  /** Columns to widen before writing. */
  widened: Array<{ name: string; from: string; to: RecordType }>;
  /** Rows to write, keyed by column name, with their record ids. */
  rows: Array<{ id: string; row: Row }>;
  rejected: RejectedRecord[];
}

/**
 * Fits `incoming` to `existing` (undefined when the table does not exist yet) under `policy`.
 * Throws `SOURCE_READ_FAILED` under `freeze` when the batch does not fit.
 *
 * @example
 * ```ts
 * const batch = shapeRecords(records, await engine.describe(landing), 'evolve', 'events');
 * ```
 */
export function shapeRecords(incoming: readonly IncomingRecord[], existing: readonly ColumnInfo[] | undefined, policy: SchemaPolicy, table: string): ShapedBatch {
  const rejected: RejectedRecord[] = [];
  const batch = new BatchTypes(existing, existing === undefined || policy === 'evolve');
  const { types, declared, changed } = batch;
  const rows: ShapedBatch['rows'] = [];
  /** Rows holding a null of a field that had no column when it was read: checked field by field at the end. */
  const unsure = new Set<Row>();
  // Payloads that are not records come first among the dead letters, as they are found first.
  for (const source of incoming) {
    if (source.record === undefined) rejected.push({ id: source.id, payload: source.payload, error: source.parseError ?? 'not a JSON object', disposition: 'rejected' });
  }
  const flattener = new RecordFlattener();
  for (const source of incoming) {
    if (source.record === undefined) continue;
    const row = flattener.flatten(source.record);
    const problems = batch.check(row, flattener.shape, unsure);
    if (problems === undefined) {
      rows.push({ id: source.id, row });
      continue;
    }
    const error = `${table}: ${problems.join('; ')}`;
    if (policy === 'freeze') {
      throw new WeirError('SOURCE_READ_FAILED', `${error}: the schema is frozen, so the batch was not loaded (record ${source.id})`, {
        hint: 'set schema: evolve to add columns and widen types, or discard_row / discard_value to set such records aside',
      });
    }
    if (policy === 'discard_row') {
      rejected.push({ id: source.id, payload: source.payload, error, disposition: 'rejected' });
      continue;
    }
    rejected.push({ id: source.id, payload: source.payload, error, disposition: 'value_discarded' });
    const kept = Object.entries(row).filter(([name, value]) => {
      const valueType = typeOfValue(value);
      const current = types.get(name);
      return valueType === null ? current !== undefined : current !== undefined && fitsColumn(valueType, current);
    });
    const keptRow = Object.fromEntries(kept);
    if (kept.some(([, value]) => value === undefined)) unsure.add(keptRow);
    rows.push({ id: source.id, row: keptRow });
  }
  const columns: ColumnInfo[] = [...(existing ?? [])].map((column) => {
    const wider = changed.get(column.name);
    return wider === undefined ? column : { ...column, type: wider };
  });
  const added: ColumnInfo[] = [];
  for (const [name, type] of changed) {
    if (declared.has(name)) continue;
    const column = { name, type, nullable: true };
    added.push(column);
    columns.push(column);
  }
  const widened = [...changed].filter(([name]) => declared.has(name)).map(([name, to]) => ({ name, from: declared.get(name)!, to }));
  const finalTypes = new Map(columns.map((column) => [column.name, recordTypeOfColumn(column.type) ?? 'VARCHAR'] as const));
  toColumnValues(rows, finalTypes, unsure);
  return { columns, added, widened, rows, rejected };
}

/**
 * The batch's column types as its records are read: widened by each value under `evolve` (and
 * for a first batch), otherwise the source of each record's problems.
 */
class BatchTypes {
  readonly types = new Map<string, RecordType>();
  readonly declared = new Map<string, string>();
  readonly changed = new Map<string, RecordType>();
  /** Bumped whenever a type changes, so that the per-position copy below is known to be stale. */
  private version = 0;
  /** The types of the last row shape's columns by position, as of `cachedVersion`: no lookup by name per value. */
  private cachedShape: readonly string[] | undefined;
  private cachedTypes: Array<RecordType | undefined> = [];
  private cachedVersion = -1;

  constructor(
    existing: readonly ColumnInfo[] | undefined,
    private readonly evolving: boolean,
  ) {
    for (const column of existing ?? []) {
      this.declared.set(column.name, column.type);
      this.types.set(column.name, recordTypeOfColumn(column.type) ?? 'VARCHAR');
    }
  }

  /** Reads `row` (whose keys are `shape`, when known): widens the types, or returns what does not fit. */
  check(row: Row, shape: readonly string[] | undefined, unsure: Set<Row>): string[] | undefined {
    let problems: string[] | undefined;
    if (shape === undefined) {
      for (const name in row) problems = this.field(name, row[name], this.types.get(name), row, unsure, problems);
      return problems;
    }
    if (shape !== this.cachedShape || this.cachedVersion !== this.version) {
      this.cachedShape = shape;
      this.cachedTypes = shape.map((name) => this.types.get(name));
      this.cachedVersion = this.version;
    }
    for (let index = 0; index < shape.length; index++) {
      const name = shape[index]!;
      const value = row[name];
      const current = this.cachedTypes[index];
      // A row's names differ, so a type this changes is never one read later in the same row.
      if (current === undefined || !fitsAsIs(value, current)) problems = this.field(name, value, current, row, unsure, problems);
    }
    return problems;
  }

  private field(name: string, value: unknown, current: RecordType | undefined, row: Row, unsure: Set<Row>, problems: string[] | undefined): string[] | undefined {
    if (value === null || value === undefined) {
      if (value === undefined || current === undefined) unsure.add(row);
      return problems;
    }
    // Every value fits a VARCHAR column and widens it to nothing else: no need to look at it.
    if (current === 'VARCHAR') return problems;
    const valueType = typeOfValue(value)!;
    if (this.evolving) {
      const wider = current === undefined ? valueType : widenType(current, valueType);
      if (wider !== current) {
        this.types.set(name, wider);
        this.changed.set(name, wider);
        this.version += 1;
      }
      return problems;
    }
    if (current === undefined) return [...(problems ?? []), `new field "${name}" (${valueType})`];
    if (!fitsColumn(valueType, current)) return [...(problems ?? []), `"${name}" is ${valueType} (${preview(value)}) but the column is ${this.declared.get(name) ?? current}`];
    return problems;
  }
}

/**
 * Whether `value` fits a column of `type` without changing it (and without setting its row aside
 * for a closer look): what `field` would conclude, decided from the JavaScript type alone where
 * that is enough.
 */
function fitsAsIs(value: unknown, type: RecordType): boolean {
  if (value === null) return true;
  switch (type) {
    case 'VARCHAR':
      return value !== undefined;
    case 'BIGINT':
      return typeof value === 'number' ? Number.isSafeInteger(value) : typeof value === 'bigint';
    case 'DOUBLE':
      return typeof value === 'number' || typeof value === 'bigint';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    default: {
      const valueType = typeOfValue(value);
      return valueType !== null && fitsColumn(valueType, type);
    }
  }
}

/**
 * Every row's values as the appender takes them for their columns (`toColumnValue`), without the
 * fields that have no column. Only TIMESTAMP, JSON and VARCHAR columns can change a value, so
 * those are all a row is looked at for, unless it is in `unsure` (a field of it may have no column).
 */
function toColumnValues(rows: ShapedBatch['rows'], finalTypes: ReadonlyMap<string, RecordType>, unsure: ReadonlySet<Row>): void {
  const converted = [...finalTypes].filter(([, type]) => type === 'TIMESTAMP' || type === 'JSON' || type === 'VARCHAR');
  // A row lacking such a column must not read it from Object.prototype (a column named "constructor").
  const inherited = converted.map(([name]) => name in Object.prototype);
  for (const { row } of rows) {
    if (unsure.has(row)) {
      for (const [name, value] of Object.entries(row)) {
        const type = finalTypes.get(name);
        if (type === undefined) delete row[name];
        else row[name] = toColumnValue(value, type);
      }
      continue;
    }
    for (let index = 0; index < converted.length; index++) {
      const [name, type] = converted[index]!;
      const value = row[name];
      if (value === null || value === undefined || (type === 'VARCHAR' && typeof value === 'string')) continue;
      if (inherited[index] && !Object.prototype.hasOwnProperty.call(row, name)) continue;
      row[name] = toColumnValue(value, type);
    }
  }
}

/**
 * Parses a raw payload into an {@link IncomingRecord}: a JSON object is a record, anything else
 * (malformed JSON, an array, a number) is kept with the reason it cannot be one.
 *
 * @example
 * ```ts
 * parsePayload('m-1', '{"id": 1}'); // { id: 'm-1', payload: '{"id": 1}', record: { id: 1 } }
 * ```
 */
export function parsePayload(id: string, payload: string): IncomingRecord {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    return { id, payload, record: undefined, parseError: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id, payload, record: undefined, parseError: `a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object` };
  }
  return { id, payload, record: value as Record<string, unknown> };
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
