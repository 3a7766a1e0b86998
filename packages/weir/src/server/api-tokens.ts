/**
 * API tokens of `weir serve`: how they look (`weir_` + 32 random bytes, base64url), how they are
 * stored (SHA-256 only, in the event log and the `api_tokens` projection), and the checks behind
 * `weir tokens create|revoke`. The token itself exists only in the answer to `create`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { WeirError, apiRoles, type ApiRole, type ApiTokenRecord, type StateStore } from '@weir/core';

/** Prefix of every token: makes one recognisable in a config file or a leaked log. */
export const TOKEN_PREFIX = 'weir_';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/**
 * SHA-256 of a token, lowercase hex: what is stored and looked up. A plain hash is enough: the
 * token has 256 random bits, so there is nothing to guess from the hash.
 *
 * @example
 * ```ts
 * const stored = (await store.apiTokens()).find((token) => token.tokenHash === hashApiToken(presented));
 * ```
 */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The role named on the command line, or a `USAGE` error listing the roles.
 *
 * @example
 * ```ts
 * parseApiRole('editor'); // 'editor'
 * ```
 */
export function parseApiRole(text: string): ApiRole {
  if ((apiRoles as readonly string[]).includes(text)) return text as ApiRole;
  throw new WeirError('USAGE', `unknown role "${text}": a token is a viewer, an editor or an admin`, { hint: '--role viewer (reads), editor (also starts and cancels runs) or admin (everything)' });
}

/**
 * Makes a token: records its hash, role and maker, and returns the token (the only time it is seen).
 * Refuses a bad name or a name that already has an active token (`USAGE`).
 *
 * @example
 * ```ts
 * const { token } = await createApiToken(store, { name: 'ci', role: 'editor', by: whoAmI() });
 * ```
 */
export async function createApiToken(store: StateStore, request: { name: string; role: ApiRole; by: string; now?: Date }): Promise<{ token: string; record: ApiTokenRecord }> {
  if (!namePattern.test(request.name)) {
    throw new WeirError('USAGE', `"${request.name}" is not a token name: use letters, digits, _ . @ - (up to 64, starting with a letter or digit)`);
  }
  const active = (await store.apiTokens()).find((token) => token.name === request.name && token.revokedAt === null);
  if (active !== undefined) {
    throw new WeirError('USAGE', `a token named "${request.name}" already exists (${active.role}, made ${active.createdAt} by ${active.createdBy})`, {
      hint: `pick another name, or revoke it first: weir tokens revoke ${request.name}`,
    });
  }
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const at = (request.now ?? new Date()).toISOString();
  await store.append([{ type: 'api_token_created', at, name: request.name, role: request.role, tokenHash: hashApiToken(token), by: request.by }]);
  const record = (await store.apiTokens()).find((stored) => stored.name === request.name && stored.revokedAt === null);
  if (record === undefined) throw new WeirError('INTERNAL', `token "${request.name}" was recorded but cannot be read back`);
  return { token, record };
}

/**
 * Revokes the active token of a name; an unknown or already revoked name is a `USAGE` error.
 *
 * @example
 * ```ts
 * await revokeApiToken(store, { name: 'ci', by: whoAmI() });
 * ```
 */
export async function revokeApiToken(store: StateStore, request: { name: string; by: string; now?: Date }): Promise<void> {
  const tokens = (await store.apiTokens()).filter((token) => token.name === request.name);
  if (!tokens.some((token) => token.revokedAt === null)) {
    const known = [...new Set((await store.apiTokens()).filter((token) => token.revokedAt === null).map((token) => token.name))];
    throw new WeirError('USAGE', tokens.length > 0 ? `the token "${request.name}" is already revoked` : `no token is named "${request.name}"`, {
      hint: known.length > 0 ? `active tokens: ${known.join(', ')}` : 'there are no active tokens: see weir tokens ls',
    });
  }
  await store.append([{ type: 'api_token_revoked', at: (request.now ?? new Date()).toISOString(), name: request.name, by: request.by }]);
}

/**
 * Who is acting, for the record: `user@host`, or the host alone when the system cannot tell.
 *
 * @example
 * ```ts
 * await revokeApiToken(store, { name: 'ci', by: whoAmI() });
 * ```
 */
export function whoAmI(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME;
  }
  return user ? `${user}@${hostname()}` : hostname();
}
