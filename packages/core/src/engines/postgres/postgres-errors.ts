/**
 * Turning PostgreSQL connection failures into `ENGINE_UNAVAILABLE` errors that a person can act
 * on, without ever showing the password that the connection string may carry.
 */
import { WeirError, messageOf } from '../../errors/weir-error.js';

const MASK = '****';

// Node socket errors that mean "no server to talk to", and SQLSTATE classes 08 (connection),
// 28 (authorization), 3D000 (no such database) and 57P0x (server shutting down or starting).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const SQLSTATE = /^(08|28)|^3D000$|^57P0[123]$/;

/**
 * The connection string with its password replaced by `****`, in URL form or key=value form.
 *
 * @example
 * ```ts
 * maskConnectionString('postgres://weir:s3cret@db:5432/warehouse'); // 'postgres://weir:****@db:5432/warehouse'
 * ```
 */
export function maskConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = MASK;
    if (url.searchParams.has('password')) url.searchParams.set('password', MASK);
    return url.toString();
  } catch {
    return connectionString.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, `$1${MASK}`);
  }
}

/** True when `error` says the server cannot be reached or refused the session, not that a statement failed. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
}

/**
 * An `ENGINE_UNAVAILABLE` error naming the masked connection string and the reason. The reason is
 * scrubbed too: a driver may echo parts of the connection string back.
 */
export function engineUnavailable(error: unknown, connectionString: string): WeirError {
  const masked = maskConnectionString(connectionString);
  return new WeirError('ENGINE_UNAVAILABLE', `cannot connect to PostgreSQL at ${masked}: ${scrub(reasonOf(error), connectionString)}`, {
    hint: 'check that the server is running and that the url, user and database are right',
    cause: error,
  });
}

function reasonOf(error: unknown): string {
  // Node reports a refused connection to every address of a host as an AggregateError with an empty message.
  if (error instanceof AggregateError && error.message === '') return error.errors.map(messageOf).join('; ');
  return messageOf(error);
}

function scrub(text: string, connectionString: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(connectionString).password);
  } catch {
    password = /password\s*=\s*('([^']*)'|(\S+))/i.exec(connectionString)?.slice(2).find((part) => part !== undefined) ?? '';
  }
  return password === '' ? text : text.replaceAll(password, MASK).replaceAll(encodeURIComponent(password), MASK);
}
