/**
 * Events of the server API's access control: tokens made and revoked with `weir tokens`, and the
 * record of every mutating API call with who made it. Tokens change one row of the `api_tokens`
 * projection (see `projectApiTokenEvent`); calls are read from the log only.
 */

/** What a token may do: a viewer reads, an editor also starts and cancels runs, an admin does everything. */
export type ApiRole = 'viewer' | 'editor' | 'admin';

/** The roles, weakest first: a role may do what every role before it may. */
export const apiRoles: readonly ApiRole[] = ['viewer', 'editor', 'admin'];

/**
 * Someone made an API token (`weir tokens create`). Only the token's SHA-256 (hex) is recorded:
 * the token itself is shown once to whoever made it and never stored.
 */
export interface ApiTokenCreatedEvent {
  type: 'api_token_created';
  at: string;
  name: string;
  role: ApiRole;
  /** SHA-256 of the token, lowercase hex. */
  tokenHash: string;
  /** `user@host` of whoever made it. */
  by: string;
}

/** Someone revoked the active token of that name (`weir tokens revoke`): it opens nothing any more. */
export interface ApiTokenRevokedEvent {
  type: 'api_token_revoked';
  at: string;
  name: string;
  by: string;
}

/**
 * A mutating API call was handled (or refused for its role): appended after the answer is known.
 * `token` and `role` are null in local mode, where the server asks for no token.
 */
export interface ApiCallEvent {
  type: 'api_call';
  at: string;
  method: string;
  path: string;
  token: string | null;
  role: ApiRole | null;
  /** The HTTP status of the answer. */
  status: number;
}

/** Every access control event. */
export type ApiAccessEvent = ApiTokenCreatedEvent | ApiTokenRevokedEvent | ApiCallEvent;
