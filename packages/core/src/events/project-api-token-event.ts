/**
 * What an API token event changes in the `api_tokens` projection: a created token is a new row,
 * a revocation marks the active row of that name. Pure, like `projectEvent`, which calls it.
 */
import { apiRoles, type ApiAccessEvent, type ApiRole } from './api-token-events.js';

/** A new token row (active until revoked). */
export interface InsertApiTokenWrite {
  kind: 'insert_api_token';
  name: string;
  role: ApiRole;
  tokenHash: string;
  createdAt: string;
  createdBy: string;
}

/** Marks the active token of `name` revoked; no active token of that name changes nothing. */
export interface RevokeApiTokenWrite {
  kind: 'revoke_api_token';
  name: string;
  revokedAt: string;
  revokedBy: string;
}

/** Either token write. */
export type ApiTokenWrite = InsertApiTokenWrite | RevokeApiTokenWrite;

/**
 * The writes of one access control event. `at` is the event's time, already normalised.
 *
 * @example
 * ```ts
 * projectApiTokenEvent({ type: 'api_token_revoked', at, name: 'ci', by: 'ann@box' }, at);
 * // [{ kind: 'revoke_api_token', name: 'ci', revokedAt: at, revokedBy: 'ann@box' }]
 * ```
 */
export function projectApiTokenEvent(event: ApiAccessEvent, at: string): ApiTokenWrite[] {
  switch (event.type) {
    case 'api_token_created':
      if (!apiRoles.includes(event.role)) throw new TypeError(`api_token_created has an unknown role ${JSON.stringify(event.role)}`);
      if (typeof event.tokenHash !== 'string' || !/^[0-9a-f]{64}$/.test(event.tokenHash)) throw new TypeError('api_token_created needs a SHA-256 "tokenHash" (hex)');
      return [{ kind: 'insert_api_token', name: name(event), role: event.role, tokenHash: event.tokenHash, createdAt: at, createdBy: String(event.by) }];
    case 'api_token_revoked':
      return [{ kind: 'revoke_api_token', name: name(event), revokedAt: at, revokedBy: String(event.by) }];
    case 'api_call':
      // Read from the log; no table needs them yet.
      return [];
  }
}

function name(event: { type: string; name: unknown }): string {
  if (typeof event.name !== 'string' || event.name === '') throw new TypeError(`${event.type} needs a non-empty name`);
  return event.name;
}
