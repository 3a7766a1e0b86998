/** The PostgreSQL connector against the table connector conformance suite, on the real server. */
import pg from 'pg';
import { tableConnectorConformance } from '../../testing/table-connector-conformance.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../testing/services.js';
import { openPostgresConnector } from './postgres-connector.js';

let database: TestDatabase;
let client: pg.Client;

await describeWithService(postgresService, 'PostgreSQL connector conformance', () =>
  tableConnectorConformance({
    async setup() {
      database = await createTestDatabase('weir_conformance');
      client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query('CREATE TABLE weir_events (id bigint PRIMARY KEY, label text, amount numeric(10,2), happened_at timestamp NOT NULL, flag boolean)');
      return {
        connector: await openPostgresConnector({ url: database.url }),
        fixture: {
          from: '"public"."weir_events"',
          missing: '"public"."weir_no_such_table"',
          async insert(rows) {
            for (const row of rows) await client.query('INSERT INTO weir_events VALUES ($1, $2, $3, $4, $5)', [row.id, row.label, row.amount, row.happened_at, row.flag]);
          },
          async update(id, label, happenedAt) {
            await client.query('UPDATE weir_events SET label = $2, happened_at = $3 WHERE id = $1', [id, label, happenedAt]);
          },
        },
      };
    },
    async teardown() {
      await client?.end();
      await database?.drop();
    },
  }),
);
