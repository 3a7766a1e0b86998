/** The MySQL/MariaDB connector against the table connector conformance suite, on the real server. */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { mysqlService, testMysqlUrl } from '../../testing/broker-services.js';
import { describeWithService } from '../../testing/services.js';
import { tableConnectorConformance } from '../../testing/table-connector-conformance.js';
import { openMysqlConnector } from './mysql-connector.js';

const databaseName = `weir_conformance_${randomBytes(5).toString('hex')}`;
let admin: mysql.Connection;

await describeWithService(mysqlService, 'MySQL connector conformance', () =>
  tableConnectorConformance({
    async setup() {
      admin = await mysql.createConnection({ uri: testMysqlUrl() });
      await admin.query(`CREATE DATABASE \`${databaseName}\``);
      await admin.query(`CREATE TABLE \`${databaseName}\`.weir_events (id bigint PRIMARY KEY, label text, amount decimal(10,2), happened_at datetime(6) NOT NULL, flag boolean)`);
      const url = new URL(testMysqlUrl());
      url.pathname = `/${databaseName}`;
      return {
        connector: await openMysqlConnector({ url: url.toString() }),
        fixture: {
          from: `\`${databaseName}\`.\`weir_events\``,
          missing: `\`${databaseName}\`.\`weir_no_such_table\``,
          async insert(rows) {
            for (const row of rows) {
              await admin.query(`INSERT INTO \`${databaseName}\`.weir_events VALUES (?, ?, ?, ?, ?)`, [row.id, row.label, row.amount, row.happened_at, row.flag]);
            }
          },
          async update(id, label, happenedAt) {
            await admin.query(`UPDATE \`${databaseName}\`.weir_events SET label = ?, happened_at = ? WHERE id = ?`, [label, happenedAt, id]);
          },
        },
      };
    },
    async teardown() {
      await admin?.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
      await admin?.end();
    },
  }),
);
