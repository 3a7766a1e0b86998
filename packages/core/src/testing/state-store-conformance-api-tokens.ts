/**
 * The part of the state store conformance suite about API tokens: the `api_tokens` projection
 * folded from `api_token_created` and `api_token_revoked` (hashes only), at most one active token
 * per name, `api_call` events kept in the log, and malformed events refused. Registered by
 * `describeStateStoreConformance`.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';

/** What the cases need from the suite: a store on a fresh database, and another store on the same one. */
export interface ApiTokenCasesContext {
  fresh(): Promise<StateStore>;
  /** A new store on the database of the last `fresh()`, as a restarted process opens it. */
  reopen(): Promise<StateStore>;
}

const base = Date.UTC(2026, 10, 21);
const t = (n: number): string => new Date(base + n * 60_000).toISOString();
const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Registers the API token cases inside the caller's `describe`.
 *
 * @example
 * ```ts
 * describe('API tokens', () => apiTokenCases({ fresh, reopen }));
 * ```
 */
export function apiTokenCases(context: ApiTokenCasesContext): void {
  it('records created tokens by hash and marks revoked ones, in creation order', async () => {
    const store = await context.fresh();
    expect(await store.apiTokens()).toEqual([]);
    await store.append([
      { type: 'api_token_created', at: t(0), name: 'ci', role: 'editor', tokenHash: hash('weir_one'), by: 'ann@box' },
      { type: 'api_token_created', at: t(1), name: 'dash', role: 'viewer', tokenHash: hash('weir_two'), by: 'bob@box' },
      // Revoked in the same batch it was made: the revocation still follows the creation.
      { type: 'api_token_created', at: t(2), name: 'tmp', role: 'admin', tokenHash: hash('weir_three'), by: 'ann@box' },
      { type: 'api_token_revoked', at: t(3), name: 'tmp', by: 'bob@box' },
    ]);
    expect(await store.apiTokens()).toEqual([
      { name: 'ci', role: 'editor', tokenHash: hash('weir_one'), createdAt: t(0), createdBy: 'ann@box', revokedAt: null, revokedBy: null, eventId: 1 },
      { name: 'dash', role: 'viewer', tokenHash: hash('weir_two'), createdAt: t(1), createdBy: 'bob@box', revokedAt: null, revokedBy: null, eventId: 2 },
      { name: 'tmp', role: 'admin', tokenHash: hash('weir_three'), createdAt: t(2), createdBy: 'ann@box', revokedAt: t(3), revokedBy: 'bob@box', eventId: 3 },
    ]);
    // The token itself is nowhere in the log, only its hash.
    expect(JSON.stringify(await store.events())).not.toMatch(/weir_one|weir_two|weir_three/);
  });

  it('a revoked name can be made again; the old token stays revoked', async () => {
    const store = await context.fresh();
    await store.append([
      { type: 'api_token_created', at: t(0), name: 'ci', role: 'viewer', tokenHash: hash('old'), by: 'ann@box' },
      { type: 'api_token_revoked', at: t(1), name: 'ci', by: 'ann@box' },
    ]);
    await store.append([{ type: 'api_token_created', at: t(2), name: 'ci', role: 'editor', tokenHash: hash('new'), by: 'ann@box' }]);
    await store.append([{ type: 'api_token_revoked', at: t(3), name: 'ci', by: 'bob@box' }]);
    expect((await store.apiTokens()).map((token) => [token.tokenHash, token.role, token.revokedAt, token.revokedBy])).toEqual([
      [hash('old'), 'viewer', t(1), 'ann@box'],
      [hash('new'), 'editor', t(3), 'bob@box'],
    ]);
  });

  it('refuses a second active token of one name, and malformed token events, writing nothing', async () => {
    const store = await context.fresh();
    await store.append([{ type: 'api_token_created', at: t(0), name: 'ci', role: 'viewer', tokenHash: hash('a'), by: 'ann@box' }]);
    await expect(store.append([{ type: 'api_token_created', at: t(1), name: 'ci', role: 'admin', tokenHash: hash('b'), by: 'ann@box' }])).rejects.toThrow();
    const bad: unknown[] = [
      { type: 'api_token_created', at: t(2), name: 'x', role: 'owner', tokenHash: hash('c'), by: 'ann@box' },
      { type: 'api_token_created', at: t(2), name: 'x', role: 'viewer', tokenHash: 'weir_plaintext', by: 'ann@box' },
      { type: 'api_token_created', at: t(2), name: '', role: 'viewer', tokenHash: hash('d'), by: 'ann@box' },
      { type: 'api_token_revoked', at: t(2), name: '', by: 'ann@box' },
    ];
    for (const event of bad) await expect(store.append([event as WeirEvent])).rejects.toMatchObject({ name: 'WeirError' });
    expect((await store.events()).map((event) => event.type)).toEqual(['api_token_created']);
    expect((await store.apiTokens()).map((token) => [token.name, token.role])).toEqual([['ci', 'viewer']]);
  });

  it('keeps api_call events in the log and tokens across reopening', async () => {
    const store = await context.fresh();
    await store.append([
      { type: 'api_token_created', at: t(0), name: 'ci', role: 'editor', tokenHash: hash('a'), by: 'ann@box' },
      { type: 'api_call', at: t(1), method: 'POST', path: '/api/runs', token: 'ci', role: 'editor', status: 202 },
      { type: 'api_call', at: t(2), method: 'POST', path: '/api/runs/r1/cancel', token: null, role: null, status: 404 },
    ]);
    await store.close();
    const reopened = await context.reopen();
    expect((await reopened.apiTokens()).map((token) => token.name)).toEqual(['ci']);
    expect(await reopened.events({ afterId: 1 })).toEqual([
      { id: 2, type: 'api_call', at: t(1), method: 'POST', path: '/api/runs', token: 'ci', role: 'editor', status: 202 },
      { id: 3, type: 'api_call', at: t(2), method: 'POST', path: '/api/runs/r1/cancel', token: null, role: null, status: 404 },
    ]);
  });
}
