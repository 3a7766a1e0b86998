/**
 * Opens the connector for a database source's connection, resolving the `${ENV}` references of
 * its URL only now: the secret is read when needed, used, and never stored or printed.
 */
import { WeirError } from '../errors/weir-error.js';
import { expandEnvironment } from '../project/env-interpolation.js';
import type { DatabaseSourceAsset } from '../project/project-model.js';
import type { TableConnector } from './connector.js';
import { openMysqlConnector } from './mysql/mysql-connector.js';
import { openPostgresConnector } from './postgres/postgres-connector.js';

/**
 * The connector for `asset`'s connection. Fails with `CONFIG_INVALID` naming the variable when a
 * `${NAME}` in the URL is not set.
 *
 * @example
 * ```ts
 * const connector = await openConnector(asset);
 * try { await ingestTable(asset, connector, target); } finally { await connector.close(); }
 * ```
 */
export async function openConnector(asset: DatabaseSourceAsset, env: Record<string, string | undefined> = process.env): Promise<TableConnector> {
  const { value: url, missing, malformed } = expandEnvironment(asset.connection.url, env);
  const location = { file: asset.file, line: asset.line };
  if (malformed.length > 0) throw new WeirError('CONFIG_INVALID', `${asset.name}: "\${${malformed[0]}}" in the connection URL is not a valid environment variable reference`, { location });
  if (missing.length > 0) {
    throw new WeirError('CONFIG_INVALID', `${asset.name}: environment variable "${missing[0]}" (in the connection URL) is not set`, {
      location,
      hint: `set ${missing[0]} in the environment that runs weir`,
    });
  }
  switch (asset.connection.type) {
    case 'postgres':
      return await openPostgresConnector({ url });
    case 'mysql':
      return await openMysqlConnector({ url });
  }
}

/**
 * A token that changes when the source may hold rows the current version lacks: for incremental
 * tables the source's largest cursor value; for whole-table loads (which cannot tell) and for a
 * source that cannot be reached now (the build will say why), a token that never repeats.
 *
 * @example
 * ```ts
 * const state = await probeSourceState(asset); // '2026-11-21 10:04:00+00'
 * ```
 */
export async function probeSourceState(asset: DatabaseSourceAsset): Promise<string> {
  const fresh = `load ${Date.now()} ${Math.random()}`;
  if (asset.incremental === undefined) return fresh;
  let connector: TableConnector | undefined;
  try {
    connector = await openConnector(asset);
    return `cursor ${String(await connector.maxOf(asset.from, asset.incremental.cursor))}`;
  } catch {
    return fresh;
  } finally {
    await connector?.close();
  }
}
