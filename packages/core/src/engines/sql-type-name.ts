/**
 * SQL type names are the one piece of SQL that cannot be bound as a parameter, yet they reach
 * adapters from users (column types of a file source, columns of a TypeScript asset). Every
 * adapter checks them here before they are written into a statement.
 */
import { WeirError } from '../errors/weir-error.js';

// Words, optional (precision[, scale]), optional array suffixes: `DECIMAL(18, 2)`,
// `TIMESTAMP WITH TIME ZONE`, `VARCHAR[]`. No quotes, semicolons or comments can pass.
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\d*\])*$/;

/**
 * Returns `type` trimmed when it is a plain SQL type name, and throws `CONFIG_INVALID` otherwise.
 *
 * @example
 * ```ts
 * assertSqlTypeName('DECIMAL(18,2)', 'amount'); // 'DECIMAL(18,2)'
 * assertSqlTypeName('INT); DROP TABLE x; --', 'id'); // throws CONFIG_INVALID
 * ```
 */
export function assertSqlTypeName(type: string, column: string): string {
  const trimmed = type.trim();
  if (!TYPE_NAME.test(trimmed)) {
    throw new WeirError('CONFIG_INVALID', `"${type}" is not a SQL type name (column "${column}")`, {
      hint: 'use a plain type such as BIGINT, DOUBLE, VARCHAR, BOOLEAN, DATE, TIMESTAMP or DECIMAL(18,2)',
    });
  }
  return trimmed;
}
