/**
 * The PostgreSQL state store while its server restarts (a private server: the shared one must
 * never be restarted). Reads made during the restart wait for it and answer; appends work again
 * afterwards on new connections; nothing crashes the process. A database that is gone is not waited for.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrivatePostgres, privatePostgresService, type PrivatePostgres } from '../../testing/private-postgres.js';
import { createTestDatabase, describeWithService, type TestDatabase } from '../../testing/services.js';
import type { KyselyStateStore } from '../kysely-state-store.js';
import { openPostgresStateStore } from './open-postgres-state-store.js';

let server: PrivatePostgres;
let database: TestDatabase;
let store: KyselyStateStore;

await describeWithService(privatePostgresService, 'PostgreSQL state store across a server restart', () => {
  beforeAll(async () => {
    server = await startPrivatePostgres();
    database = await createTestDatabase('weir_state_restart', server.url);
    store = await openPostgresStateStore(database.url);
    await store.append([{ type: 'asset_pinned', at: new Date().toISOString(), environment: 'prod', asset: 'orders', pinned: true }]);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await database?.drop().catch(() => undefined);
    server?.stop();
  });

  it('reads made while the server restarts answer once it is back; appends work again', async () => {
    // Keep connections open and busy, so the restart terminates sessions in use as well as idle ones.
    let restarting = true;
    const restart = server.restart().finally(() => (restarting = false));
    const reads: Array<Promise<number>> = [];
    while (restarting) {
      reads.push(store.lastEventId());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await restart;
    const answers = await Promise.allSettled(reads);
    expect(answers.filter((answer) => answer.status === 'rejected')).toEqual([]);
    expect(new Set(answers.map((answer) => (answer as PromiseFulfilledResult<number>).value))).toEqual(new Set([1]));

    await store.append([{ type: 'asset_pinned', at: new Date().toISOString(), environment: 'prod', asset: 'orders', pinned: false }]);
    expect(await store.lastEventId()).toBe(2);
  });

  it('a read on a database dropped meanwhile fails with STATE_UNAVAILABLE, not retried as if restarting', async () => {
    const doomed = await createTestDatabase('weir_state_dropped', server.url);
    const other = await openPostgresStateStore(doomed.url);
    try {
      await doomed.drop();
      // Within the test's timeout: "does not exist" is not worth waiting for.
      await expect(other.lastEventId()).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringMatching(/does not exist/) });
    } finally {
      await other.close();
    }
  });
});
