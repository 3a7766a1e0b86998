/**
 * Conformance over sqlglot's column-qualification fixtures (../shared/conformance/sqlglot): every
 * input query DuckDB accepts over the fixtures' schemas is inferred by Weir and compared with
 * DuckDB's own DESCRIBE of it as a view. sqlglot's expected texts are not compared: they name
 * unaliased columns sqlglot's way (`_col_1`), and what Weir must match is DuckDB's naming.
 *
 * The rule held: a complete answer has exactly DuckDB's names; an incomplete one lists only names
 * that exist. "Wrong" is a false "missing column" waiting to happen, and must stay at zero.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import type { AssetSpec, SqlAsset, TypeScriptAsset } from '../project/project-model.js';
import { AssetGraph } from './asset-graph.js';
import { inferOutputColumns } from './infer-output-columns.js';

const ROOT = fileURLToPath(new URL('../../../../../shared/conformance/sqlglot/', import.meta.url));
const present = existsSync(ROOT);
/** WEIR_CONFORMANCE_VERBOSE=1 lists the queries skipped and the ones left incomplete, with why. */
const VERBOSE = process.env.WEIR_CONFORMANCE_VERBOSE === '1';
if (!present && process.env.CI === 'true') throw new Error(`the sqlglot conformance corpus is missing at ${ROOT}`);

/** Fixture file, and the schema its queries read. */
const SUITES: Array<[string, string]> = [
  ['fixtures/optimizer/qualify_columns.sql', 'schemas/optimizer_test_schema.json'],
  ['fixtures/optimizer/pushdown_projections.sql', 'schemas/optimizer_test_schema.json'],
  ['fixtures/optimizer/pushdown_cte_alias_columns.sql', 'schemas/optimizer_test_schema.json'],
  ['fixtures/optimizer/qualify_tables.sql', 'schemas/optimizer_test_schema.json'],
  ['fixtures/optimizer/tpc-h/tpc-h.sql', 'schemas/tpch_schema.json'],
  ['fixtures/optimizer/tpc-ds/tpc-ds.sql', 'schemas/tpcds_schema.json'],
];

/** Input queries of a fixture file: `--` lines dropped, split on `;`, inputs and expectations alternate. */
function inputQueries(file: string): string[] {
  const text = readFileSync(ROOT + file, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n');
  const statements = text.split(';').map((statement) => statement.trim());
  const inputs: string[] = [];
  for (let index = 0; index + 1 < statements.length; index += 2) {
    const lines = (statements[index] ?? '').split('\n');
    const metadata = lines.filter((line) => line.startsWith('# '));
    const dialect = metadata.find((line) => line.startsWith('# dialect:'))?.split(':')[1]?.trim();
    if (dialect !== undefined && dialect !== 'duckdb') continue;
    inputs.push(lines.filter((line) => !line.startsWith('# ')).join('\n'));
  }
  return inputs;
}

/** sqlglot's schema types in DuckDB's words. */
function duckdbType(type: string): string {
  return type
    .replaceAll('<', '(')
    .replaceAll('>', ')')
    .replace(/\bINT\b/gi, 'INTEGER')
    .replace(/\b(TEXT|string)\b/g, 'VARCHAR')
    .replace(/\bDATETIME\b/g, 'TIMESTAMP');
}

function tableAsset(name: string, columns: Record<string, string>): TypeScriptAsset {
  const outputColumns = Object.fromEntries(Object.entries(columns).map(([column, type]) => [column, duckdbType(type)]));
  return { name, file: 'x', line: 1, tags: [], columns: {}, checks: [], kind: 'typescript', materialization: 'table', inputs: [], modulePath: '', exportName: name, codeHash: '', outputColumns };
}

interface SuiteCounts {
  queries: number;
  notDuckDB: number;
  exact: number;
  incomplete: number;
  wrong: string[];
}

async function runSuite(fixture: string, schemaFile: string): Promise<SuiteCounts> {
  const schema = JSON.parse(readFileSync(ROOT + schemaFile, 'utf8')) as Record<string, Record<string, string>>;
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const assets = new Map<string, AssetSpec>();
  for (const [table, columns] of Object.entries(schema)) {
    const asset = tableAsset(table, columns);
    assets.set(table, asset);
    const definitions = Object.entries(asset.outputColumns ?? {}).map(([column, type]) => `"${column}" ${type}`);
    await connection.run(`CREATE TABLE "${table}" (${definitions.join(', ')})`);
  }
  const counts: SuiteCounts = { queries: 0, notDuckDB: 0, exact: 0, incomplete: 0, wrong: [] };
  const truths = new Map<string, string[]>();
  for (const [index, sql] of inputQueries(fixture).entries()) {
    counts.queries++;
    const name = `q${index}`;
    try {
      await connection.run(`CREATE VIEW ${name} AS ${sql}`);
      truths.set(name, (await connection.runAndReadAll(`DESCRIBE ${name}`)).getRowsJS().map((row) => String(row[0])));
      const model: SqlAsset = { name, file: fixture, line: 1, tags: [], columns: {}, checks: [], kind: 'sql', materialization: 'view', sql, sqlStartLine: 1, inputs: Object.keys(schema), inputsDeclared: false, references: [] };
      assets.set(name, model);
    } catch (error) {
      if (VERBOSE) console.log(`not DuckDB: ${String(error).split('\n')[0] ?? ''}\n  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
      counts.notDuckDB++;
    }
  }
  connection.closeSync();
  const inferred = await inferOutputColumns(assets, AssetGraph.fromInputs(new Map([...assets].map(([name, asset]) => [name, asset.inputs]))));
  for (const [name, truth] of truths) {
    const columns = inferred.get(name);
    const sql = (assets.get(name) as SqlAsset).sql.replace(/\s+/g, ' ').slice(0, 160);
    if (columns === undefined) continue;
    const listed = columns.columns.map((column) => column.name);
    if (columns.complete) {
      if (JSON.stringify(listed) === JSON.stringify(truth)) counts.exact++;
      else counts.wrong.push(`${sql}\n    weir: ${listed.join(', ')}\n    duckdb: ${truth.join(', ')}`);
      continue;
    }
    const actual = new Set(truth.map((column) => column.toLowerCase()));
    const phantom = columns.columns.filter((column) => column.nameCertain && !actual.has(column.name.toLowerCase()));
    if (VERBOSE) console.log(`incomplete: ${columns.reason ?? ''}\n  ${sql}`);
    if (phantom.length === 0) counts.incomplete++;
    else counts.wrong.push(`${sql}\n    weir lists ${phantom.map((column) => column.name).join(', ')}; duckdb: ${truth.join(', ')}`);
  }
  return counts;
}

describe.skipIf(!present)('sqlglot fixtures: inferred columns agree with DuckDB', () => {
  test.each(SUITES)('%s', async (fixture, schema) => {
    const counts = await runSuite(fixture, schema);
    const checked = counts.queries - counts.notDuckDB;
    console.log(
      `${fixture}: ${counts.queries} queries, ${counts.notDuckDB} not valid DuckDB over the schema; of ${checked}: ` +
        `${counts.exact} exact, ${counts.incomplete} incomplete (no false names), ${counts.wrong.length} wrong` +
        (counts.wrong.length > 0 ? `\n  ${counts.wrong.join('\n  ')}` : ''),
    );
    expect(counts.wrong).toEqual([]);
    // Marking everything incomplete would be safe and useless: most answers must be exact.
    expect(counts.exact).toBeGreaterThanOrEqual(Math.floor(checked * 0.7));
  });
});

test.skipIf(present)('sqlglot fixtures are absent', () => {
  console.log(`skipped: no sqlglot conformance corpus at ${ROOT}`);
});
