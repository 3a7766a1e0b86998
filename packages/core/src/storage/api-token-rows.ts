/**
 * Writes and reads the `api_tokens` projection: one row per token ever made, keyed by its hash;
 * at most one active (unrevoked) row per name.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ApiRole } from '../events/api-token-events.js';
import type { ApiTokenWrite } from '../events/project-api-token-event.js';
import { readNullableTime, readNumber, readTime } from './state-rows.js';
import type { ApiTokenRecord } from './state-store.js';
import type { ApiTokensTable, StateTables } from './state-tables.js';

/**
 * Applies one token write. Tokens are made and revoked by people, so one statement each is enough.
 * A second active token of one name violates the table's unique index and fails the append.
 *
 * @example
 * ```ts
 * await applyApiTokenWrite(trx, { kind: 'revoke_api_token', name: 'ci', revokedAt, revokedBy: 'ann@box' }, 42);
 * ```
 */
export async function applyApiTokenWrite(db: Kysely<StateTables>, write: ApiTokenWrite, eventId: number): Promise<void> {
  if (write.kind === 'insert_api_token') {
    await db
      .insertInto('api_tokens')
      .values({
        token_hash: write.tokenHash,
        name: write.name,
        role: write.role,
        created_at: write.createdAt,
        created_by: write.createdBy,
        revoked_at: null,
        revoked_by: null,
        event_id: eventId,
      })
      .execute();
    return;
  }
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: write.revokedAt, revoked_by: write.revokedBy })
    .where('name', '=', write.name)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * One `api_tokens` row as a record.
 *
 * @example
 * ```ts
 * const tokens = (await db.selectFrom('api_tokens').selectAll().execute()).map(toApiTokenRecord);
 * ```
 */
export function toApiTokenRecord(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    name: row.name,
    role: row.role as ApiRole,
    tokenHash: row.token_hash,
    createdAt: readTime(row.created_at),
    createdBy: row.created_by,
    revokedAt: readNullableTime(row.revoked_at),
    revokedBy: row.revoked_by,
    eventId: readNumber(row.event_id),
  };
}
