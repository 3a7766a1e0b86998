/**
 * A check query whose PostgreSQL connection is terminated (a server restart) is the warehouse's
 * failure, not the check's: evaluateChecks passes the engine's ENGINE_UNAVAILABLE on, so a team
 * worker builds the partition again once the server answers instead of recording a failed check.
 */
import { afterAll, expect, it } from 'vitest';
import type { CheckSpec } from '../definitions/check-spec.js';
import { openPostgresAdapter } from '../engines/postgres/postgres-adapter.js';
import { isWeirError } from '../errors/weir-error.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../testing/services.js';
import { checkDialectFor } from './check-dialect.js';
import { evaluateChecks } from './evaluate-checks.js';

await describeWithService(postgresService, 'checks when the warehouse goes away', () => {
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
  });

  it('rejects with the engine\'s ENGINE_UNAVAILABLE, not as a broken check', async () => {
    database = await createTestDatabase('weir_checks_gone');
    const engine = await openPostgresAdapter({ url: database.url });
    try {
      await engine.createTableAs({ schema: 'public', name: 'orders' }, 'SELECT 1 AS id');
      const session = await engine.session();
      const killer = await engine.session();
      try {
        const [row] = await session.query('SELECT pg_backend_pid() AS pid');
        await killer.query('SELECT pg_terminate_backend($1)', [row?.pid]);
        const relation = engine.quoteRelation({ schema: 'public', name: 'orders' });
        const checks = [{ type: 'not_null', column: 'id', name: 'id_not_null', severity: 'error' }] as unknown as CheckSpec[];
        const failure = await evaluateChecks(checks, {
          session,
          dialect: checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name)),
          target: { relationSql: relation, asset: 'orders', relationOf: () => relation },
          columns: [{ name: 'id', type: 'INT4', nullable: true }],
        }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(isWeirError(failure) && failure.code).toBe('ENGINE_UNAVAILABLE');
      } finally {
        await session.close().catch(() => undefined);
        await killer.close();
      }
    } finally {
      await engine.close();
    }
  });
});
