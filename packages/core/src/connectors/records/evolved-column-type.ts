/**
 * The type a loaded column gets when its source column's type changed between loads (schema
 * policy `evolve`): one that holds both the values already loaded and the new ones, never one
 * that would round or truncate what is there.
 */
import { recordTypeOfColumn, widenType } from './record-values.js';

const INTEGER_RANK = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT'];

/**
 * The column type after a change from `loaded` to `incoming` (DuckDB spellings).
 *
 * @example
 * ```ts
 * evolvedColumnType('INTEGER', 'BIGINT'); // 'BIGINT'
 * evolvedColumnType('DOUBLE', 'INTEGER'); // 'DOUBLE' (the new values fit)
 * evolvedColumnType('BIGINT', 'VARCHAR'); // 'VARCHAR'
 * evolvedColumnType('DECIMAL(10,2)', 'DECIMAL(12,6)'); // 'DECIMAL(14,6)'
 * ```
 */
export function evolvedColumnType(loaded: string, incoming: string): string {
  const old = loaded.toUpperCase().trim();
  const next = incoming.toUpperCase().trim();
  if (old === next) return loaded;
  const oldFamily = recordTypeOfColumn(old);
  const nextFamily = recordTypeOfColumn(next);
  if (oldFamily === undefined || nextFamily === undefined) return 'VARCHAR';
  if (oldFamily === nextFamily) {
    if (oldFamily === 'BIGINT') return INTEGER_RANK.indexOf(base(next)) > INTEGER_RANK.indexOf(base(old)) ? incoming : loaded;
    if (oldFamily === 'DOUBLE') return widerNumber(old, next);
    return loaded;
  }
  const wider = widenType(oldFamily, nextFamily);
  if (wider === oldFamily) return loaded;
  if (wider === nextFamily) return incoming;
  return 'VARCHAR';
}

function base(type: string): string {
  const name = type.replace(/\(.*\)$/, '').trim();
  return name === 'INT' || name === 'INT4' ? 'INTEGER' : name === 'INT8' ? 'BIGINT' : name === 'INT2' ? 'SMALLINT' : name;
}

/** Two decimals: one with room for both integer parts and both scales (up to 38 digits); else DOUBLE. */
function widerNumber(old: string, next: string): string {
  const a = /^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$/.exec(old);
  const b = /^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$/.exec(next);
  if (a === null || b === null) return 'DOUBLE';
  const scale = Math.max(Number(a[2]), Number(b[2]));
  const digits = Math.max(Number(a[1]) - Number(a[2]), Number(b[1]) - Number(b[2])) + scale;
  return digits <= 38 ? `DECIMAL(${digits},${scale})` : 'DOUBLE';
}
