/**
 * Quarantine: rows that break a check declared with `on_fail: quarantine` are moved from the new
 * version into `<environment>.<asset>__quarantine` (with the checks they broke, why, the run and
 * the version), and the rest is checked and published. The move is one transaction, so a row is
 * always in exactly one of the two tables; nothing is ever dropped silently.
 */
import { checkDialectFor, withColumnTypes } from '../checks/check-dialect.js';
import { QUARANTINE_COLUMNS, quarantinePredicates, quarantines } from '../checks/quarantine-sql.js';
import type { CheckSpec } from '../definitions/check-spec.js';
import type { EngineAdapter, EngineSession, RelationRef } from '../engines/engine-adapter.js';
import { environmentView } from '../plan/physical-names.js';
import { typeFamily } from '../checks/type-family.js';
import { WeirError } from '../errors/weir-error.js';

/** The table holding an asset's quarantined rows in an environment. */
export function quarantineRelation(environment: string, asset: string): RelationRef {
  return { schema: environment, name: `${asset}__quarantine` };
}

/** What a quarantine pass held back. */
export interface QuarantineResult {
  table: RelationRef;
  /** Rows held per check (a row breaking two checks counts for both). */
  counts: Record<string, number>;
  /** Rows moved. */
  rows: number;
}

/** Where and for whom rows are quarantined. */
export interface QuarantineTarget {
  engine: EngineAdapter;
  environment: string;
  asset: string;
  /** The new version's relation (or the staged rows of an incremental build). */
  relation: RelationRef;
  runId: string;
  version: string;
}

/**
 * Moves the rows of `target.relation` that break a quarantining check into the quarantine table.
 * Returns undefined when the asset has no quarantining check.
 *
 * @example
 * ```ts
 * const held = await quarantineRows(asset.checks, { engine, environment: 'prod', asset: 'orders', relation, runId, version });
 * if (held && held.rows > 0) console.log(`${held.rows} rows held in ${held.table.name}`);
 * ```
 */
export async function quarantineRows(checks: readonly CheckSpec[], target: QuarantineTarget): Promise<QuarantineResult | undefined> {
  const holding = checks.filter(quarantines);
  if (holding.length === 0) return undefined;
  const { engine } = target;
  // Described before a session is opened: the adapter may serve both from one connection.
  const columns = (await engine.describe(target.relation)) ?? [];
  const table = quarantineRelation(target.environment, target.asset);
  const existing = await engine.describe(table);
  const dialect = withColumnTypes(checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name)), columns);
  const relationSql = engine.quoteRelation(target.relation);
  const predicates = quarantinePredicates(holding, relationSql, dialect, (other) => engine.quoteRelation(environmentView(target.environment, other)));
  const session = await engine.session();
  try {
    await dialect.prepare(session, { parseable: holding.some((check) => check.type === 'parseable') });
    const countSql = predicates.byCheck.map((entry, index) => `count(*) FILTER (WHERE ${entry.sql}) AS ${dialect.quote(`q${index}`)}`).join(', ');
    const [row] = await session.query(`SELECT ${countSql}, count(*) FILTER (WHERE ${predicates.any}) AS ${dialect.quote('held')} FROM ${relationSql}`, predicates.params);
    const counts = Object.fromEntries(predicates.byCheck.map((entry, index) => [entry.check.name, Number(row?.[`q${index}`] ?? 0)]));
    const rows = Number(row?.held ?? 0);
    if (rows === 0) return { table, counts, rows };
    await ensureQuarantineTable(engine, session, table, relationSql, columns, existing);
    const names = columns.map((column) => dialect.quote(column.name));
    const extra = Object.values(QUARANTINE_COLUMNS).map((name) => dialect.quote(name));
    const tableSql = engine.quoteRelation(table);
    const params = [...predicates.labelParams];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    await session.transaction(async () => {
      // A retried build of the same version moves its rows again: the earlier copy goes first.
      await session.execute(`DELETE FROM ${tableSql} WHERE ${dialect.quote(QUARANTINE_COLUMNS.version)} = $1`, [target.version]);
      await session.execute(
        `INSERT INTO ${tableSql} (${[...names, ...extra].join(', ')})
         SELECT ${names.map((name) => `${relationSql}.${name}`).join(', ')}, ${predicates.names}, ${predicates.reasons}, ${bind(target.runId)}, ${bind(target.version)}, CAST(now() AS TIMESTAMP)
         FROM ${relationSql} WHERE ${predicates.any}`,
        params,
      );
      await session.execute(`DELETE FROM ${relationSql} WHERE ${predicates.any}`, predicates.params);
    });
    return { table, counts, rows };
  } finally {
    await session.close();
  }
}

/** Creates the quarantine table on first use, and adds columns the asset gained since. */
async function ensureQuarantineTable(
  engine: EngineAdapter,
  session: EngineSession,
  table: RelationRef,
  relationSql: string,
  columns: ReadonlyArray<{ name: string; type: string }>,
  existing: ReadonlyArray<{ name: string; type: string }> | undefined,
): Promise<void> {
  const tableSql = engine.quoteRelation(table);
  const q = (name: string) => engine.quoteIdentifier(name);
  if (existing === undefined) {
    const text = engine.kind === 'postgres' ? 'TEXT' : 'VARCHAR';
    await session.execute(
      `CREATE TABLE ${tableSql} AS SELECT *, CAST(NULL AS ${text}) AS ${q(QUARANTINE_COLUMNS.checks)}, CAST(NULL AS ${text}) AS ${q(QUARANTINE_COLUMNS.reason)},
         CAST(NULL AS ${text}) AS ${q(QUARANTINE_COLUMNS.runId)}, CAST(NULL AS ${text}) AS ${q(QUARANTINE_COLUMNS.version)}, CAST(NULL AS TIMESTAMP) AS ${q(QUARANTINE_COLUMNS.at)}
       FROM ${relationSql} WHERE FALSE`,
    );
    return;
  }
  const known = new Map(existing.map((column) => [column.name.toLowerCase(), column]));
  for (const column of columns) {
    const held = known.get(column.name.toLowerCase());
    if (held === undefined) {
      await session.execute(`ALTER TABLE ${tableSql} ADD COLUMN ${q(column.name)} ${column.type}`);
    } else if (typeFamily(held.type) !== typeFamily(column.type)) {
      // Held rows of the old type would not survive a cast, and new ones do not fit: a person decides.
      throw new WeirError(
        'CONFIG_INVALID',
        `${table.schema}.${table.name} holds column ${column.name} as ${held.type}, but the new version has it as ${column.type}; no rows were moved`,
        { hint: `replay or export the held rows, then drop ${table.schema}.${table.name} so the next build starts it again` },
      );
    }
  }
}

/** Counts of an asset's quarantined rows: those the checks would now let through, and the rest. */
export interface ReplayCounts {
  releasable: number;
  stillFailing: number;
}

/** The SQL pieces of a replay: which quarantined rows the current checks let through. */
function releasable(checks: readonly CheckSpec[], engine: EngineAdapter, environment: string, table: RelationRef, columns: ReadonlyArray<{ name: string; type: string }>) {
  const dialect = withColumnTypes(checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name)), columns);
  const tableSql = engine.quoteRelation(table);
  const predicates = quarantinePredicates(checks, tableSql, dialect, (other) => engine.quoteRelation(environmentView(environment, other)));
  return { dialect, tableSql, passes: `NOT COALESCE(${predicates.any}, FALSE)`, params: predicates.params };
}

/**
 * How many quarantined rows of an asset would pass its checks now (after an upstream fix).
 *
 * @example
 * ```ts
 * const { releasable } = await countReplayable(asset.checks, engine, 'prod', 'orders');
 * ```
 */
export async function countReplayable(checks: readonly CheckSpec[], engine: EngineAdapter, environment: string, asset: string): Promise<ReplayCounts> {
  const table = quarantineRelation(environment, asset);
  const columns = await engine.describe(table);
  if (columns === undefined) return { releasable: 0, stillFailing: 0 };
  const { dialect, tableSql, passes, params } = releasable(checks, engine, environment, table, columns);
  const session = await engine.session();
  try {
    await dialect.prepare(session, { parseable: checks.some((check) => check.type === 'parseable') });
    const [row] = await session.query(`SELECT count(*) FILTER (WHERE ${passes}) AS ${dialect.quote('ok')}, count(*) AS ${dialect.quote('total')} FROM ${tableSql}`, params);
    const ok = Number(row?.ok ?? 0);
    return { releasable: ok, stillFailing: Number(row?.total ?? 0) - ok };
  } finally {
    await session.close();
  }
}

/**
 * Builds a replay version: a copy of the published version plus the quarantined rows the checks
 * now let through. The rows stay in quarantine until the version is published
 * ({@link releaseReplayed}), so a replay that is held back loses nothing.
 */
export async function buildReplayVersion(checks: readonly CheckSpec[], engine: EngineAdapter, environment: string, asset: string, from: RelationRef, target: RelationRef): Promise<void> {
  const table = quarantineRelation(environment, asset);
  const { dialect, tableSql, passes, params } = releasable(checks, engine, environment, table, (await engine.describe(table)) ?? []);
  await engine.cloneTable(from, target);
  const columns = ((await engine.describe(target)) ?? []).map((column) => dialect.quote(column.name));
  const session = await engine.session();
  try {
    await dialect.prepare(session, { parseable: checks.some((check) => check.type === 'parseable') });
    await session.execute(`INSERT INTO ${engine.quoteRelation(target)} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${tableSql} WHERE ${passes}`, params);
  } finally {
    await session.close();
  }
}

/** Removes from quarantine the rows a published replay version now holds. */
export async function releaseReplayed(checks: readonly CheckSpec[], engine: EngineAdapter, environment: string, asset: string): Promise<number> {
  const table = quarantineRelation(environment, asset);
  const { dialect, tableSql, passes, params } = releasable(checks, engine, environment, table, (await engine.describe(table)) ?? []);
  const session = await engine.session();
  try {
    await dialect.prepare(session, { parseable: checks.some((check) => check.type === 'parseable') });
    const [row] = await session.query(`SELECT count(*) AS ${dialect.quote('n')} FROM ${tableSql} WHERE ${passes}`, params);
    await session.execute(`DELETE FROM ${tableSql} WHERE ${passes}`, params);
    return Number(row?.n ?? 0);
  } finally {
    await session.close();
  }
}
