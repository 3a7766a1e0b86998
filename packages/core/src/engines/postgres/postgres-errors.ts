/**
 * Turning PostgreSQL connection failures into `ENGINE_UNAVAILABLE` errors that a person can act
 * on, without ever showing the password that the connection string may carry.
 */
import { WeirError, messageOf } from '../../errors/weir-error.js';
import { describeConnectionString, secretMasker } from '../../errors/mask-connection-string.js';

// Node socket errors that mean "no server to talk to", and SQLSTATE classes 08 (connection),
// 28 (authorization), 3D000 (no such database) and 57P0x (server shutting down or starting).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const SQLSTATE = /^(08|28)|^3D000$|^57P0[123]$/;

/** True when `error` says the server cannot be reached or refused the session, not that a statement failed. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true;
  // "not queryable": a pooled client whose connection the server dropped (a restart).
  return /Connection terminated|timeout exceeded when trying to connect|not queryable/i.test(error.message);
}

/**
 * An `ENGINE_UNAVAILABLE` error naming the masked connection string and the reason. The reason is
 * scrubbed too: a driver may echo parts of the connection string back.
 */
export function engineUnavailable(error: unknown, connectionString: string): WeirError {
  const masked = describeConnectionString(connectionString);
  return new WeirError('ENGINE_UNAVAILABLE', `cannot connect to PostgreSQL at ${masked}: ${secretMasker(connectionString)(reasonOf(error))}`, {
    hint: 'check that the server is running and that the url, user and database are right',
    cause: error,
  });
}

function reasonOf(error: unknown): string {
  // Node reports a refused connection to every address of a host as an AggregateError with an empty message.
  if (error instanceof AggregateError && error.message === '') return error.errors.map(messageOf).join('; ');
  return messageOf(error);
}


/**
 * A `CONFIG_INVALID` error for a connection string the driver cannot parse. The string itself is
 * not repeated: unparseable, it cannot be masked reliably, and it may hold a password.
 */
export function invalidConnectionString(error: unknown): WeirError {
  return new WeirError('CONFIG_INVALID', 'the PostgreSQL url is not a valid connection string (it is not shown: it may contain a password)', {
    hint: 'use postgres://user:password@host:5432/database and percent-encode special characters in the password (/ as %2F, # as %23, @ as %40)',
    cause: error,
  });
}

/** True for the driver's complaint about a connection string it cannot parse. */
export function isUnparseableConnectionString(error: unknown): boolean {
  return error instanceof TypeError && /invalid url/i.test(error.message);
}
